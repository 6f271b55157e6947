package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

// captureOrder has a sandbox configured with cfg settle the pay-in orderID and returns the
// signed callback it sent (cfg may be a forger's: its callback is recorded all the same), and
// a gateway for cfg that only verifies callbacks.
func captureOrder(t *testing.T, cfg paygate.Config, orderID string) (captured, paygate.Gateway) {
	t.Helper()
	sb, err := sandbox.New(cfg.Provider, cfg)
	require.NoError(t, err)
	defer sb.Close()
	live := cfg
	live.BaseURL = sb.URL()
	gw, err := paygate.New(live)
	require.NoError(t, err)
	var got captured
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = captured{header: r.Header.Clone(), body: body}
		if cb, err := gw.ParseCallback(r.Header, body); err == nil {
			cb.Ack.Write(w) // our secret: acknowledge, so the sandbox does not retry
			return
		}
		w.WriteHeader(http.StatusOK) // a forged one: acknowledged too, it is only recorded
		_, _ = w.Write(ackFor(cfg.Provider))
	}))
	defer rcv.Close()
	fx := paygatetest.Fixtures(gw.Capabilities().Currency)
	req := fx.PayIn()
	req.OrderID, req.NotifyURL = orderID, rcv.URL
	req.Amount = paygate.MustParseMoney(fx.Amount, fx.Currency)
	_, err = gw.PayIn(context.Background(), req)
	require.NoError(t, err)
	require.NoError(t, sb.Settle(orderID, paygate.StatusSucceeded))
	require.NotEmpty(t, got.body)
	for _, h := range []string{"Content-Length", "Accept-Encoding", "User-Agent"} {
		got.header.Del(h)
	}
	cfg.BaseURL = "http://127.0.0.1:9" // callbacks only: never called
	cbgw, err := paygate.New(cfg)
	require.NoError(t, err)
	return got, cbgw
}

// Two merchant accounts of one provider (two CashGit appids, two secrets), each served by its
// own Handler, share one Deduper, as the stores' documentation asks. Order ORDER1001 of
// account B is not order ORDER1001 of account A: B's verified callback reaches fn, rather
// than being acknowledged as A's duplicate and lost.
func TestKeyIncludesMerchantAccount(t *testing.T) {
	base := paygate.Config{Provider: "cashgit", Options: map[string]string{"rate_limit": "0"}}
	cfgA, cfgB := base, base
	cfgA.MerchantID, cfgA.Secret = "appidA", "secret-of-account-a"
	cfgB.MerchantID, cfgB.Secret = "appidB", "secret-of-account-b"
	const order = "ORDER1001"
	cbA, gwA := captureOrder(t, cfgA, order)
	cbB, gwB := captureOrder(t, cfgB, order)

	d := webhook.NewMemoryDeduper(time.Hour, 1000)
	recA, recB := &recorder{}, &recorder{}
	srvA := serve(t, webhook.Handler(gwA, recA.fn, webhook.WithDeduper(d)))
	srvB := serve(t, webhook.Handler(gwB, recB.fn, webhook.WithDeduper(d)))

	r := post(t, srvA, "/cb", cbA.header, cbA.body)
	require.Equal(t, http.StatusOK, r.status, r.body)
	r = post(t, srvB, "/cb", cbB.header, cbB.body)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Equal(t, 1, recA.n(), "account A's callback reaches fn")
	require.Equal(t, 1, recB.n(), "account B's callback for its own order reaches fn")

	// Each account's duplicates are still caught.
	r = post(t, srvB, "/cb", cbB.header, cbB.body)
	require.Equal(t, http.StatusOK, r.status, r.body)
	r = post(t, srvA, "/cb", cbA.header, cbA.body)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Equal(t, 1, recA.n())
	require.Equal(t, 1, recB.n())
}

func TestGatewayKey(t *testing.T) {
	cfg := paygate.Config{Provider: "cashgit", MerchantID: `app|"id"`, Secret: "s", Options: map[string]string{"rate_limit": "0"}}
	cg, err := cashgit.New(cfg)
	require.NoError(t, err)
	cb := &paygate.Callback{Kind: paygate.KindPayIn, Status: paygate.StatusSucceeded, OrderID: "O|1"}
	tests := []struct {
		name string
		gw   paygate.Gateway
		cb   *paygate.Callback
		want string
	}{
		{"merchant quoted after the provider", cg, cb, `cashgit|"app|\"id\""|payin|succeeded|O|1`},
		{"ForKind keeps the merchant", cg.ForKind(paygate.KindPayIn), cb, `cashgit|"app|\"id\""|payin|succeeded|O|1`},
		{"no MerchantID method: Key", newFake("fake"), cb, "fake|payin|succeeded|O|1"},
		{"no order: no key", cg, &paygate.Callback{Kind: paygate.KindPayIn, Status: paygate.StatusSucceeded}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, webhook.GatewayKey(tc.gw, tc.cb))
		})
	}
}
