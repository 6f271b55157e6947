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

// Path returns the path NewMux serves provider's callbacks at, "/callbacks/" + provider. Build
// the NotifyURL of pay-ins and pay-outs with [NotifyURL], which joins it to a base URL.
func Path(provider string) string { return PathPrefix + provider }

// NotifyURL returns the URL at which NewMux, served at base (the merchant's public URL,
// "https://shop.example" or "https://shop.example/"), receives provider's callbacks:
// "https://shop.example/callbacks/" + provider. The path is joined to the base's path without
// its trailing slashes (a path with "//" is redirected by an http.ServeMux, never handled,
// and a provider's callback sender need not follow a redirect); a query string of the base
// is kept after it, and a fragment, which is never sent, dropped. A base without a scheme
// ("localhost:8080"), or that is no URL, is joined as text by the same rules.
func NotifyURL(base, provider string) string {
	u, err := url.Parse(base)
	if err != nil || u.Opaque != "" { // "localhost:8080" parses as scheme "localhost"
		base, _, _ = strings.Cut(base, "#")
		base, query, hasQuery := strings.Cut(base, "?")
		joined := strings.TrimRight(base, "/") + Path(provider)
		if hasQuery && query != "" {
			joined += "?" + query
		}
		return joined
	}
	escaped := strings.TrimRight(u.EscapedPath(), "/") + Path(provider) // the base's escapes kept
	if u.Path, err = url.PathUnescape(escaped); err != nil {
		return strings.TrimRight(base, "/") + Path(provider)
	}
	u.RawPath, u.Fragment, u.RawFragment, u.ForceQuery = escaped, "", "", false
	return u.String()
}

// NewMux returns an http.ServeMux serving the callbacks of every gateway in gws at
// "/callbacks/{provider}" (see [Path]), each through a [Handler] built with opts. fn is told
// which provider the callback came from. A path naming a provider that is not among gws is
// 404 Not Found; any other path is the ServeMux's own 404.
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
	handlers := make(map[string]http.Handler, len(gws))
	for name, gw := range named.Gateways("webhook: NewMux", gws) {
		handlers[name] = Handler(gw, func(ctx context.Context, cb *paygate.Callback) error {
			return fn(ctx, name, cb)
		}, opts...)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(Pattern, func(w http.ResponseWriter, r *http.Request) {
		h, ok := handlers[r.PathValue("provider")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
	return mux
}
