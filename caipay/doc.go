// Package caipay is paygate's CaiPay provider for Indian rupees (INR): hosted and H2H (UPI
// intent) pay-ins, pay-outs to bank accounts, pay-in and pay-out searches, UTR submission
// ([Client.SubmitUTR]), and verified callbacks. CaiPay has no balance endpoint: Balance is
// paygate.ErrUnsupported. What follows states the rules of CaiPay's API document (given to
// merchants; paygate knows no public address for it) as this package applies them.
//
// Blank-import the package to register it as "caipay" with paygate.New.
//
// # Config
//
//	Config field   Meaning
//	MerchantID *   the tenantId, sent with every request
//	APIKey *       the token, sent with every request and carried by every callback
//	Secret *       the signing key
//	BaseURL        the host only, default https://cai-pay.net (ProductionURL); the paths
//	               /api/cai/out/v1/... are added
//
// Options (Config.Options): only "previous_secrets", comma-separated former secrets that
// callbacks still verify under during a rotation (default none).
//
// # Operations
//
// A field marked * is required; a missing or malformed one is a *paygate.ValidationError
// naming it, raised before any I/O. Amounts are INR, greater than zero, with at most two
// decimal places, written with two ("100.00"). Extra fields of a request are sent and signed
// as given; one that paygate sets itself (or signKey, token, tenantId) is refused. CaiPay
// asks for HTTPS callback URLs; http is accepted here (CaiPay will refuse it) so that local
// receivers work.
//
//	PayIn: GET /api/cai/out/v1/payIn (hosted) or, when Direct, /api/cai/out/v1/payIn-H2H,
//	parameters form-encoded in the query string
//	  OrderID *          customerOrderNo
//	  Amount *           amount
//	  NotifyURL *        callbackUrl     an absolute http(s) URL
//	  Customer.Name *    rechargeName
//	  Customer.Email *   rechargeEmail
//	  Customer.Phone *   rechargePhone
//	  ReturnURL, Remark and Channel have no CaiPay field and are not sent.
//	  result: ProviderOrderID = platOrderNo; hosted: PaymentURL = url (required); H2H:
//	  UPIURL = upi, the Paytm intent through PaytmURL (one of them required), ExpiresAt =
//	  expireTime read as India time (+05:30).
//
//	PayOut: POST /api/cai/out/v1/payOut, JSON
//	  OrderID *                    customerOrderNo  sent although CaiPay's field list omits
//	                                                it: the answer and the search need it
//	  Amount *                     orderAmount
//	  Beneficiary.Name *           bankAccountName
//	  Beneficiary.AccountNumber *  bankAccountNumber
//	  Beneficiary.IFSC *           payIfsc          11 characters: 4 capital letters, 0, 6
//	                                                letters or digits
//	  Beneficiary.Email *          payEmail
//	  Beneficiary.Phone *          payPhone
//	  NotifyURL *                  callbackUrl      an absolute http(s) URL
//
//	Query: GET /api/cai/out/v1/searchPayInResult (pay-in), .../searchPayOutResult (pay-out)
//	  OrderID *          customerOrderNo  CaiPay looks orders up by the merchant order number
//	                                      only: a request naming only ProviderOrderID is refused
//	  Kind *             payin or payout
//	  result: Amount = amount, ActualAmount = actualAmount, UTR = utr ("None" is no UTR); an
//	  answer naming another tenantId or customerOrderNo, or no customerOrderNo, is refused
//	  as malformed.
//
//	SubmitUTR(platformOrderID * (the platOrderNo, sent as transId), utr * (12 digits)):
//	  POST /api/cai/out/v1/submitUtr, JSON; CaiPay's document lists only transId and UTR:
//	  token, tenantId and signKey are sent too. It cannot move money: retried like a read.
//
// # Limits
//
// CaiPay documents no order-number length, no minimum or maximum amount and no request rate
// limit (only that amounts have two decimal places), so none is enforced.
//
// # Statuses
//
// One table for orders and callbacks alike; anything else is paygate.StatusUnknown, never a
// success. RawStatus keeps the value as sent.
//
//	CaiPay        paygate.Status
//	PENDING       StatusPending
//	PROCESSING    StatusProcessing
//	SUCCESS       StatusSucceeded
//	FAILED        StatusFailed
//	REVERSED      StatusReversed
//
// # Signing
//
// Every request carries token and tenantId, and signKey: the lower-case hex MD5 of the
// values (not the keys) of all non-empty parameters but signKey, in ASCII key order,
// followed by the secret (signing.ValuesMD5). Transport errors never quote a pay-in's query
// string, which carries the token and signKey.
//
// # Responses
//
// Every answer is the envelope {code, msg, data, ok}. Code 0 (CaiPay's examples) or 200 (its
// code table's "Success") with ok true is a success; a success code without ok true, or ok
// true under any other code, contradicts itself (outcome-unknown on a create). Any other code
// is a *paygate.ProviderError with code and msg (or, when msg is empty, the meaning of
// CaiPay's system codes 400, 401, 403, 500). Only 400, 401 and 403 are definite refusals: on
// PayIn or PayOut, 500 and any code CaiPay does not list are paygate.ErrOutcomeUnknown.
// CaiPay documents no business error codes, so no refusal is
// classified as paygate.ErrDuplicateOrder or paygate.ErrOrderNotFound. orderAmount arrives
// as a string in one answer and a number in another: both are decoded exactly.
//
// As for every paygate provider: redirects are never followed (a 3xx is an error naming the
// target host); only a 2xx HTTP status can be a success; on
// PayIn and PayOut any answer that is not plainly "created" or plainly "refused" is
// paygate.ErrOutcomeUnknown, including an answer about another order (another
// customerOrderNo) or another amount and a success without CaiPay's platOrderNo; a create
// success that omits the amount reports the requested amount.
//
// # Callbacks
//
// CaiPay POSTs JSON to the order's callbackUrl, with the fields customerOrderNo,
// platOrderNo, orderStatus, orderAmount, payUtrNo, description, orderMessage, token and
// signKey. [Client.ParseCallback] verifies signKey first (constant time, under the current
// and every previous secret), by the same rule over every other non-empty field, token
// included; a callback whose token is not Config.APIKey is refused as an invalid signature.
//
// Because the signature covers the values only, a key could be renamed, or a value moved
// into its neighbour, without changing it. So only the documented keys above are accepted
// (any other key is refused as malformed), a value carrying another documented key followed
// by "=" is refused, and customerOrderNo, platOrderNo, orderStatus and orderAmount must be
// present. payUtrNo "None" is no UTR.
//
// CaiPay's pay-in and pay-out callbacks have the same fields, so nothing signed tells the
// kind: ParseCallback reports KindPayIn. Give CaiPay one callbackUrl for pay-ins and another
// for pay-outs, and parse each with [Client.ParseCallbackKind] or mount [Client.ForKind] at
// each with webhook.Handler (webhook.NewMux serves webhook.NotifyURL(base, "caipay", kind) so). webhook.Handler also confirms CaiPay callbacks by query by
// default (webhook.WithoutConfirm turns it off), trying the other kind when CaiPay refuses the
// query under the first (it documents no not-found code: paygate.MayBeNotFound), and
// deduplicates on the query's answer. No shape check can tell
// where one value ends and the next begins (a character moved from customerOrderNo into
// description keeps the signature): a parsed callback is a claim, the query's answer the fact.
//
// The acknowledgement CaiPay expects (Callback.Ack) is HTTP 200, text/plain, body exactly
// "success".
package caipay
