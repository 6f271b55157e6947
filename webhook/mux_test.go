package webhook_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/webhook"
)

func TestMux(t *testing.T) {
	alpha, beta := newFake("alpha"), newFake("beta")
	beta.ack = paygate.Ack{StatusCode: 200, ContentType: "application/json", Body: `{"code":200,"success":true}`}
	rec := &recorder{}
	srv := serve(t, webhook.NewMux(rec.mux, []paygate.Gateway{alpha, beta},
		webhook.WithDeduper(webhook.NewMemoryDeduper(0, 0))))
	alphaBody := sign(fields("ORD-1", "paid"), alpha.secret)
	betaBody := sign(fields("ORD-1", "paid"), beta.secret) // same order ID at another provider

	cases := []struct {
		name      string
		method    string
		path      string
		body      []byte
		status    int
		text      string
		wantCalls int
		provider  string
	}{
		{name: "alpha", path: "/callbacks/alpha", body: alphaBody, status: 200, text: "success", wantCalls: 1, provider: "alpha"},
		{name: "beta, same order ID: not a duplicate", path: "/callbacks/beta", body: betaBody, status: 200, text: `{"code":200,"success":true}`, wantCalls: 2, provider: "beta"},
		{name: "alpha again: a duplicate", path: "/callbacks/alpha", body: alphaBody, status: 200, text: "success", wantCalls: 2},
		{name: "alpha's callback at beta", path: "/callbacks/beta", body: sign(fields("ORD-2", "paid"), alpha.secret), status: 401, text: "invalid signature\n", wantCalls: 2},
		{name: "unknown provider", path: "/callbacks/gamma", body: alphaBody, status: 404, text: "404 page not found\n", wantCalls: 2},
		{name: "no provider", path: "/callbacks/", body: alphaBody, status: 404, text: "404 page not found\n", wantCalls: 2},
		{name: "elsewhere", path: "/other", body: alphaBody, status: 404, text: "404 page not found\n", wantCalls: 2},
		{name: "GET", method: http.MethodGet, path: "/callbacks/alpha", status: 405, text: "method not allowed\n", wantCalls: 2},
	}
	for _, c := range cases { // in order: the calls accumulate
		method := c.method
		if method == "" {
			method = http.MethodPost
		}
		r, err := send(t.Context(), srv, method, c.path, nil, c.body, false)
		require.NoError(t, err, c.name)
		require.Equal(t, c.status, r.status, c.name)
		require.Equal(t, c.text, r.body, c.name)
		require.Equal(t, c.wantCalls, rec.n(), c.name)
		if c.provider != "" {
			rec.mu.Lock()
			require.Equal(t, c.provider, rec.providers[len(rec.providers)-1], c.name)
			rec.mu.Unlock()
		}
	}
}

// The mux mounts in the merchant's own mux under PathPrefix.
func TestMuxMounted(t *testing.T) {
	gw := newFake("alpha")
	rec := &recorder{}
	outer := http.NewServeMux()
	outer.Handle(webhook.PathPrefix, webhook.NewMux(rec.mux, []paygate.Gateway{gw}))
	outer.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	srv := serve(t, outer)
	requireAck(t, gw.ack, post(t, srv, webhook.Path("alpha"), nil, sign(fields("ORD-1", "paid"), gw.secret)))
	require.Equal(t, 1, rec.n())
	require.Equal(t, "/callbacks/alpha", webhook.Path("alpha"))
}

func TestMuxPanicsOnMiswiring(t *testing.T) {
	rec := &recorder{}
	require.Panics(t, func() { webhook.NewMux(rec.mux, []paygate.Gateway{newFake("a"), newFake("a")}) })
	require.Panics(t, func() { webhook.NewMux(rec.mux, []paygate.Gateway{nil}) })
	require.Panics(t, func() { webhook.NewMux(nil, []paygate.Gateway{newFake("a")}) })
	require.NotPanics(t, func() { webhook.NewMux(rec.mux, nil) })
}
