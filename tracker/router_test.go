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
func providerSandbox(t testing.TB, provider string) (*sandbox.Server, paygate.Gateway) {
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

// routedRig is one provider's sandbox behind a router, a tracker over the router, and the
// webhook beside it as the documentation wires it: one Deduper, WithFinal(tr.Final).
type routedRig struct {
	sb     *sandbox.Server
	gw     paygate.Gateway
	r      *router.Router
	c      *clock
	rec    *recorder
	tr     *tracker.Tracker
	notify string // the webhook's NotifyURL for the provider
}

func newRoutedRig(t *testing.T, provider string) *routedRig {
	t.Helper()
	x := &routedRig{c: newClock(), rec: &recorder{}}
	x.sb, x.gw = providerSandbox(t, provider)
	var err error
	x.r, err = router.New([]router.Route{{Gateway: x.gw}})
	require.NoError(t, err)
	d := webhook.NewMemoryDeduper(0, 0)
	x.tr = tracker.New([]paygate.Gateway{x.r}, nil, x.rec.fn, tracker.WithClock(x.c.Now), tracker.WithSchedule(exact),
		tracker.WithDeduper(d))
	srv := httptest.NewServer(webhook.NewMux(x.rec.fn, x.r.Gateways(), webhook.WithDeduper(d), webhook.WithFinal(x.tr.Final)))
	t.Cleanup(srv.Close)
	x.notify = webhook.NotifyURL(srv.URL, provider)
	return x
}

// TestRouterPollNamesTheProvider: a router-created order whose callback was lost: the
// tracker over the router finds the final status and hands it to fn, the one NewMux calls,
// told which provider the order is at. The webhook says "cashgit"; the tracker said "router".
func TestRouterPollNamesTheProvider(t *testing.T) {
	for _, p := range allProviders {
		t.Run(p, func(t *testing.T) {
			x := newRoutedRig(t, p)
			sb, gw, r, c, rec, tr := x.sb, x.gw, x.r, x.c, x.rec, x.tr

			id := paygatetest.OrderID("RVA")
			res, err := r.PayIn(t.Context(), fixturePayIn(gw, id, x.notify))
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
			x := newRoutedRig(t, p)
			sb, gw, r, c, rec, tr := x.sb, x.gw, x.r, x.c, x.rec, x.tr

			id := paygatetest.OrderID("RVB")
			res, err := r.PayIn(t.Context(), fixturePayIn(gw, id, x.notify))
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

// TestRouterSearchNotFoundNamesNoStranger: the router's index does not name the order (another
// replica's memory index, a restart, an unreadable store), so Query searches every provider
// and returns their not-founds joined. The tracker took the first refusal of the join, the
// first provider searched, which never had the order: its Window decided "not created" and
// fn was told its name. A joined answer names no provider now.
func TestRouterSearchNotFoundNamesNoStranger(t *testing.T) {
	for _, tc := range []struct {
		name           string
		first          string // searched first, never had the order
		holder         string // the create went here (outcome unknown)
		strangerWindow time.Duration
	}{
		{"cashgit first, deekpay holds", "cashgit", "deekpay", time.Minute},
		{"deekpay first, cashgit holds", "deekpay", "cashgit", time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, first := providerSandbox(t, tc.first)
			sbH, holder := providerSandbox(t, tc.holder)
			r, err := router.New([]router.Route{{Gateway: first}, {Gateway: holder, Priority: 1}})
			require.NoError(t, err)
			c, rec := newClock(), &recorder{}
			short := exact
			short.Window = tc.strangerWindow
			tr := tracker.New([]paygate.Gateway{r}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
				tracker.WithProviderSchedule(tc.first, short), tracker.WithDeduper(webhook.NewMemoryDeduper(0, 0)))

			require.NoError(t, sbH.SetFault(sandbox.FaultBadGateway))
			id := paygatetest.OrderID("RJS")
			_, err = holder.PayIn(t.Context(), fixturePayIn(holder, id, "http://127.0.0.1:9/cb"))
			require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
			require.NoError(t, sbH.SetFault(sandbox.FaultNone))
			require.NoError(t, tr.Track(t.Context(), r.Name(), paygate.KindPayIn, id, tracker.OutcomeUnknown(), tracker.CreatedAt(c.Now())))

			poll(t, tr, c, time.Minute) // 1 min after the create: the default window is 15 min
			for _, call := range rec.all() {
				require.NotEqual(t, tc.first, call.provider,
					"fn told %q, which never had the order (event %q)", tc.first, call.ev.Outcome)
			}
			require.Empty(t, rec.statuses(), "declared not created under %s's window, a provider that never had the order", tc.first)
		})
	}
}

// TestRouterFinalOfAnotherProviderKeepsTracking: Final (and Forget) with a provider's name
// removed the order tracked under every router that has that provider, whichever provider
// holds it there: a final callback from cashgit for an order the router placed at deekpay
// (cashgit refused the create and the router failed over; cashgit reports its own failed
// attempt) ended the polling of deekpay's order, still pending. The router's index decides
// now (router.Router.Holder).
func TestRouterFinalOfAnotherProviderKeepsTracking(t *testing.T) {
	for _, tc := range []struct{ holder, other string }{
		{"deekpay", "cashgit"},
		{"cashgit", "deekpay"},
	} {
		t.Run(tc.holder, func(t *testing.T) {
			_, h := providerSandbox(t, tc.holder)
			_, o := providerSandbox(t, tc.other)
			r, err := router.New([]router.Route{{Gateway: h}, {Gateway: o, Priority: 1}})
			require.NoError(t, err)
			c, rec := newClock(), &recorder{}
			tr := tracker.New([]paygate.Gateway{r}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact))

			id := paygatetest.OrderID("RJF")
			res, err := r.PayIn(t.Context(), fixturePayIn(h, id, "http://127.0.0.1:9/cb"))
			require.NoError(t, err)
			require.Equal(t, tc.holder, res.Provider)
			require.NoError(t, tr.Track(t.Context(), r.Name(), paygate.KindPayIn, id, tracker.WithStatus(res.Status, res.RawStatus)))

			tr.Final(t.Context(), tc.other, &paygate.Callback{Kind: paygate.KindPayIn, OrderID: id, Status: paygate.StatusFailed})
			require.Equal(t, 1, poll(t, tr, c, time.Minute),
				"%s's order is still pending; a final callback from %s ended its tracking", tc.holder, tc.other)
		})
	}
}
