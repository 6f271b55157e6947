// Package deekpay is paygate's DeekPay provider (deekpay.txt; the same API as the India pages
// of docs.hambit.co): hosted-cashier pay-ins (collecting orders), pay-outs (transfer orders),
// order queries, balance, the bank list, a ping, and verified callbacks.
//
// # Config
//
//   - BaseURL is required: DeekPay publishes no default host (DESIGN.md), and New says so when
//     it is missing.
//   - APIKey is the access_key, Secret the secret_key; both are required. MerchantID is not
//     used: DeekPay identifies the merchant by its access_key.
//   - Options["previous_secrets"] (comma-separated): older secrets callbacks still verify under.
//   - Options["previous_access_keys"] (comma-separated): older access keys callbacks may still
//     name. DeekPay issues access_key and secret_key as a pair, so rotating one rotates both.
//   - Options["callback_tolerance"] (a Go duration, default "5m"): how far a callback's
//     timestamp header may lie from the clock, in the past or in the future.
//
// paygate.WithClock and paygate.WithNonce replace the clock (request timestamps, callback
// freshness) and the UUID v4 nonce generator.
//
// # Signing
//
// Every request carries the headers access_key, timestamp (13-digit milliseconds), nonce
// (UUID v4) and sign = Base64(HMAC-SHA1(secret, "k=v&k=v")) over the JSON body's non-empty
// fields (a GET request's query parameters) plus access_key, timestamp and nonce, in ASCII key
// order (DESIGN.md). They are computed afresh for every attempt: reads are retried by the
// shared transport (per paygate.WithRetry), which calls this package's signer before each
// attempt, so a retry never re-sends an earlier attempt's timestamp and nonce. Creates are
// sent at most once (retried only when the connection could not be made). Bodies are JSON
// with Content-Type application/json;charset=utf-8.
//
// # Decisions where deekpay.txt is silent (DESIGN.md, "DeekPay")
//
//   - Amounts are written Trimmed: at most two places, trailing zeros dropped ("40.2").
//   - PayIn's channelType is PayInRequest.Channel, default UPI; PayOut's is Channel, default
//     BANK. accountType is Beneficiary.AccountType, default INR. ifSC is Beneficiary.IFSC (an
//     11-character IFSC, or a four-letter bank code as in the document's example "YESB"); for
//     channel UPI it is the beneficiary's UPI ID, from Beneficiary.IFSC or AccountNumber.
//   - Status tables: collecting 1 pending, 2 succeeded; transfer 1 pending (accepted),
//     2 processing, 4 failed, 8 succeeded, 16 failed; any other number is StatusUnknown. A text
//     status (callbacks may send "Completed") is mapped by name with MapStatusName.
//   - RawStatus is orderStatus followed by a space and the orderStatusCode text when DeekPay
//     sends one ("8 Success"); SplitRawStatus separates them.
//   - The query endpoints answer with an array of orders: an empty array is a
//     *paygate.ProviderError wrapping paygate.ErrOrderNotFound. Both externalOrderId and
//     orderId are sent, the unknown one empty (hence unsigned). An order is taken only when
//     it carries one of the numbers asked about; a create's answer naming another
//     externalOrderId, and a success envelope on an HTTP error status, are malformed
//     (outcome-unknown for PayIn and PayOut).
//   - The envelope is {"code":"200","success":true,"msg","msgEn","data"}, code a string or a
//     number; anything else is a *paygate.ProviderError with code and msgEn (msg when msgEn
//     is empty). The document lists no error codes: a message saying "duplicate" or "already
//     exists" wraps paygate.ErrDuplicateOrder, "not exist" or "not found"
//     paygate.ErrOrderNotFound; code 429 is retryable on reads; a create refused with a code
//     from 500 to 599, or none, is outcome-unknown.
//   - GET /ping is expected in the envelope like every other endpoint, and accepted bare.
//   - Callbacks carry the order object of the queries; Ack is HTTP 200, application/json,
//     {"code":200,"success":true}. There is no UTR in DeekPay's order object.
//
// Blank-import the package to register it as "deekpay" with paygate.New.
package deekpay
