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
//   - Config is strict. [LoadConfig] refuses an unknown key or option, naming the nearest known
//     one and the line; each provider declares its options ([OptionSpec], [OptionSpecs]).
//
// # Errors
//
// Every error paygate returns is one of these, matched with [errors.Is] or [errors.As]. Each
// begins with "paygate: provider operation: " once, however deeply it is wrapped.
//
//	Error                     Match with                        What to do
//	*ValidationError          errors.Is(err, ErrInvalidRequest) Fix the request: nothing was sent. Problems lists
//	                                                            every field at fault; Field names the first.
//	*NotSentError             errors.Is(err, ErrNotSent)        This request never left (connection refused, DNS,
//	                                                            TLS, limiter, open circuit): send it again to the
//	                                                            same provider; to another only if no earlier send
//	                                                            of the order number may have reached one.
//	*OutcomeError             errors.Is(err, ErrOutcomeUnknown) A create may have reached the provider (timeout,
//	                                                            reset, 5xx, unreadable answer): Query the order
//	                                                            before deciding; never re-send it blindly.
//	*ProviderError            errors.As(err, &pe)               The provider said no; on a create, nothing was
//	                                                            created. pe.Code and pe.Message say why; Retryable
//	                                                            marks a refusal worth repeating later (rate limit).
//	  wrapping ErrDuplicateOrder                                The order number exists already: Query it.
//	  wrapping ErrOrderNotFound                                 Query: the provider has no such order (of that kind).
//	*ResponseError            errors.Is(err, ErrMalformedResponse) A read's answer could not be read (HTML page,
//	                                                            truncated JSON): retry the read later. On a create
//	                                                            it arrives inside an *OutcomeError.
//	*CallError                errors.As(err, &ce)               Any other failure of a read (transport error,
//	                                                            cancelled context, which it wraps): retry later.
//	  wrapping ErrProviderTimeout                               The provider did not answer within Config.Timeout
//	                                                            (the caller's context is still live).
//	*SignatureError           errors.Is(err, ErrInvalidSignature) A callback (or response) signature did not
//	                                                            verify: answer 401, trust nothing in the body.
//	ErrMalformedCallback      errors.Is                         A callback too broken to verify: answer 400.
//	ErrUnsupported            errors.Is                         The provider has no such operation: check
//	                                                            Gateway.Capabilities first.
//	*ConfigError              errors.Is(err, ErrInvalidConfig)  LoadConfig, New or a provider's New refused the
//	                                                            config: Field (and Line, from a file) say where.
//	ErrBadAmount, ErrUnknownCurrency  errors.Is                 ParseMoney refused the amount or currency.
//
// The example of this package named "errorHandling" is a checkout function that handles each.
package paygate
