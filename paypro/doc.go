// Package paypro is paygate's PayPro provider (paypro.txt, with the India pages of
// docs.paypro.tech as DESIGN.md's "PayPro" section records them): cashier and host-to-host
// pay-ins, pay-outs to Indian bank accounts, pay-in and pay-out queries, the balance, and
// verified callbacks.
//
// # Config
//
// MerchantID is the merchantNo, sent as the merchantNo header of every request. Secret is the
// app secret. APIKey is not used. BaseURL is required: PayPro publishes no default host
// (DESIGN.md). Options:
//   - "previous_secrets": comma-separated former secrets; callbacks verify under them too.
//   - "server_ip": the ipAddress sent with pay-outs when Extra["ipAddress"] is not given.
//   - "callback_kind": "payin" or "payout" — every callback this Client parses is of that kind
//     (for a merchant who gives pay-ins and pay-outs different notify URLs, each served by its
//     own Client).
//   - "payout_prefix": a tradeNo prefix the merchant reserves for pay-outs; a callback whose
//     tradeNo starts with it is a pay-out, any other a pay-in.
//
// # The wire
//
// Every call is a POST of a JSON object whose values are all strings, with "timestamp" (13-digit
// milliseconds, from paygate.WithClock) and "sign": lowercase hex MD5 of "k1=v1k2=v2…" over the
// other non-empty fields in ASCII key order, the secret appended directly (signing.ConcatMD5).
// Every answer is {msg, code, timestamp, success, data}: a code other than "0000" is a
// *paygate.ProviderError with code and msg; "0000" only means the request was accepted, and the
// transaction's state is data.status.
//
// # Decisions (DESIGN.md, PayPro, and where the documents are silent)
//
//   - Amounts are whole rupees ("300"); an amount with paise is a *paygate.ValidationError.
//   - Mobile numbers: 10 digits starting with 6–9; a "+91" prefix, or "91" on a 12-digit
//     number, is stripped (the seed's own example sends "918234567890").
//   - Pay-in: tradeNo, amount, name, mobile, email, ipAddress (Customer.IP, a valid IP),
//     notifyUrl and returnUrl are required, as paypro.txt marks them; remark is optional.
//     Direct pay-ins go to /v1/paypro/payinApi with the same fields.
//   - Pay-out: bankCode is Beneficiary.IFSC (the India page defines bankCode as the IFSC code);
//     Beneficiary.BankCode is not sent. ipAddress is Extra["ipAddress"], else
//     Options["server_ip"], else left out — the India page marks it required but its own example
//     request has none.
//   - data.status: 0000 succeeded; 0001 succeeded with a different amount (the amount reported
//     is what was paid: Order.ActualAmount, Callback.Amount); 0015 processing; 00032
//     (UNKNOWN_ERROR) unknown; any other code failed, as paypro.txt says. An answer to a pay-in
//     or pay-out whose data.status is a failure is a *paygate.ProviderError whose Code is
//     data.status and Message data.desc: the order was definitely not taken. In queries the
//     status is mapped and data.desc stays in Order.Raw.
//   - PayPro documents no business error codes, so no ProviderError is classified as
//     paygate.ErrDuplicateOrder or paygate.ErrOrderNotFound.
//   - Queries look orders up by tradeNo (the merchant order number) only.
//   - Balance: Available from availableAmount or availablAmount (both spellings occur), Frozen
//     from freezeAmount, Pending from unsettledAmount; strings or numbers, decoded exactly.
//   - Callbacks carry no kind. Options["callback_kind"], then Options["payout_prefix"], decide it
//     when set; otherwise a callback with channelCode or wayCode (fields the platform sends only
//     for pay-ins) or status 0001 (pay-ins only) is a pay-in, and any other a pay-out. A
//     merchant whose pay-in callbacks lack those fields sets one of the two options. The
//     answer PayPro expects is HTTP 200 with the body "OK" (text/plain).
//   - successTime, when a callback or query carries it, is read as India time; a value that
//     cannot be read leaves CompletedAt zero rather than refusing an authentic callback.
//
// Blank-import the package to register it as "paypro" with paygate.New.
package paypro
