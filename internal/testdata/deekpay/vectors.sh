#!/bin/sh
# Regenerates vectors.json: every sign below is computed by OpenSSL, outside Go, as
#   printf '%s' "$canonical" | openssl dgst -sha1 -hmac "$key" -binary | base64
# over canonical strings written by hand from the HamBit (DeekPay) API documentation (docs.hambit.co), signature sections (non-empty fields
# plus access_key, timestamp and nonce, ASCII key order, "k=v&k=v"). The key is made up.
set -eu
key='deekpay-test-secret'
ak='pFqV75X3'; ts='1679724896223'; nonce='794c26b0-d33c-4394-b2bb-c485eca16d9e'
sign() { printf '%s' "$1" | openssl dgst -sha1 -hmac "$2" -binary | base64; }
vec() { # name canonical [key]
  k=${3:-$key}
  printf '    {"name": "%s", "key": "%s", "canonical": "%s", "sign": "%s"}' "$1" "$k" "$2" "$(sign "$2" "$k")"
}
{
  printf '{\n  "about": "DeekPay HMAC-SHA1 vectors computed by OpenSSL (%s) with vectors.sh; canonical strings written by hand. access_key %s, timestamp %s, nonce %s.",\n  "vectors": [\n' "$(openssl version | cut -d' ' -f1-2)" "$ak" "$ts" "$nonce"
  vec "doc example (createCollectingOrder, HamBit API document, createCollectingOrder example)" "access_key=$ak&amount=40.20&channelType=UPI&externalOrderId=716134866255702461&nonce=$nonce&notifyUrl=http://192.168.1.135:30001&remark=123&timestamp=$ts"; printf ',\n'
  vec "payin" "access_key=$ak&amount=40.2&channelType=UPI&externalOrderId=716134866255702461&nonce=$nonce&notifyUrl=http://192.168.1.135:30001&remark=123&returnUrl=http://192.168.1.135:30001/return&timestamp=$ts"; printf ',\n'
  vec "payout" "access_key=$ak&accountId=13178968584&accountType=INR&bankName=YesBank&channelType=BANK&currencyAmount=40.2&externalOrderId=687279463984441035&ifSC=YESB0000001&nonce=$nonce&notifyUrl=http://192.168.1.135:30001&remark=123&timestamp=$ts&userInfoName=test"; printf ',\n'
  vec "query" "access_key=$ak&externalOrderId=716134866255702461&nonce=$nonce&orderId=DKC1679724896223001&timestamp=$ts"; printf ',\n'
  vec "headers only (balance, ping, banks with bankName \\\"\\\")" "access_key=$ak&nonce=$nonce&timestamp=$ts"; printf ',\n'
  vec "callback collection (callback_payin.json)" "access_key=$ak&cashierId=C1&currencyType=INR&externalOrderId=716134866255702461&markStatus=0&nonce=$nonce&notifyUrl=http://192.168.1.135:30001&orderActualAmount=40.20&orderAmount=40.20&orderCompleteTime=1679724890000&orderFee=0&orderId=DKC1679724896223001&orderPayTime=1679724890000&orderResourceType=2&orderResourceTypeCode=LEGAL_TENDER&orderStatus=2&orderStatusCode=Payment successful&orderTime=1679724800000&orderType=1&orderTypeCode=COLLECTION&payType=102&payTypeCode=BANK&timestamp=$ts&tradeNote=123&userId=U10001"; printf ',\n'
  vec "callback payment, text status, numeric amount (callback_payout.json)" "access_key=$ak&currencyType=INR&externalOrderId=687279463984441035&nonce=$nonce&orderActualAmount=490.00&orderAmount=500.00&orderCompleteTime=1679724890000&orderFee=10&orderId=DKT1679724896223002&orderStatus=Completed&orderType=2&timestamp=$ts"
  printf '\n  ]\n}\n'
} > vectors.json
