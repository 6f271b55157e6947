package tracker_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	_ "github.com/paygate-go/paygate/providers" // every provider
	"github.com/paygate-go/paygate/router"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/webhook"
)

var allProviders = []string{"caipay", "deekpay", "paypro", "cashgit", "cashy"}

// providerSandbox starts provider's sandbox (callback retries an hour apart) and a gateway on it.
func providerSandbox(t *testing.T, provider string) (*sandbox.Server, paygate.Gateway) {
	t.Helper()
	cfg := paygate.Config{Provider: provider, MerchantID: "M10001", APIKey: "test-api-key", Secret: "tracker-secret-" + provider}
	if provider == "cashgit" {
		cfg.Options = map[string]string{"rate_limit": "0"}
	}
	sb, err := sandbox.New(provider, cfg, sandbox.WithMinute(time.Hour))
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	cfg.BaseURL = sb.URL()
	gw, err := paygate.New(cfg)
	require.NoError(t, err)
	return sb, gw
}

func fixturePayIn(gw paygate.Gateway, orderID, notify string) *paygate.PayInRequest {
	fx := paygatetest.Fixtures(gw.Capabilities().Currency)
	req := fx.PayIn()
	req.OrderID, req.NotifyURL = orderID, notify
	req.Amount = paygate.MustParseMoney(fx.Amount, fx.Currency)
	return req
}

// TestRouterPollNamesTheProvider: a router-created order whose callback was lost: the
// tracker over the router finds the final status and hands it to fn, the one NewMux calls,
// told which provider the order is at. The webhook says "cashgit"; the tracker said "router".
func TestRouterPollNamesTheProvider(t *testing.T) {
	for _, p := range allProviders {
		t.Run(p, func(t *testing.T) {
			sb, gw := providerSandbox(t, p)
			r, err := router.New([]router.Route{{Gateway: gw}})
			require.NoError(t, err)
			c, rec := newClock(), &recorder{}
			d := webhook.NewMemoryDeduper(0, 0)
			tr := tracker.New([]paygate.Gateway{r}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact), tracker.WithDeduper(d))
			srv := httptest.NewServer(webhook.NewMux(rec.fn, r.Gateways(), webhook.WithDeduper(d), webhook.WithFinal(tr.Final)))
			defer srv.Close()

			id := paygatetest.OrderID("RVA")
			res, err := r.PayIn(t.Context(), fixturePayIn(gw, id, webhook.NotifyURL(srv.URL, p)))
			require.NoError(t, err)
			require.Equal(t, p, res.Provider)
			require.NoError(t, tr.Track(t.Context(), r.Name(), paygate.KindPayIn, id, tracker.WithStatus(res.Status, res.RawStatus)))
			require.NoError(t, sb.DropNext(paygate.KindPayIn, id)) // the callback is lost
			require.NoError(t, sb.Settle(id, paygate.StatusSucceeded))

			require.Equal(t, 1, poll(t, tr, c, time.Minute))
			calls := rec.all()
			require.Len(t, calls, 1)
			require.Equal(t, paygate.StatusSucceeded, calls[0].cb.Status)
			require.Equal(t, p, calls[0].provider, "fn is told the provider that holds the order, as the webhook tells it")
		})
	}
}

// TestRouterFinalCallbackStopsPolling: the documented wiring over a router: NewMux over
// r.Gateways() with WithFinal(tr.Final), the order tracked under the router's name. A verified
// final callback ends the tracking; Final forgot it under the provider's name only, and the
// order tracked under "router" went on being polled.
func TestRouterFinalCallbackStopsPolling(t *testing.T) {
	for _, p := range allProviders {
		t.Run(p, func(t *testing.T) {
			sb, gw := providerSandbox(t, p)
			r, err := router.New([]router.Route{{Gateway: gw}})
			require.NoError(t, err)
			c, rec := newClock(), &recorder{}
			d := webhook.NewMemoryDeduper(0, 0)
			tr := tracker.New([]paygate.Gateway{r}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact), tracker.WithDeduper(d))
			srv := httptest.NewServer(webhook.NewMux(rec.fn, r.Gateways(), webhook.WithDeduper(d), webhook.WithFinal(tr.Final)))
			defer srv.Close()

			id := paygatetest.OrderID("RVB")
			res, err := r.PayIn(t.Context(), fixturePayIn(gw, id, webhook.NotifyURL(srv.URL, p)))
			require.NoError(t, err)
			require.NoError(t, tr.Track(t.Context(), r.Name(), paygate.KindPayIn, id, tracker.WithStatus(res.Status, res.RawStatus)))
			require.NoError(t, sb.Settle(id, paygate.StatusSucceeded))
			require.Equal(t, []string{id + ":succeeded"}, rec.statuses(), "the webhook handed it")

			require.Zero(t, poll(t, tr, c, time.Minute), "the verified final callback ended the tracking: nothing is polled")
		})
	}
}

// TestRouterOrderUsesProviderWindow: a create through the router ends in ErrOutcomeUnknown
// (an HTML 502 from a proxy: no order). The merchant set the provider's own not-created window
// (2 h) with WithProviderSchedule. The order, tracked under the router's name, was declared
// not created at the default window instead: the schedule of the provider that answers applies
// now. (CaiPay and PayPro name no not-found code, so they never report "not created".)
func TestRouterOrderUsesProviderWindow(t *testing.T) {
	for _, p := range allProviders {
		t.Run(p, func(t *testing.T) {
			sb, gw := providerSandbox(t, p)
			r, err := router.New([]router.Route{{Gateway: gw}})
			require.NoError(t, err)
			c, rec := newClock(), &recorder{}
			long := exact
			long.Window = 2 * time.Hour
			tr := tracker.New([]paygate.Gateway{r}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
				tracker.WithProviderSchedule(p, long), tracker.WithDeduper(webhook.NewMemoryDeduper(0, 0)))

			require.NoError(t, sb.SetFault(sandbox.FaultBadGateway))
			id := paygatetest.OrderID("RVC")
			_, err = r.PayIn(t.Context(), fixturePayIn(gw, id, "http://127.0.0.1:9/cb"))
			require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
			require.NoError(t, tr.Track(t.Context(), r.Name(), paygate.KindPayIn, id, tracker.OutcomeUnknown(), tracker.CreatedAt(c.Now())))

			for _, at := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 20 * time.Minute} {
				poll(t, tr, c, at)
			}
			require.Empty(t, rec.statuses(), "not created is reported only after %s's own window (2h), not 20 min after the create", p)
		})
	}
}
