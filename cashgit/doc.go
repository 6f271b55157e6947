// Package cashgit is paygate's CashGit provider. CashGit is an Indian payment aggregator
// (INR) whose API takes JSON POSTs signed with an MD5 of the sorted fields; this package
// covers every operation of CashGit's API document: hosted and UPI-intent pay-ins, pay-outs
// to bank accounts, pay-in and pay-out queries, the balance, UTR submission
// ([Client.SubmitUTR]), closing an unpaid order ([Client.Close]), the merchant's collecting
// UPI accounts ([Client.UPIAccounts]), and verified callbacks.
//
// Blank-import the package to register it as "cashgit" with paygate.New.
//
// # Config
//
//	Config field   Meaning
//	MerchantID *   CashGit's appid (sent in every request body as appid)
//	Secret *       the signing key
//	BaseURL        default https://cashgit.com (ProductionURL); see option sandbox
//	APIKey         not used
//
// Options (Config.Options):
//
//	Key               Meaning, allowed values                                    Default
//	sign_style        "key_param": md5 of "k=v&…&key=SECRET" (the API document's  key_param
//	                  rule); "append": md5 of "k=v&…SECRET" (what CashGit's own
//	                  server computes); anything else is refused by New
//	sandbox           a boolean; true selects https://test.cashgit.com when       false
//	                  BaseURL is empty
//	rate_limit        client-side requests per second, a plain decimal ("10",     10
//	                  "2.5"); "0" turns the limiter off; negative refused
//	previous_secrets  comma-separated former secrets callbacks still verify       none
//	                  under, for a rotation
//
// A call that would have to wait for the rate limiter past its context's deadline fails at
// once, unsent: a *paygate.NotSentError that matches paygate.ErrNotSent and
// context.DeadlineExceeded. With paygate.WithLimiter (a limit shared by several replicas),
// that Limiter takes the place of the in-process one and rate_limit is not used.
//
// # Operations
//
// A field marked * is required; a missing or malformed one is a *paygate.ValidationError
// naming it, raised before any I/O. Empty optional fields are neither sent nor signed.
// Extra fields of a request are sent and signed as given; one that paygate sets itself
// (including appid and sign) is refused.
//
//	PayIn: POST /api/pay
//	  OrderID *          orderid         6 to 32 characters
//	  Amount *           amount          INR, 10.00 to 50000.00, at most two places, sent "100.00"
//	  Direct             pay_id          false: 1 (hosted page); true: 2 (UPI intent)
//	  Customer.Phone     customer_phone  required when Direct
//	  Remark             desc
//	  NotifyURL          notify_url      an absolute http(s) URL
//	  ReturnURL          return_url      an absolute http(s) URL
//	  result: PaymentURL = payurl (also UPIURL when Direct), QRCode = qrcode,
//	  ExpiresAt = expires_at (RFC 3339); a success without payurl is outcome-unknown.
//
//	PayOut: POST /api/payout/create
//	  OrderID *                    orderid         6 to 32 characters
//	  Amount *                     amount          as for PayIn
//	  Beneficiary.Name *           account_name
//	  Beneficiary.AccountNumber *  account_number
//	  Beneficiary.IFSC *           ifsc            11 characters: 4 capital letters, 0, 6 letters or digits
//	  Beneficiary.Phone *          mobile
//	  Beneficiary.Email            email
//	  NotifyURL                    notify_url      an absolute http(s) URL
//	  Remark                       desc
//	  result: Fee = fee.
//
//	Query: POST /api/query (pay-in), /api/payout/query (pay-out)
//	  OrderID *          orderid         CashGit looks orders up by the merchant order number
//	                                     only: a request naming only ProviderOrderID is refused
//	  Kind *             payin or payout
//	  result: UTR = utr; pay-ins: CompletedAt = paytime, ActualAmount = Amount once succeeded;
//	  pay-outs: ActualAmount = actual_amount, Fee = fee, CompletedAt = completed_at.
//
//	Balance: POST /api/balance/query
//	  Available = available_balance (required in the answer), Frozen = frozen_balance,
//	  Pending is zero (CashGit reports none); the currency is data.currency, else INR.
//
//	SubmitUTR(orderID *, utr * (12 digits), amount * (INR, at most two places)): POST /api/utr/submit
//	Close(orderID *): POST /api/close
//	UPIAccounts(): POST /api/upi/query
//
// # Limits
//
// One order is 10.00 to 50000.00 INR with at most two decimal places; order numbers are 6 to
// 32 characters; CashGit allows 10 requests per second per merchant, which the client-side
// limiter (option rate_limit) keeps to.
//
// # Statuses
//
// CashGit's status, compared in either case; anything else is paygate.StatusUnknown, never a
// success. RawStatus keeps the value as sent.
//
//	CashGit               paygate.Status
//	pending               StatusPending
//	processing            StatusProcessing
//	paid, success         StatusSucceeded
//	cancelled, expired    StatusCancelled
//	failed, rejected      StatusFailed
//
// # Signing
//
// sign is the lower-case hex MD5 of the body's fields as "k=v&k=v" in ASCII key order (empty
// values and sign itself skipped) followed by "&key=" and the secret (sign_style key_param,
// the rule of CashGit's API document), or followed directly by the secret (sign_style
// append). CashGit's own server computes the append style, and some accounts reject the
// document's example signature: when CashGit refuses a request with code 401 under
// key_param, the *paygate.ProviderError's message says so and how to switch:
// "CashGit refused the signature; if your account uses the append style, set
// options.sign_style: append". Callbacks verify under either style whatever sign_style says.
//
// # Responses
//
// Every answer is the envelope {code, message, data, timestamp}. Code 200 is a success; any
// other code is a *paygate.ProviderError carrying it and CashGit's message (or, when the
// message is empty, the meaning CashGit's API document gives the code): 409 wraps
// paygate.ErrDuplicateOrder, 404 paygate.ErrOrderNotFound, 429 is retryable for reads. Only
// the table's 4xx codes (400, 401, 403, 404, 409, 429) are definite refusals: on PayIn or
// PayOut its 5xx codes, and any code it does not list (201, 202, 0, ...), are
// paygate.ErrOutcomeUnknown. A success is trusted
// only when its data names the order asked about (and, for Balance, carries
// available_balance).
//
// As for every paygate provider: redirects are never followed (a 3xx is an error naming the
// target host); only a 2xx HTTP status can be a success; on
// PayIn and PayOut any answer that is not plainly "created" or plainly "refused" is
// paygate.ErrOutcomeUnknown, including an answer about another order or another amount and a
// success without CashGit's order number (platform_orderid); a create success that omits the
// amount reports the requested amount.
//
// # Callbacks
//
// CashGit POSTs JSON to the order's notify_url. [Client.ParseCallback] verifies sign first
// (constant time, under the current and every previous secret, under both sign styles), over
// every other non-empty field of the body, numbers such as paytime and completed_at signed
// as their JSON text. Because the signed string joins "k=v" pairs with "&", a callback with a
// key containing "&" or "=", or a value carrying "&name=" (an order number "ORD1&paytime=…"
// swallowing the next member), is refused as malformed: it could be two signed members
// re-split into one. That also keeps one style's signature from passing for the other's,
// whose bodies differ by a last value ending in "&key=". orderid,
// platform_orderid, status and amount must be present; an appid that is not
// Config.MerchantID is refused. A callback carrying a non-empty fee, actual_amount or
// completed_at (all signed) is a pay-out, any other a pay-in; [Client.ForKind] refuses a
// callback of the other kind. The kind being signed, webhook.Handler does not confirm CashGit
// callbacks by query unless given webhook.WithConfirm.
//
// The acknowledgement CashGit expects (Callback.Ack) is HTTP 200, text/plain, body "success".
package cashgit
