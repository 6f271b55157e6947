package webhook

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/named"
)

// PathPrefix is where NewMux serves callbacks: PathPrefix + provider name.
const PathPrefix = "/callbacks/"

// Pattern is the http.ServeMux pattern NewMux registers. The {provider} wildcard is the
// Gateway's Name.
const Pattern = PathPrefix + "{provider}"

// KindPattern is the pattern of NewMux's address for one kind of a provider's callbacks
// ("/callbacks/caipay/payout"), served through the gateway's ForKind.
const KindPattern = Pattern + "/{kind}"

// Path returns the path NewMux serves provider's callbacks at, "/callbacks/" + provider, or
// with a kind "/callbacks/" + provider + "/" + kind: the address of that kind's callbacks
// alone. Build the NotifyURL of pay-ins and pay-outs with [NotifyURL], which joins it to a
// base URL.
func Path(provider string, kind ...paygate.Kind) string {
	if len(kind) > 0 && kind[0] != "" {
		return PathPrefix + provider + "/" + string(kind[0])
	}
	return PathPrefix + provider
}

// NotifyURL returns the URL at which NewMux, served at base (the merchant's public URL,
// "https://shop.example" or "https://shop.example/"), receives provider's callbacks:
// "https://shop.example/callbacks/" + provider, or with a kind the address of that kind's
// callbacks alone ("…/callbacks/caipay/payout"). Give each order the address of its kind
// where the provider's callbacks do not tell the kind (CaiPay, PayPro) and a pay-in and a
// pay-out may share an order number: at the provider's one address, the confirming query
// cannot tell them apart. The path is joined to the base's path without
// its trailing slashes (a path with "//" is redirected by an http.ServeMux, never handled,
// and a provider's callback sender need not follow a redirect); a query string of the base
// is kept after it, and a fragment, which is never sent, dropped. A base without a scheme
// ("localhost:8080"), or that is no URL, is joined as text by the same rules.
func NotifyURL(base, provider string, kind ...paygate.Kind) string {
	path := Path(provider, kind...)
	u, err := url.Parse(base)
	if err != nil || u.Opaque != "" { // "localhost:8080" parses as scheme "localhost"
		base, _, _ = strings.Cut(base, "#")
		base, query, hasQuery := strings.Cut(base, "?")
		joined := strings.TrimRight(base, "/") + path
		if hasQuery && query != "" {
			joined += "?" + query
		}
		return joined
	}
	escaped := strings.TrimRight(u.EscapedPath(), "/") + path // the base's escapes kept
	if u.Path, err = url.PathUnescape(escaped); err != nil {
		return strings.TrimRight(base, "/") + path
	}
	u.RawPath, u.Fragment, u.RawFragment, u.ForceQuery = escaped, "", "", false
	return u.String()
}

// NewMux returns an http.ServeMux serving the callbacks of every gateway in gws at
// "/callbacks/{provider}" (see [Path]), each through a [Handler] built with opts, and one kind
// of them at "/callbacks/{provider}/payin" and ".../payout" through the gateway's ForKind
// (every paygate client has it). fn is told which provider the callback came from. A path
// naming a provider that is not among gws, or another kind, is 404 Not Found; any other path
// is the ServeMux's own 404.
//
// The options are shared: one Deduper and one logger serve all gateways ([Key] includes the
// provider's name, so their callbacks never collide). The mux can be served as it is or
// mounted in the merchant's own mux with mux.Handle(webhook.PathPrefix, m).
//
// It panics if a gateway is nil, two gateways have the same Name, or fn is nil: mistakes in
// the program's wiring, caught at start-up as http.ServeMux catches conflicting patterns.
func NewMux(fn func(ctx context.Context, provider string, cb *paygate.Callback) error, gws []paygate.Gateway, opts ...Option) *http.ServeMux {
	if fn == nil {
		panic("webhook: NewMux with nil func")
	}
	handlers := make(map[string]http.Handler, 3*len(gws)) // by Path
	for name, gw := range named.Gateways("webhook: NewMux", gws) {
		tell := func(ctx context.Context, cb *paygate.Callback) error { return fn(ctx, name, cb) }
		handlers[Path(name)] = Handler(gw, tell, opts...)
		if k, ok := gw.(interface {
			ForKind(paygate.Kind) paygate.Gateway
		}); ok {
			for _, kind := range []paygate.Kind{paygate.KindPayIn, paygate.KindPayOut} {
				handlers[Path(name, kind)] = Handler(k.ForKind(kind), tell, opts...)
			}
		}
	}
	serve := func(w http.ResponseWriter, r *http.Request) {
		h, ok := handlers[Path(r.PathValue("provider"), paygate.Kind(r.PathValue("kind")))]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(Pattern, serve)
	mux.HandleFunc(KindPattern, serve)
	return mux
}
