// Package paygate is one API for the payment aggregators that Indian and Pakistani merchants
// integrate: CaiPay, DeekPay, PayPro, CashGit and Cashy.
//
// A merchant backend codes against [Gateway]: it takes money in ([Gateway.PayIn]), sends money
// out ([Gateway.PayOut]), asks where an order stands ([Gateway.Query]), reads its balance
// ([Gateway.Balance]) and verifies the provider's callbacks ([Gateway.ParseCallback]). Which
// provider answers is a matter of [Config]: blank-import the provider packages (or
// github.com/paygate-go/paygate/providers for all five) and call [New].
//
// The rules paygate keeps for you:
//
//   - Money is exact. [Money] holds a decimal amount and a currency; it never passes through
//     binary floating point, and [Money.Format] refuses to round.
//   - Signatures are strict. Callbacks are verified, in constant time, before anything in them
//     is read; a failure is [ErrInvalidSignature].
//   - Uncertain outcomes are said so. A pay-in or pay-out whose request may have reached the
//     provider but whose answer was lost is [ErrOutcomeUnknown]: Query before retrying. Creating
//     an order is never re-sent by paygate.
//   - Secrets stay secret. [Config] redacts them in String, GoString and slog output, and no
//     error or log line carries a secret or a full signature.
package paygate
