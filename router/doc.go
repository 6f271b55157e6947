// Package router is one paygate.Gateway over several providers: rules say which providers may
// take a request (currency, amount range, kind, hosted or direct, channel, any predicate), a
// weight splits volume among the eligible, a priority orders the fallback, and a circuit per
// provider takes an unhealthy one out of the rotation for a while. An amount in no currency
// is taken in the routes' currency when they share one, and refused as an invalid request
// when they do not.
//
// # Failover never creates an order twice
//
// A create (PayIn, PayOut) moves to the next eligible provider only when the first one
// provably did not create the order:
//
//   - paygate.ErrInvalidRequest or paygate.ErrUnsupported: refused before any I/O;
//   - paygate.ErrNotSent: the request never left (dial, DNS or TLS failure before it was
//     written, a limiter refusal, an open circuit, a context that had ended before the call);
//   - a refusal the provider documents as definite, "not created": by default a rate limit
//     (DefaultDefiniteRefusal: a retryable refusal, HTTP 429, CashGit's and DeekPay's code 429);
//     a closed channel or a daily cap where WithDefiniteRefusal names its codes.
//
// It never moves after paygate.ErrOutcomeUnknown, an HTTP 5xx, a timeout, an unreadable answer,
// a duplicate-order refusal or anything else that may mean "created": the caller gets that
// error and must Query the order (which goes to the same provider) before doing anything else.
// At most WithMaxProviders providers are called per create.
//
// # An order once possibly sent stays with its provider
//
// The order number is the merchant's, and the caller may create the same order again (a
// network blip, a retry after ErrOutcomeUnknown, another replica). Once an attempt of an
// order may have reached a provider, that order belongs to that provider for good: every later
// create of the same kind and order number goes to that provider only, whatever the rules,
// the volume split and the circuits say now, and its duplicate-order refusal answers an order
// it already has. It is never failed over: when that provider is unavailable (its circuit is
// open) the create fails with a *paygate.NotSentError matching ErrOrderHeld, and nothing is
// sent elsewhere. Only an attempt that provably created nothing (the cases above) lets the
// order move to the next provider, and a create that created nothing anywhere leaves the
// order to no provider.
//
// The Store keeps this: the router claims the order for a provider before sending it there
// (Store.ClaimProvider, atomic, so two replicas creating the same order at once agree on one
// provider) and moves the claim only after a provable "not created", compared with the
// record's version (Store.MoveProvider), so a concurrent attempt at the holder is never
// overruled. When the index cannot be read or written, the create is refused, not sent,
// rather than guessed.
//
// # Queries, balances and callbacks
//
// Results name the provider that took the order (Provider on PayInResult, PayOutResult and
// Order). The router records order → provider in its Store before each attempt (memory by
// default; redisstore and pgstore for several replicas), so Query goes back to the provider
// that holds the order; QueryRequest.Provider names it explicitly (the router's own Name, which
// a tracker over the router sets, counts as unset); an order the index does not know is
// looked for at each provider, and is paygate.ErrOrderNotFound only when every provider asked
// said so. Balance answers per
// provider: call Balances (Balance itself returns paygate.ErrUnsupported, so Capabilities
// reports Balance false). Callbacks stay per provider: mount webhook.NewMux over Gateways
// (ParseCallback returns paygate.ErrUnsupported, so Capabilities reports Callbacks false),
// and give each Route its NotifyURL (webhook.Path), used where the request has none, since
// the provider is chosen after the request is built.
//
// # Health
//
// Each provider (each merchant account at it, by paygate.LimiterKey) has a circuit breaker with
// the state machine of github.com/sony/gobreaker/v2 (closed, open, half-open; its Counts and
// SharedState types), driven by an injectable clock. Transport failures, HTTP 5xx,
// outcome-unknown creates and the provider's silence past Config.Timeout
// (paygate.ErrProviderTimeout, also while connecting) count as failures; the merchant's own
// validation errors, the provider's definite refusals, and any failure once the caller
// cancelled its context (a customer closing the checkout page while the create was at the
// provider) never do; a caller's deadline passing after the request was written does count, as
// the provider's slowness, while one passing before it left (a limiter wait, a connection not
// yet made) counts neither way. An open circuit skips the provider before any I/O, which is
// "not sent", so the next eligible provider is tried (unless the order is already held by that
// provider, see above). A half-open circuit whose probes have not all reported within Timeout
// lets a new round through (a probe whose replica died never reports). With WithBreakerStore
// (redisstore.BreakerStore implements gobreaker.SharedDataStore) every replica sees the same
// breaker state. The store takes no context: a create waits for it until its own context ends
// or 500 ms pass, then decides on this replica's state (the shared step finishes apart, its
// outcome still recorded), and a store that failed or was that slow is left alone for 5 s;
// while 8 shared steps of a circuit are under way, further ones are taken on this replica's
// state.
//
// Every routing decision is logged once through log/slog and reported to
// paygate.Observer.Route when WithObserver is given.
package router
