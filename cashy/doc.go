// Package cashy is paygate's Cashy provider for Pakistani rupees (PKR): pay-ins through
// Cashy's pay desk or a payment code, pay-outs to wallets and banks, queries of both, the
// merchant's balance, and verified webhooks, supplementary (PATCH) payments included.
// Cashy's public documentation is at https://docs.cashypro.com.
//
// Blank-import the package to register it as "cashy" with paygate.New.
//
// # Config
//
//	Config field   Meaning
//	BaseURL *      an absolute http(s) URL: Cashy gives each merchant a host, there is no
//	               default
//	MerchantID *   sent as the MerchantId header; webhooks must name the same in their
//	               MerchantId header and merchantId field
//	Secret *       the signing key
//	APIKey         not used
//
// Options (Config.Options):
//
//	Key               Meaning, allowed values                                     Default
//	pay_type          the payType sent when PayInRequest.Channel is empty: a      36
//	                  positive integer
//	previous_secrets  comma-separated former secrets webhooks still verify        none
//	                  under, for a rotation
//
// paygate.WithNonce replaces the nonceStr generator (32 random hex characters by default;
// at most 32 characters).
//
// # Operations
//
// A field marked * is required; a missing or malformed one is a *paygate.ValidationError
// naming it, raised before any I/O. Amounts are PKR, 100.00 to 50000.00, with at most two decimal places, written as a
// JSON string with two ("100.00"). Every request carries a fresh nonceStr. Extra fields of a
// request are added to the body as given; one that paygate sets itself is refused.
//
//	PayIn: POST /api/payIn
//	  OrderID *            mchOrderNo      at most 32 characters
//	  Amount *             amount
//	  Customer.Name *      realName        at most 32 characters
//	  Customer.Phone *     phone           at most 32 characters
//	  Customer.Email *     email           at most 32 characters
//	  Customer.IDNumber *  idCard          at most 32 characters
//	  Customer.IDType      idType          at most 32 characters
//	  NotifyURL *          notifyUrl       an absolute http(s) URL, at most 250 characters
//	  Channel              payType         a positive integer, sent as a JSON number;
//	                                       default option pay_type (36)
//	  ExpiresIn            expireTime      whole seconds, at least 1s, sent as a JSON number;
//	                                       default 3600
//	  Remark               remark          at most 32 characters; Cashy requires remark but
//	                                       gives it no meaning: empty is sent as "payin"
//	  (fixed)              currency "PKR", reusableStatus false
//	  Direct, ReturnURL and Customer.IP: Cashy has no such field; Direct is
//	  paygate.ErrUnsupported, the others are not sent.
//	  result: PaymentURL = payDeskUrl (else payUrl), PayCode = payCode, ProviderOrderID =
//	  orderNo, ExpiresAt = the time sent plus the expiry, Status pending (or orderStatus).
//
//	PayOut: POST /api/payOut
//	  OrderID *                    mchOrderNo    at most 32 characters
//	  Amount *                     amount
//	  Beneficiary.Name *           accountName
//	  Beneficiary.AccountNumber *  accountNo
//	  Beneficiary.AccountType *    accountType   e.g. EASYPAISA
//	  Beneficiary.BankCode *       bankId        sent as given, as a string
//	  NotifyURL *                  notifyUrl     an absolute http(s) URL, at most 250 characters
//	  Remark                       remark        at most 32 characters; empty is sent as "payout"
//	  (fixed)                      currency "PKR"
//	  Channel has no Cashy field and is not sent.
//	  result: Status processing (or orderStatus), Fee = fee.
//
//	Query: POST /api/payInQuery (pay-in), /api/payOutQuery (pay-out)
//	  OrderID            mchOrderNo    at most 32 characters  } at least one of the two;
//	  ProviderOrderID    orderNo       at most 32 characters  } each sent when given
//	  Kind *             payin or payout
//	  result: Amount = amount, Fee = fee, ActualAmount = amount once succeeded, UTR =
//	  channelOrderNo, CompletedAt = completionTime read as Pakistan time (UTC+5); an answer
//	  naming another order, or none, or not the one asked by (a query by OrderID answered
//	  with an orderNo alone), or another merchantId, is refused as malformed.
//
//	Balance: POST /api/getBalance
//	  Available = balance (required in the answer), Pending = unBalance (not yet settled),
//	  Frozen is zero (Cashy reports none).
//
// # Limits
//
// One order is 100.00 to 50000.00 PKR with at most two decimal places; mchOrderNo, remark,
// nonceStr and the customer's fields are at most 32 characters, notifyUrl at most 250.
// Cashy documents no request rate limit.
//
// # Statuses
//
// Anything unlisted is paygate.StatusUnknown, never a success. RawStatus keeps orderStatus as
// sent.
//
//	Pay-in               paygate.Status       Pay-out                       paygate.Status
//	PAYING               StatusPending        PROCESSING, WAITING, PAYING   StatusProcessing
//	SUCCESS              StatusSucceeded      SUCCESS                       StatusSucceeded
//	FAIL                 StatusFailed         FAIL                          StatusFailed
//	                                          CANCEL                        StatusCancelled
//
// # Signing
//
// Every request carries the headers MerchantId and Sign: the upper-case hex MD5 of the exact
// request body bytes followed by the secret. The body is encoded once, and the bytes hashed
// are the bytes sent.
//
// # Responses
//
// Every answer is the envelope {code, msg, data}: code 200 is a success; any other code is a
// *paygate.ProviderError with Cashy's msg (Sign_verify_error, Payin_Order_Error, ...).
//
// Cashy writes code 500 for its business refusals, but a failing server writes 500 too, and
// Cashy's documentation names a single refusal message (Payin_Order_Error). paygate therefore
// lets the message decide whether a 500 refuses: Payin_Order_Error, Payout_Order_Error,
// Sign_verify_error (compared without regard to case) and a msg saying the order does not
// exist (not_exist, not_found; it wraps paygate.ErrOrderNotFound) are definite refusals. On
// PayIn and PayOut every other 500 — "Internal Server Error", "timeout", "System error, please
// query the order", System_busy, no msg — and every code other than 200 and 500 is
// paygate.ErrOutcomeUnknown: query the order before sending it again. On reads these are
// *paygate.ProviderError as before; System_busy is retryable. An HTTP 5xx status, a timeout
// or an unreadable answer to a create is paygate.ErrOutcomeUnknown as well. Cashy documents
// no message for a duplicate order.
//
// As for every paygate provider: redirects are never followed (a 3xx is an error naming the
// target host); only a 2xx HTTP status can be a success; on
// PayIn and PayOut any answer that is not plainly "created" or plainly "refused" is
// paygate.ErrOutcomeUnknown, including an answer about another order (another mchOrderNo),
// another merchant (merchantId) or another amount and a success without Cashy's orderNo; a
// create success that omits the amount reports the requested amount.
//
// # Callbacks
//
// Cashy POSTs JSON webhooks to the order's notifyUrl with the headers MerchantId and Sign.
// [Client.ParseCallback] checks Sign before reading the body at all: the upper-case hex MD5 of
// the raw body bytes followed by the secret, under the current and every previous secret,
// compared in constant time and case-insensitively. The raw bytes are signed, so nothing in
// the body can be re-split. Every sample signature in Cashy's documentation is the same
// placeholder, so none of them can serve as a test vector: the rule above, as Cashy states
// it, is what is checked. A webhook whose MerchantId header or merchantId field names another merchant is
// refused; mchOrderNo, orderNo, orderStatus and amount must be present.
//
// Amounts and fees arrive as JSON numbers (20000.00, 2500.0000) and are decoded exactly;
// completionTime is Pakistan time; UTR is channelOrderNo. orderType PATCH is a supplementary
// payment (the customer paid another amount, or paid twice), with an OrderID of its own (the
// original's with a serial appended) and ParentOrderID the original's. Cashy's prose and its
// sample webhook disagree on which of mchOrderNo and patchMchOrderNo carries the serial;
// whichever is the other's prefix is the original, so a deduplicating handler never takes
// the second payment for the first. patchMchOrderNo must be present. Kind:
// an orderNo starting "PAYOUT" or "PAYIN" decides it; otherwise a webhook carrying pay-out
// fields (accountNo, accountName, accountType, bankId) is a pay-out and any other a pay-in.
// All of this is signed, so [Client.ForKind] refuses a webhook of the other kind.
//
// The acknowledgement Cashy expects (Callback.Ack) is HTTP 200, text/plain, body "SUCCESS"
// (Cashy counts 200, 301 and 302 as received).
package cashy
