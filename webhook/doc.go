// Package webhook receives provider callbacks inside any net/http server: it bounds and reads
// the body, has the Gateway verify and normalize it, optionally drops duplicates and confirms
// the status with the provider, hands the callback to the merchant's function, and answers
// the provider exactly as it expects.
//
// # Order of operations
//
// For each request, [Handler] does the following, stopping at the first step that fails:
//
//  1. Method. Anything but POST is answered 405 Method Not Allowed, with "Allow: POST".
//  2. Size. A declared Content-Length over the limit is refused at once; otherwise the body
//     is read through [http.MaxBytesReader] (64 KiB by default, [WithMaxBodyBytes]). Over
//     the limit: 413 Request Entity Too Large. A body that cannot be read: 400.
//  3. Verification. [paygate.Gateway.ParseCallback] checks the signature before anything
//     in the body is trusted. An error matching [paygate.ErrInvalidSignature] is 401
//     Unauthorized; any other error (a body that is not even well-formed) is 400 Bad Request.
//     The merchant's function is never called for either.
//  4. Confirmation ([WithConfirm]; on by default for the gateways whose signatures do not
//     bind every field, CaiPay and PayPro). The provider is asked for the order with
//     [paygate.Gateway.Query], and the function sees the status the provider reports
//     rather than the one the callback claims. A query that fails is 500.
//  5. Deduplication ([WithDeduper]). The [GatewayKey] of the callback, as confirmed, is
//     claimed: the provider, the merchant account the gateway verifies for, the kind, the
//     status and the merchant's order number (never the provider's order number), so that
//     one Deduper serves several providers and merchant accounts. The key is
//     made of the provider's answer rather than the callback's claim, so a body re-split to
//     claim another status or order cannot stand in for the order's real callback, nor be
//     handled again as something new. A callback already handled is answered with the
//     provider's acknowledgement again, without calling the function. A concurrent duplicate
//     waits for the request that holds the key. A deduper that fails is 500. Since
//     confirmation comes first, a duplicate still costs one query.
//  6. The merchant's function. An error is 500 Internal Server Error, so that the provider
//     delivers the callback again later; the claim is released so that the next delivery is
//     handled afresh. Only a nil return marks the callback handled. With a Deduper whose
//     claims are leases ([Holder]: redisstore, pgstore), the claim is renewed while fn runs;
//     if it is lost, fn's context is cancelled with cause [ErrClaimLost]. An fn that then
//     returns an error is answered 500 ([OutcomeClaimLost]) and the callback is released, not
//     marked; an fn that returns nil all the same did the work, and the callback is marked.
//  7. Acknowledgement. The provider's own [paygate.Ack] (status code, content type and body,
//     exactly) is written.
//
// # Status codes
//
//	405  not POST                               fn not called
//	413  body over the limit                    fn not called
//	400  unreadable or malformed body           fn not called
//	401  signature missing or wrong             fn not called
//	500  deduper, query or fn failed, claim lost the provider retries; nothing is marked handled
//	ack  handled now, or handled before         the provider's own answer, e.g. 200 "success"
//	404  NewMux: a provider not configured      fn not called
//
// Error answers are short plain text ("invalid signature", "malformed callback", ...). They
// never carry the underlying error, which could help a forger probe the verifier.
//
// # Logging
//
// With [WithLogger], every request produces exactly one structured line: provider, kind,
// order_id, provider_order_id, status, outcome (see the Outcome constants) and http_status,
// plus confirmed_status when [WithConfirm]'s query reported another status than the callback.
// The order attributes appear only once the callback has verified.
// Lines never contain the secret, the body or the signature values. The error of the
// merchant's function, the deduper or the query is included; of a signature failure only
// its [paygate.SignatureError] reason ("missing", "mismatch", ...) is; a malformed body's
// parse error is left out, since it may quote the body. Verified callbacks are logged at
// Info, refusals (4xx) at Warn, failures (5xx, a panic in fn) at Error.
//
// # Serving several providers
//
// [NewMux] serves every configured gateway under "/callbacks/{provider}" (see [Path]); a
// provider that is not configured is 404.
package webhook
