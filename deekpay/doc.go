// Package deekpay is paygate's DeekPay provider for Indian rupee (INR) collections and
// payments: hosted-cashier pay-ins (collecting orders), pay-outs (transfer orders), order
// queries, the balance, the bank list ([Client.Banks]), a ping ([Client.Ping]), and verified
// callbacks.
//
// Two unrelated APIs are sold under the name "DeekPay". This package is the one whose
// requests are signed in headers with HMAC-SHA1 (access_key, timestamp, nonce, sign): the
// HamBit API, documented at https://docs.hambit.co/indian. A DeekPay account whose
// documentation describes another signature is the other API, which this package does not
// speak.
//
// Blank-import the package to register it as "deekpay" with paygate.New.
//
// # Config
//
//	Config field   Meaning
//	BaseURL *      an absolute http(s) URL: DeekPay publishes no default host (use the API
//	               host of your merchant back office); New says so when it is missing
//	APIKey *       the access_key, which also identifies the merchant
//	Secret *       the secret_key
//	MerchantID     not sent; when set it names the account for deduplication and
//	               rate limits, else a digest of the access_key does (MerchantID())
//
// Options (Config.Options):
//
//	Key                   Meaning, allowed values                                   Default
//	callback_tolerance    how far a callback's timestamp header may lie from the    5m
//	                      clock, in the past or the future: a positive Go duration
//	previous_secrets      comma-separated former secret_keys callbacks still        none
//	                      verify under
//	previous_access_keys  comma-separated former access_keys callbacks may still    none
//	                      name (DeekPay issues access_key and secret_key as a pair,
//	                      so rotating one rotates both)
//
// paygate.WithClock and paygate.WithNonce replace the clock (request timestamps, callback
// freshness) and the UUID v4 nonce generator.
//
// # Operations
//
// A field marked * is required; a missing or malformed one is a *paygate.ValidationError
// naming it, raised before any I/O. Empty optional fields are neither sent nor signed.
// Amounts are INR, greater than zero, with at most two decimal places, written with trailing
// zeros dropped ("40.2", "100"). Extra fields of a request are sent and signed as given; one
// that paygate sets itself (or sign, access_key, timestamp, nonce) is refused.
//
//	PayIn: POST /api/v3/ind/createCollectingOrder
//	  OrderID *          externalOrderId   at most 64 characters
//	  Amount *           amount
//	  Channel            channelType       default UPI
//	  NotifyURL          notifyUrl         an absolute http(s) URL
//	  ReturnURL          returnUrl         an absolute http(s) URL
//	  Remark             remark            at most 255 characters
//	  Direct             -                 true is paygate.ErrUnsupported: DeekPay offers its
//	                                       hosted cashier only
//	  result: PaymentURL = cashierUrl (a success without it is outcome-unknown),
//	  ProviderOrderID = orderId, Status pending.
//
//	PayOut: POST /api/v3/ind/createTransferOrder
//	  OrderID *                    externalOrderId   at most 64 characters
//	  Amount *                     currencyAmount
//	  Channel                      channelType       default BANK
//	  Beneficiary.AccountNumber *  accountId
//	  Beneficiary.AccountType      accountType       default INR
//	  Beneficiary.IFSC             ifSC              channel other than UPI: required, an
//	                                                 11-character IFSC or a four-capital-letter
//	                                                 bank code ("YESB")
//	  (UPI VPA)                    ifSC              channel UPI: the beneficiary's VPA
//	                                                 (name@bank), Beneficiary.IFSC when set,
//	                                                 else Beneficiary.AccountNumber
//	  Beneficiary.BankName         bankName          sent when set (see below)
//	  Beneficiary.Name             userInfoName
//	  Remark                       remark            at most 255 characters
//	  NotifyURL                    notifyUrl         an absolute http(s) URL
//	  result: Status from orderStatus (a number or a text; none yet is pending), Fee zero.
//
//	Query: POST /api/v3/ind/query/collectingOrder (pay-in), /api/v3/ind/query/transferOrder (pay-out)
//	  OrderID            externalOrderId   at most 64 characters  } at least one of the two;
//	  ProviderOrderID    orderId                                  } both keys are sent, an
//	                                                                unknown one empty (unsigned)
//	  Kind *             payin or payout
//	  result: Amount = orderAmount, ActualAmount = orderActualAmount, Fee = orderFee,
//	  CompletedAt = orderCompleteTime (else orderPayTime), RawStatus = orderStatus and
//	  orderStatusCode ("8 Success", see SplitRawStatus). DeekPay has no UTR field. An order
//	  of the other kind (orderType) or in another currency (currencyType) is not taken.
//
//	Balance: GET /api/v3/ind/query/balance
//	  Available = accountBalance (required in the answer), Frozen = accountFreezeAmount,
//	  Pending = accountWaitSettledAmount; when DeekPay answers one account per currency,
//	  the INR one is taken.
//
//	Ping(): GET /ping
//	Banks(name: at most 128 characters, "" lists all): POST /api/v3/ind/query/bank
//
// For UPI pay-outs HamBit's documentation puts the beneficiary's VPA in the ifSC field; this
// package does exactly that: with channel UPI (in any case), ifSC is Beneficiary.IFSC, or
// Beneficiary.AccountNumber when IFSC is empty, and must look like name@bank (one "@", no
// spaces), else the request is refused naming the field it came from; accountId is
// Beneficiary.AccountNumber as for every channel. HamBit's documentation also marks bankName
// as required for pay-outs; this package does not enforce it: Beneficiary.BankName is sent
// when set and left out when empty, so set it.
//
// # Limits
//
// Order numbers (externalOrderId) are at most 64 characters and remarks at most 255; amounts
// are positive with at most two decimal places. DeekPay documents no minimum or maximum
// amount and no request rate limit, so none is enforced.
//
// # Statuses
//
// orderStatus is a number whose meaning depends on the order's kind, or (in callbacks, where
// HamBit sends text) a name; anything unlisted is paygate.StatusUnknown, never a success.
//
//	Collecting (pay-in)            Transfer (pay-out)
//	1 to be paid   StatusPending   1  accepted                    StatusPending
//	2 paid         StatusSucceeded 2  bank processing             StatusProcessing
//	                               4  failed (not accepted)       StatusFailed
//	                               8  success                     StatusSucceeded
//	                               16 failure                     StatusFailed
//
//	Text (any case, spaces, "_" and "-" ignored, a parenthesised remark dropped)
//	Completed, Complete, Success, Successful, Succeeded, Paid,
//	  PaymentSuccessful                                            StatusSucceeded
//	Pending, ToBePaid, Unpaid, Created, Accepted, Waiting          StatusPending
//	Processing, InProgress, BankProcessingInProgress               StatusProcessing
//	Failed, Failure, Fail, Rejected                                StatusFailed
//	Cancelled, Canceled                                            StatusCancelled
//	Closed, Expired, Timeout     a pay-in                          StatusCancelled
//	                             a pay-out (a transfer that timed
//	                             out may still be paid)            StatusUnknown
//	Reversed, Refunded                                             StatusReversed
//
// # Signing
//
// Every request carries the headers access_key, timestamp (13-digit milliseconds), nonce
// (UUID v4) and sign = Base64(HMAC-SHA1(secret_key, "k=v&k=v")) over the JSON body's
// non-empty fields (a GET request's query parameters) plus access_key, timestamp and nonce,
// in ASCII key order. A numeric 0 is signed as "0", while an empty string is skipped. The
// headers are computed afresh for every attempt: reads are retried by the shared transport
// (per paygate.WithRetry), which signs again before each attempt, so a retry never re-sends
// an earlier attempt's timestamp and nonce. Creates are sent at most once (retried only when
// the connection could not be made). Bodies are JSON with Content-Type
// application/json;charset=utf-8.
//
// # Responses
//
// Every answer is the envelope {"code":"200","success":true,"msg","msgEn","data"}, code a
// string or a number. Code 200 with success true is a success; code 200 with success false,
// or success true under any other code, contradicts itself (outcome-unknown on a create); any
// other code is a *paygate.ProviderError with the code and msgEn (msg when msgEn is empty).
// DeekPay lists no error codes; its codes are HTTP statuses, and only the client errors 400,
// 401, 403, 404, 409 and 429 are taken as definite refusals: a create refused with any other
// code (a 5xx, 201, 1001, none) is paygate.ErrOutcomeUnknown. A message saying "duplicate",
// "already exists" or "repeat" wraps paygate.ErrDuplicateOrder, "not exist", "not found" or
// "no such order" paygate.ErrOrderNotFound; code 429 is retryable on reads. The queries
// answer with data as an array of orders: an empty array is a *paygate.ProviderError wrapping
// paygate.ErrOrderNotFound, and an order is taken only when it carries one of the numbers
// asked about. Fees and actual amounts arrive as strings ("3.405") or numbers and are
// decoded exactly, never through float64. GET /ping is expected in the envelope like every
// other endpoint, and accepted bare.
//
// As for every paygate provider: redirects are never followed (a 3xx is an error naming the
// target host); only a 2xx HTTP status can be a success; on
// PayIn and PayOut any answer that is not plainly "created" or plainly "refused" is
// paygate.ErrOutcomeUnknown, including an answer about another order (another
// externalOrderId), another amount or another currency (currency, currencyType) and a success
// without DeekPay's orderId; a create success that omits the amount reports the requested
// amount.
//
// # Callbacks
//
// DeekPay POSTs the order object of the queries as JSON, with the headers sign, access_key,
// timestamp and nonce (all four required). [Client.ParseCallback] verifies sign first
// (constant time, under the current and every previous secret): the same HMAC over the
// body's non-empty fields, numbers as their JSON text, plus the three header values. Because
// the signed string joins "k=v" pairs with "&", a callback with a key containing "&" or "=",
// or a value carrying "&name=", is refused as malformed (it could be two signed members
// re-split into one). The callback repeats the order's notifyUrl, remark (tradeNote) and the
// beneficiary's name, account number and account type, so PayIn and PayOut refuse such a
// value there (a notify URL with two query parameters joined by "&" among them: pass one
// parameter, or put it in the path), naming the field, before the order exists. An access_key
// that is neither ours nor one of previous_access_keys, and a timestamp further than
// callback_tolerance from the clock, are refused as invalid signatures. Nonces are not
// remembered: a replay inside the time window is stopped by webhook.Handler's Deduper, which
// every production handler should have.
//
// orderId, externalOrderId, orderType, orderStatus and orderAmount must be present. orderType
// 1 (collection) is a pay-in, 2 (payment) a pay-out, anything else malformed; being signed,
// it lets [Client.ForKind] refuse a callback of the other kind. orderStatus may be a number
// or a text (HamBit's own plugin expects text such as "Completed" or "Failed"): both are
// read, as the status table above says. Amount is orderAmount, but for a pay-in
// orderActualAmount when it is reported and not zero: what was paid, as a confirmed or polled
// callback of the same order has it (paygate.Order.CallbackAmount). Fee is orderFee, decoded
// exactly from a string or a number; CompletedAt is orderCompleteTime, else orderPayTime. A
// currencyType other than INR (empty is INR) is malformed: an amount in another currency is
// not this client's order.
//
// The acknowledgement DeekPay expects (Callback.Ack) is HTTP 200, application/json,
// {"code":200,"success":true}.
package deekpay
