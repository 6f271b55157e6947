// Package cashy is paygate's Cashy provider (cashy.txt; docs.cashypro.com): Pakistani rupee
// pay-ins through Cashy's pay desk or a payment code, pay-outs to wallets and banks, queries of
// both, the merchant's balance, and verified webhooks, supplementary (PATCH) payments included.
//
// Config:
//   - BaseURL is required: Cashy gives each merchant a host and there is no default
//     (DESIGN.md, "Cashy").
//   - MerchantID is sent as the MerchantId header and must match the webhooks' MerchantId
//     header and merchantId field.
//   - Secret signs: Sign = upper-case hex MD5 of the exact request body bytes followed by the
//     secret. The body is encoded once and the bytes hashed are the bytes sent.
//   - APIKey is not used.
//   - Options["pay_type"]: the payType sent when PayInRequest.Channel is empty (default 36).
//   - Options["previous_secrets"]: comma-separated former secrets that webhooks still verify
//     under during a rotation.
//
// Decisions (DESIGN.md, "Cashy", and where the documents are silent):
//   - Every amount is PKR, 100.00 to 50000.00, written with two decimals as a JSON string
//     ("100.00", as cashy.txt's request example quotes it); payType and expireTime are JSON
//     numbers and reusableStatus is false, as cashy.txt types them.
//   - Every pay-in field cashy.txt marks Y is checked before any I/O. remark is required by
//     Cashy but carries no meaning for it: an empty Remark is sent as "payin" (pay-out:
//     "payout"). ExpiresIn defaults to 3600 s and must be whole seconds. nonceStr is 32 random
//     hex characters, or paygate.WithNonce's value (at most 32 characters).
//   - Pay-out fields come from Cashy's public documentation per DESIGN.md; their lengths are
//     not documented, so only mchOrderNo, remark, nonceStr (32) and notifyUrl (250) are bounded.
//   - The envelope is {code, msg, data}: code 200 is success; any other code is a
//     *paygate.ProviderError with Cashy's msg (Sign_verify_error, Payin_Order_Error, ...).
//     Cashy writes code 500 for business refusals, so an envelope code is a definite refusal,
//     while an HTTP 5xx status, a timeout or an unreadable answer to a create is
//     paygate.ErrOutcomeUnknown. System_busy is Retryable on reads and outcome-unknown on
//     creates. Cashy documents no message for a duplicate order; a msg saying the order does
//     not exist (not_exist, not_found) is paygate.ErrOrderNotFound.
//   - Webhooks: see Client.ParseCallback for how a pay-out webhook is told from a pay-in one.
//     Ack is HTTP 200, text/plain, body SUCCESS.
//
// Blank-import the package to register it as "cashy" with paygate.New.
package cashy
