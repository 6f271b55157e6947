// Package caipay is paygate's CaiPay provider (caipay.txt): hosted and H2H (UPI intent)
// pay-ins, pay-outs, pay-in and pay-out searches, UTR submission, and verified callbacks.
// CaiPay has no balance endpoint: Balance is paygate.ErrUnsupported.
//
// Config: MerchantID is the tenantId, APIKey the token, Secret the signing key; all three are
// required. BaseURL is the host only (default https://cai-pay.net); the paths
// /api/cai/out/v1/... are added. Options["previous_secrets"] (comma-separated) are accepted
// on callbacks during a secret rotation. There are no other options.
//
// Decisions of DESIGN.md ("CaiPay") applied here:
//   - signKey is signing.ValuesMD5: the values of all non-empty parameters but signKey, in
//     ASCII key order, followed by the secret, lower-case hex MD5.
//   - Pay-ins are GET with the parameters form-encoded in the query string (payIn, or
//     payIn-H2H when PayInRequest.Direct); pay-outs and submitUtr are POST JSON; searches GET.
//     Transport errors never quote the query string, which carries the token and signKey.
//   - Pay-outs send customerOrderNo, which caipay.txt's field list omits; submitUtr sends
//     token, tenantId and signKey besides transId and UTR.
//   - The envelope {code, msg, data, ok}: code other than 0 or ok not true is a
//     *paygate.ProviderError. Amounts are written Fixed2 ("100.00") and read whether they
//     come as strings or numbers; utr "None" is no UTR.
//   - Statuses PENDING, PROCESSING, SUCCESS, FAILED, REVERSED map to pending, processing,
//     succeeded, failed, reversed; anything else is unknown.
//   - Callbacks: signKey over every other non-empty field, token included; a callback whose
//     token is not Config.APIKey is refused as an invalid signature. Ack: HTTP 200,
//     text/plain, body exactly "success".
//
// Where caipay.txt is silent:
//   - The pay-in and pay-out callback samples are identical. ParseCallback reports KindPayIn
//     unless the body carries a pay-out beneficiary field (bankAccountName, bankAccountNumber,
//     payIfsc, payEmail, payPhone), as the sandbox's pay-out callbacks do. In production, give
//     CaiPay one callbackUrl for pay-ins and another for pay-outs and parse each with
//     ParseCallbackKind, or mount ForKind(kind) with webhook.Handler.
//   - The H2H answer's Paytm intent has no field in paygate.PayInResult: PaytmURL reads it
//     from the result's Raw body. expireTime is India Standard Time (+05:30).
//   - No business error codes are documented, so a refusal carries no ErrDuplicateOrder or
//     ErrOrderNotFound classification; a create refused with a 5xx code is outcome-unknown.
//   - No order-number or amount limits are documented beyond "two decimal places", so none
//     are enforced. caipay.txt asks for HTTPS callback URLs; http is accepted (the provider
//     will refuse it) so that local receivers work.
//
// Blank-import the package to register it as "caipay" with paygate.New.
package caipay
