// Package cashgit is paygate's CashGit provider (cashgit.txt): hosted and UPI-intent pay-ins,
// pay-outs, queries, balance, UTR submission, closing orders and the merchant's UPI accounts,
// and verified callbacks.
//
// Config: MerchantID is the appid, Secret the signing key. BaseURL defaults to
// https://cashgit.com; Options["sandbox"]="true" selects https://test.cashgit.com.
// Options["sign_style"] is "key_param" (default: md5 of "k=v&…&key=SECRET", as cashgit.txt
// documents) or "append" (md5 of "k=v&…SECRET", as the platform's current public code does);
// callbacks verify under either. Options["rate_limit"] is requests per second (default 10,
// the documented per-merchant limit; "0" turns the client-side limiter off). A call that
// would have to wait for the limiter past its context's deadline fails at once, unsent, with
// an error that matches context.DeadlineExceeded. Options["previous_secrets"] (comma-separated)
// are accepted on callbacks too.
//
// Decisions recorded in DESIGN.md ("CashGit") and applied here: the sign_style option and
// callbacks verifying under either style; the envelope {code, message, data, timestamp} where
// any code but 200 is a *paygate.ProviderError with cashgit.txt's meaning (409 wraps
// paygate.ErrDuplicateOrder, 404 paygate.ErrOrderNotFound, 429 is Retryable for reads only,
// 5xx on a create is outcome-unknown); limits enforced before I/O (orderid 6–32 characters,
// amount 10.00–50000.00 INR with at most two decimals, an 11-character IFSC for pay-outs);
// both status tables in either case, anything else paygate.StatusUnknown; callback numbers
// (paytime, completed_at) signed as their JSON text; Ack HTTP 200, text/plain, "success".
//
// A success is trusted only when its data names the order asked about (and, for Balance,
// carries available_balance); anything else is a malformed response, outcome-unknown for
// PayIn and PayOut. A pay-out callback is told from a pay-in one by its signed, non-empty
// pay-out fields (fee, actual_amount, completed_at).
//
// Blank-import the package to register it as "cashgit" with paygate.New.
package cashgit
