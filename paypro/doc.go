// Package paypro is paygate's PayPro provider for Indian rupees (INR): cashier and
// host-to-host pay-ins, pay-outs to Indian bank accounts, pay-in and pay-out queries, the
// balance, and verified callbacks. PayPro's public documentation is at
// https://docs.paypro.tech (its India pages); this package follows them.
//
// Blank-import the package to register it as "paypro" with paygate.New.
//
// # Config
//
//	Config field   Meaning
//	BaseURL *      PayPro publishes no default host: the API host of your account
//	MerchantID *   the merchantNo, sent as the merchantNo header of every request
//	Secret *       the app secret
//	APIKey         not used
//
// Options (Config.Options):
//
//	Key               Meaning, allowed values                                     Default
//	server_ip         the ipAddress of pay-outs when Extra["ipAddress"] is not    none
//	                  given; an IPv4 or IPv6 address (unset: ipAddress left out)
//	callback_kind     "payin" or "payout": every callback this Client parses is   none
//	                  of that kind (one notify URL per kind, each served by its
//	                  own Client); anything else is refused by New
//	payout_prefix     a tradeNo prefix the merchant reserves for pay-outs: a      none
//	                  callback whose tradeNo starts with it is a pay-out, any
//	                  other a pay-in; PayOut refuses an OrderID without it,
//	                  PayIn one with it (unless callback_kind is set)
//	previous_secrets  comma-separated former secrets callbacks still verify       none
//	                  under, for a rotation
//
// # Operations
//
// A field marked * is required; a missing or malformed one is a *paygate.ValidationError
// naming it, raised before any I/O. Empty optional fields are neither sent nor signed. Every
// call is a POST of a JSON object whose values are all strings. Extra fields of a request
// are sent and signed as given; one that paygate sets itself (or sign, timestamp) is refused.
//
// Amounts are INR, greater than zero, with at most two decimal places, written with trailing
// zeros dropped ("300", "300.5"). PayPro calls decimal amounts "not recommended": they are
// sent as given, and one Warn line is logged (paygate.WithLogger) for each.
//
//	PayIn: POST /v1/paypro/payin (cashier) or, when Direct, /v1/paypro/payinApi (host-to-host)
//	  OrderID *          tradeNo
//	  Amount *           amount
//	  Customer.Name *    name
//	  Customer.Phone *   mobile      10 digits starting with 6 to 9; spaces and dashes removed,
//	                                 a "+91" prefix, or "91" on a 12-digit number, stripped
//	  Customer.Email *   email       an e-mail address
//	  Customer.IP *      ipAddress   an IPv4 or IPv6 address
//	  NotifyURL *        notifyUrl   an absolute http(s) URL
//	  ReturnURL *        returnUrl   an absolute http(s) URL
//	  Remark             remark
//	  result: ProviderOrderID = platFormTradeNo, PaymentURL = paymentLink (also UPIURL when it
//	  is a upi: link), Status from data.status.
//
//	PayOut: POST /v1/paypro/payout
//	  OrderID *                    tradeNo
//	  Amount *                     amount
//	  Beneficiary.Name *           name
//	  Beneficiary.Phone *          mobile      as for PayIn
//	  Beneficiary.Email *          email       an e-mail address
//	  Beneficiary.AccountNumber *  bankNumber
//	  Beneficiary.IFSC *           bankCode    11 characters: 4 capital letters, 0, 6 letters or
//	                                           digits (PayPro's India page defines bankCode as
//	                                           the IFSC code); Beneficiary.BankCode is not used
//	  NotifyURL *                  notifyUrl   an absolute http(s) URL
//	  Extra["ipAddress"]           ipAddress   an IP address; else option server_ip; else left
//	                                           out (the India page marks it required, but its
//	                                           own example request has none)
//	  Remark                       remark
//
//	Query: POST /v1/paypro/queryPayInResult (pay-in), /v1/paypro/queryPayOutResult (pay-out)
//	  OrderID *          tradeNo     PayPro looks orders up by the merchant order number only:
//	                                 a request naming only ProviderOrderID is refused
//	  Kind *             payin or payout
//	  result: Amount = amount, ActualAmount = amount once succeeded (for 0001, what was
//	  actually paid), UTR = utr, CompletedAt = successTime (India time, or milliseconds);
//	  an answer naming another tradeNo, or none, is refused as malformed.
//
//	Balance: POST /v1/paypro/queryBalance
//	  Available = availableAmount, or availablAmount as some of PayPro's pages spell it (one
//	  of them is required in the answer); Frozen = freezeAmount; Pending = unsettledAmount.
//	  Each may arrive as a JSON number or a string and is decoded exactly.
//
// # Limits
//
// PayPro documents no minimum or maximum amount, no order-number length and no request rate
// limit, so none is enforced; amounts have at most two decimal places, and mobile numbers
// are Indian (above).
//
// # Statuses
//
// The envelope's code only says whether the request was accepted; the transaction's state is
// data.status (and a callback's status). RawStatus keeps it as sent.
//
//	PayPro              paygate.Status
//	0000                StatusSucceeded
//	0001                StatusSucceeded: paid, a different amount; the amount reported
//	                    (Order.ActualAmount, Callback.Amount) is what was paid
//	0015                StatusProcessing
//	00032               StatusUnknown (UNKNOWN_ERROR: PayPro itself does not know)
//	any other code      StatusFailed, as PayPro's documentation says (four digits or more)
//	empty, text, or     StatusUnknown (a status sent as a JSON number, 15 for 0015, has
//	fewer digits        lost its leading zeros: it could be any code)
//
// An answer to PayIn or PayOut whose data.status is a failure is a *paygate.ProviderError
// whose Code is data.status and Message data.desc: the order was definitely not taken. An
// accepted create whose data.status is 00032 (PayPro itself does not know), or that has no
// data.status, is paygate.ErrOutcomeUnknown: query the order before doing anything else.
// A query answering 00032 is StatusUnknown.
//
// # Signing
//
// Every request body carries timestamp (13-digit milliseconds, from paygate.WithClock) and
// sign: the lower-case hex MD5 of "k1=v1k2=v2…" over the other non-empty fields in ASCII key
// order, with no separator, the secret appended directly (signing.ConcatMD5).
//
// # Responses
//
// Every answer is the envelope {msg, code, timestamp, success, data}. Code "0000" means
// accepted; "0000" with success false, or success true under any other code, contradicts
// itself (outcome-unknown on a create); any other code is a *paygate.ProviderError with code
// and msg. PayPro's documentation calls every code other than its listed ones an error code,
// a failure: such a code (digits) is a definite refusal, while on PayIn or PayOut a listed
// code (0001, 0015, 00032 UNKNOWN_ERROR) or a code that is not digits is
// paygate.ErrOutcomeUnknown. PayPro documents no business error codes, so no ProviderError is
// classified as paygate.ErrDuplicateOrder or paygate.ErrOrderNotFound.
//
// As for every paygate provider: redirects are never followed (a 3xx is an error naming the
// target host); only a 2xx HTTP status can be a success; on
// PayIn and PayOut any answer that is not plainly "created" or plainly "refused" is
// paygate.ErrOutcomeUnknown, including an answer about another order (another tradeNo) or
// another amount and a success without PayPro's platFormTradeNo; a create success that omits
// the amount reports the requested amount.
//
// # Callbacks
//
// PayPro POSTs JSON to the order's notifyUrl: {status, message, platFormTradeNo, tradeNo,
// amount, successTime, timestamp, sign}, with utr when there is one and channelCode and
// wayCode on pay-ins only. [Client.ParseCallback] verifies sign first (constant time, under
// the current and every previous secret), by the same rule over every other non-empty field
// (numbers as their JSON text, so amount may be a string or a number). Status 0001 is a
// partial pay-in: its amount is what was paid.
//
// Because "k1=v1k2=v2" has no separator, a value could swallow the next member without
// changing the signature. So only the documented keys are accepted (those above and
// merchantNo), a value carrying another documented key followed by "=" is refused,
// and status, tradeNo, platFormTradeNo and amount must be present; a merchantNo (field or
// header) that is not Config.MerchantID is refused. successTime is read as India time; a
// value that cannot be read leaves CompletedAt zero.
//
// PayPro's callbacks do not say which kind they are. Kind is option callback_kind when set;
// else, with payout_prefix set, a tradeNo starting with it is a pay-out and any other a
// pay-in; else a callback carrying channelCode or wayCode, or with status 0001, is a pay-in,
// any other a pay-out. Since nothing signed tells the kind, webhook.Handler confirms PayPro
// callbacks by query by default (webhook.WithoutConfirm turns it off), trying the other kind
// when PayPro refuses the query under the first (it documents no not-found code:
// paygate.MayBeNotFound); for separate notify URLs, mount [Client.ForKind] at each.
//
// The acknowledgement PayPro expects (Callback.Ack) is HTTP 200, text/plain, body "OK". Until
// it gets it, PayPro retries a notification 8 times over about 10 hours.
package paypro
