// Package cashgit is paygate's CashGit provider (cashgit.txt): hosted and UPI-intent pay-ins,
// pay-outs, queries, balance, UTR submission, closing orders and the merchant's UPI accounts,
// and verified callbacks.
//
// Config: MerchantID is the appid, Secret the signing key. BaseURL defaults to
// https://cashgit.com; Options["sandbox"]="true" selects https://test.cashgit.com.
// Options["sign_style"] is "key_param" (default: md5 of "k=v&…&key=SECRET", as cashgit.txt
// documents) or "append" (md5 of "k=v&…SECRET", as the platform's current public code does);
// callbacks verify under either. Options["rate_limit"] is requests per second (default 10,
// the documented per-merchant limit; "0" turns the client-side limiter off).
//
// Blank-import the package to register it as "cashgit" with paygate.New.
package cashgit
