package webhook_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/signing"
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

// TestMuxServesNotifyURL: webhook.Path said to append it to the merchant's public base URL.
// A base written with its trailing slash ("https://shop.example/") gave a path with "//",
// which NewMux's http.ServeMux answers with a redirect without running the handler: a
// provider's sender that does not follow redirects on POST never had the callback handled
// (and Cashy, which counts 301 and 302 as "received", would drop it). NotifyURL joins base
// and path whichever way the base is written.
func TestMuxServesNotifyURL(t *testing.T) {
	const secret = "cashy-test-secret"
	gw, err := paygate.New(paygate.Config{Provider: "cashy", BaseURL: "http://127.0.0.1:9", MerchantID: "3002120", Secret: secret})
	require.NoError(t, err)
	body := []byte(`{"amount":20000.00,"completionTime":"2024-12-02 12:07:06","fee":2500.0000,"mchOrderNo":"1386503284355244033",` +
		`"merchantId":"3002120","nonceStr":"1733116026894","orderNo":"PAYIN8551790545658687488","orderStatus":"SUCCESS",` +
		`"payCode":"OR.GPNQR..INOPROID_BS","payType":"41","payUrl":"https://payurl.com"}`)
	header := http.Header{"Content-Type": {"application/json"}, "Merchantid": {"3002120"}, "Sign": {signing.BodyMD5(body, secret)}}

	for _, tc := range []struct {
		name, slashes string
	}{
		{"base without slash", ""},
		{"base with slash", "/"},
		{"base with slashes", "//"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			srv := serve(t, webhook.NewMux(rec.mux, []paygate.Gateway{gw}))
			client := srv.Client()
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse } // as Cashy
			notify := webhook.NotifyURL(srv.URL+tc.slashes, "cashy")
			require.Equal(t, srv.URL+"/callbacks/cashy", notify)
			req, err := http.NewRequest(http.MethodPost, notify, bytes.NewReader(body))
			require.NoError(t, err)
			req.Header = header.Clone()
			resp, err := client.Do(req)
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 300 && resp.StatusCode < 400 {
				t.Fatalf("POST %s answered %d (Location %q); fn called %d times",
					notify, resp.StatusCode, resp.Header.Get("Location"), rec.n())
			}
			require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
			require.Equal(t, "SUCCESS", string(b))
			require.Equal(t, 1, rec.n())
		})
	}
}

// TestNotifyURL: the callback path is joined to the base's path, whatever the base carries;
// a base with a query string or a fragment put the path inside them, where the provider never
// posts it.
func TestNotifyURL(t *testing.T) {
	for base, want := range map[string]string{
		"https://shop.example":                "https://shop.example/callbacks/cashgit",
		"https://shop.example/":               "https://shop.example/callbacks/cashgit",
		"https://shop.example/pay/":           "https://shop.example/pay/callbacks/cashgit",
		"https://shop.example/?tenant=7":      "https://shop.example/callbacks/cashgit?tenant=7",
		"https://shop.example?tenant=7":       "https://shop.example/callbacks/cashgit?tenant=7",
		"https://shop.example/#callbacks":     "https://shop.example/callbacks/cashgit",
		"https://shop.example/?":              "https://shop.example/callbacks/cashgit",
		"http://127.0.0.1:8080//":             "http://127.0.0.1:8080/callbacks/cashgit",
		"https://shop.example/a%2Fb/?x=1#top": "https://shop.example/a%2Fb/callbacks/cashgit?x=1",
		// No scheme: "localhost:8080" parses as scheme "localhost", whose path String ignores
		// (the base came back without the callback path); joined as text.
		"localhost:8080":          "localhost:8080/callbacks/cashgit",
		"localhost:8080/":         "localhost:8080/callbacks/cashgit",
		"shop.internal:9000/pay/": "shop.internal:9000/pay/callbacks/cashgit",
		"shop.example":            "shop.example/callbacks/cashgit",
		// ... its query kept after the path and its fragment dropped, as with a scheme.
		"localhost:8080/?x=1":        "localhost:8080/callbacks/cashgit?x=1",
		"localhost:8080#top":         "localhost:8080/callbacks/cashgit",
		"shop.internal:9000/pay?k=v": "shop.internal:9000/pay/callbacks/cashgit?k=v",
	} {
		require.Equal(t, want, webhook.NotifyURL(base, "cashgit"), base)
	}
}

// TestMuxPerKindAddress: a pay-in and a pay-out may share an order number. CaiPay's callbacks
// do not tell the kind, so at the provider's one address the pay-out's callback was confirmed
// as the pay-in of that number, keyed as its duplicate and acknowledged, and fn never heard of
// the pay-out. Each kind notified at its own address (NotifyURL with the kind, served by
// NewMux through the gateway's ForKind) reaches fn once, as the kind it is.
func TestMuxPerKindAddress(t *testing.T) {
	for _, provider := range []string{"caipay", "paypro", "cashgit"} {
		t.Run(provider, func(t *testing.T) {
			sb, gw := atSandbox(t, provider)
			rec := &recorder{}
			srv := serve(t, webhook.NewMux(rec.mux, []paygate.Gateway{gw}, webhook.WithDeduper(webhook.NewMemoryDeduper(0, 0))))
			require.Equal(t, srv.URL+"/callbacks/"+provider+"/payout", webhook.NotifyURL(srv.URL, provider, paygate.KindPayOut))

			fx := paygatetest.Fixtures(gw.Capabilities().Currency)
			id, amount := paygatetest.OrderID("MK"), paygate.MustParseMoney(fx.Amount, fx.Currency)
			in := fx.PayIn()
			in.OrderID, in.Amount, in.NotifyURL = id, amount, webhook.NotifyURL(srv.URL, provider, paygate.KindPayIn)
			_, err := gw.PayIn(t.Context(), in)
			require.NoError(t, err)
			out := fx.PayOut()
			out.OrderID, out.Amount, out.NotifyURL = id, amount, webhook.NotifyURL(srv.URL, provider, paygate.KindPayOut)
			_, err = gw.PayOut(t.Context(), out)
			require.NoError(t, err)

			require.NoError(t, sb.SettleOf(paygate.KindPayIn, id, paygate.StatusSucceeded))
			require.NoError(t, sb.SettleOf(paygate.KindPayOut, id, paygate.StatusSucceeded))
			require.Equal(t, 2, rec.n())
			rec.mu.Lock()
			kinds := []paygate.Kind{rec.cbs[0].Kind, rec.cbs[1].Kind}
			rec.mu.Unlock()
			require.ElementsMatch(t, []paygate.Kind{paygate.KindPayIn, paygate.KindPayOut}, kinds)
		})
	}
}
