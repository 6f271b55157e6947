package router_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/internal/storetest"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/router"
)

// cashgitAt is a real CashGit client on base through hc, with per-attempt timeout.
func cashgitAt(t *testing.T, base string, hc *http.Client, timeout time.Duration) paygate.Gateway {
	t.Helper()
	cfg := testConfig("cashgit")
	cfg.BaseURL, cfg.Timeout = base, timeout
	opts := []paygate.Option{paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 1})}
	if hc != nil {
		opts = append(opts, paygate.WithHTTPClient(hc))
	}
	gw, err := paygate.New(cfg, opts...)
	require.NoError(t, err)
	return gw
}

func fixturePayIn(id string) *paygate.PayInRequest {
	fx := paygatetest.Fixtures(paygate.INR)
	req := fx.PayIn()
	req.OrderID, req.Amount, req.NotifyURL = id, paygate.MustParseMoney(fx.Amount, fx.Currency), "https://merchant.example/cb"
	return req
}

// TestCircuitCountsTheProvidersFailuresOnly: the router told "the caller's context ended"
// from "the provider did not answer in time" by context errors in the error chain, which
// both carried, and got both backwards:
//
//   - a caller that cancels while its create is at the provider (a customer closing the
//     checkout page) gets ErrOutcomeUnknown, which counted as a provider failure: five such
//     cancellations opened a healthy provider's circuit for every caller (with a
//     BreakerStore, every replica); a failure once the caller's context ended counts neither
//     way now;
//   - a provider whose host drops connections (the dial hangs past the attempt's timeout)
//     gave ErrNotSent wrapping context.DeadlineExceeded, taken for "the caller's context
//     ended": the circuit never opened, and every create waited out the timeout there before
//     failing over; it is paygate.ErrProviderTimeout now, a failure.
func TestCircuitCountsTheProvidersFailuresOnly(t *testing.T) {
	for _, tc := range []struct {
		name string
		// gateway returns provider "cashgit" and a function making one create's context.
		gateway func(t *testing.T) (paygate.Gateway, func() (context.Context, context.CancelFunc))
		want    gobreaker.State
		why     string
	}{
		{
			name: "CallerCancelsWhileProviderIsHealthy",
			gateway: func(t *testing.T) (paygate.Gateway, func() (context.Context, context.CancelFunc)) {
				arrived, stop := make(chan struct{}, 16), make(chan struct{})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					arrived <- struct{}{}
					select { // the provider is working on it; the caller goes away
					case <-r.Context().Done():
					case <-stop:
					}
				}))
				t.Cleanup(srv.Close)
				t.Cleanup(func() { close(stop) })
				gw := cashgitAt(t, srv.URL, nil, 10*time.Second)
				return gw, func() (context.Context, context.CancelFunc) {
					ctx, cancel := context.WithCancel(context.Background())
					go func() {
						select {
						case <-arrived:
							cancel() // the customer closed the page
						case <-ctx.Done():
						}
					}()
					return ctx, cancel
				}
			},
			want: gobreaker.StateClosed,
			why:  "the caller's own cancellations say nothing about the provider's health",
		},
		{
			name: "ProviderHostDropsConnections",
			gateway: func(t *testing.T) (paygate.Gateway, func() (context.Context, context.CancelFunc)) {
				// The provider's host does not answer SYNs: every dial hangs until the attempt's
				// deadline, as it does against a host that is down behind a firewall.
				tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					<-ctx.Done()
					return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
				}}
				t.Cleanup(tr.CloseIdleConnections)
				gw := cashgitAt(t, "https://api.cashgit.example", &http.Client{Transport: tr}, 100*time.Millisecond)
				return gw, func() (context.Context, context.CancelFunc) {
					return context.WithTimeout(context.Background(), 10*time.Second) // plenty of time left
				}
			},
			want: gobreaker.StateOpen,
			why:  "a provider whose host times out on every connection is unhealthy: its circuit must open",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw, newCtx := tc.gateway(t)
			b := newStub("b", paygate.INR)
			r, err := router.New([]router.Route{{Gateway: gw}, {Gateway: b, Priority: 1}}) // DefaultBreaker: 5 in a row
			require.NoError(t, err)
			for range 6 {
				ctx, cancel := newCtx()
				_, err := r.PayIn(ctx, fixturePayIn(orderID()))
				cancel()
				t.Logf("create: %v", err)
			}
			st, err := r.CircuitState(context.Background(), "cashgit")
			require.NoError(t, err)
			require.Equal(t, tc.want, st, tc.why)
		})
	}
}

// TestLimiterRefusalFailsOver: the router fails a create over on "a limiter refusal"
// (ErrNotSent). The in-process limiter refuses at once a wait that would outlast the caller's
// deadline, so a saturated provider's creates go to the next provider. The shared Redis
// limiter (redisstore.Limiter, for several replicas) slept until the deadline: the create
// failed with the caller's deadline and the next provider was never tried. Both refuse now.
func TestLimiterRefusalFailsOver(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	for _, tc := range []struct {
		name    string
		limiter func(t *testing.T, cfg *paygate.Config) []paygate.Option
	}{
		{"InProcessLimiter", func(_ *testing.T, cfg *paygate.Config) []paygate.Option {
			cfg.Options["rate_limit"] = "1"
			return nil
		}},
		{"RedisLimiter", func(t *testing.T, _ *paygate.Config) []paygate.Option {
			c := redis.NewClient(servicetest.RedisOptions(t))
			t.Cleanup(func() { _ = c.Close() })
			return []paygate.Option{paygate.WithLimiter(redisstore.NewLimiter(c, 1, 1, redisstore.WithKeyPrefix(prefix+t.Name())))}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := startSandbox(t, "cashgit")
			cfg := testConfig("cashgit")
			cfg.BaseURL = sb.URL()
			gw, err := paygate.New(cfg, tc.limiter(t, &cfg)...)
			require.NoError(t, err)
			b := newStub("b", paygate.INR)
			r, err := router.New([]router.Route{{Gateway: gw}, {Gateway: b, Priority: 1}})
			require.NoError(t, err)

			res, err := r.PayIn(context.Background(), fixturePayIn(orderID())) // spends cashgit's budget (1/s)
			require.NoError(t, err)
			require.Equal(t, "cashgit", res.Provider)

			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			start := time.Now()
			res, err = r.PayIn(ctx, fixturePayIn(orderID()))
			t.Logf("second create after %v: %v", time.Since(start), err)
			require.NoError(t, err, "cashgit's limiter refuses (not sent): the create must fail over to b")
			require.Equal(t, "b", res.Provider)
		})
	}
}

// TestCircuitPerMerchantAccount: a backend with two accounts at one provider (two brands, or a
// pay-in and a pay-out account) runs one router per account on the same Redis. The limiter
// keeps each account's budget apart (paygate.LimiterKey), but the shared circuit was named by
// the provider alone: one account's failures (its creates end in a 502) opened the circuit of
// the other, healthy account on every replica. Circuits are named as limiters are now.
func TestCircuitPerMerchantAccount(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>502 Bad Gateway</html>"))
	}))
	defer broken.Close()
	healthy := startSandbox(t, "cashgit")

	account := func(merchantID, base string) *router.Router {
		cfg := testConfig("cashgit")
		cfg.MerchantID, cfg.BaseURL = merchantID, base
		gw, err := paygate.New(cfg)
		require.NoError(t, err)
		c := redis.NewClient(servicetest.RedisOptions(t))
		t.Cleanup(func() { _ = c.Close() })
		r, err := router.New([]router.Route{{Gateway: gw}, {Gateway: newStub("b", paygate.INR), Priority: 1}},
			router.WithBreakerStore(redisstore.NewBreakerStore(c, redisstore.WithKeyPrefix(prefix))))
		require.NoError(t, err)
		return r
	}
	brand1 := account("M20002", broken.URL)
	brand2 := account("M10001", healthy.URL())

	res, err := brand2.PayIn(context.Background(), fixturePayIn(orderID()))
	require.NoError(t, err)
	require.Equal(t, "cashgit", res.Provider, "brand 2's account works")
	for range 5 {
		_, err := brand1.PayIn(context.Background(), fixturePayIn(orderID()))
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	}
	for _, tc := range []struct {
		name  string
		r     *router.Router
		state gobreaker.State
	}{
		{"Brand1FailingAccount", brand1, gobreaker.StateOpen},
		{"Brand2HealthyAccount", brand2, gobreaker.StateClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := tc.r.CircuitState(context.Background(), "cashgit")
			require.NoError(t, err)
			require.Equal(t, tc.state, st)
			if tc.state == gobreaker.StateClosed {
				res, err := tc.r.PayIn(context.Background(), fixturePayIn(orderID()))
				require.NoError(t, err)
				require.Equal(t, "cashgit", res.Provider, "the healthy account's creates stay with its provider")
			}
		})
	}
}

// gated is a stub whose pay-ins wait until released, and say when one started.
type gated struct {
	*stub
	started chan struct{}
	release chan struct{}
}

func (g *gated) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	g.started <- struct{}{}
	<-g.release
	return g.stub.PayIn(ctx, req)
}

// TestLostHalfOpenProbeIsRetried: with a BreakerStore, a half-open circuit lets one probe
// through (MaxRequests) and counts it in Redis as in flight until its replica reports the
// outcome. When that replica never reports (it dies, is redeployed, or loses Redis while the
// probe is at the provider) the shared state said "probe in flight" forever: every replica
// skipped a healthy provider for good. A half-open round whose probes have not reported
// within Timeout starts again now.
func TestLostHalfOpenProbeIsRetried(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	clock := newFakeClock()
	settings := router.BreakerSettings{Timeout: 30 * time.Second,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 1 }}
	replica := func(a paygate.Gateway) (*router.Router, *redis.Client, *stub) {
		c := redis.NewClient(servicetest.RedisOptions(t))
		t.Cleanup(func() { _ = c.Close() })
		b := newStub("b", paygate.INR)
		r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}}, router.WithClock(clock.Now),
			router.WithBreaker(settings), router.WithBreakerStore(redisstore.NewBreakerStore(c, redisstore.WithKeyPrefix(prefix))))
		require.NoError(t, err)
		return r, c, b
	}
	aA := &gated{stub: newStub("a", paygate.INR), started: make(chan struct{}, 1), release: make(chan struct{})}
	rA, cA, _ := replica(aA)
	aB := newStub("a", paygate.INR)
	rB, _, _ := replica(aB)
	ctx := context.Background()

	// Replica B sees a fail once: the circuit opens for everyone.
	aB.setErr(outcomeUnknown("a"))
	_, err := rB.PayIn(ctx, inrPayIn("HP-1"))
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	aB.setErr(nil)
	clock.Advance(31 * time.Second)

	// Replica A takes the half-open probe; while it is at the provider, replica A dies
	// (here: loses its Redis connection, so its outcome never reaches the shared state).
	var wg sync.WaitGroup
	var probeErr atomic.Value
	wg.Go(func() {
		_, err := rA.PayIn(ctx, inrPayIn("HP-2"))
		if err != nil {
			probeErr.Store(err)
		}
	})
	<-aA.started
	require.NoError(t, cA.Close())
	close(aA.release)
	wg.Wait()

	// Long after, provider a is healthy, yet no replica ever probes it again.
	for _, later := range []time.Duration{time.Minute, time.Hour, 23 * time.Hour} {
		clock.Advance(later)
		st, err := rB.CircuitState(ctx, "a")
		require.NoError(t, err)
		res, err := rB.PayIn(ctx, inrPayIn(orderID()))
		require.NoError(t, err)
		require.Equal(t, "a", res.Provider,
			"%v after the probe's replica died (circuit %v), provider a must be probed again; calls at a: %d", later, st, aB.Calls())
	}
}

// TestStalledBreakerStoreHoldsNoCaller: "a cancelled context stops the call at once". With a
// BreakerStore whose Redis stalls (accepts commands, answers nothing, as during a failover or a
// network partition), every create waited about 10 s for the store, whatever the caller's
// deadline, and the replica's creates queued behind it on the breaker's mutex. A step now
// waits for the store until the caller's context ends or storeBudget passes.
func TestStalledBreakerStoreHoldsNoCaller(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	opts := servicetest.RedisOptions(t)
	p := storetest.NewProxy(t, opts.Addr)
	opts.Addr = p.Addr()
	c := redis.NewClient(opts)
	defer c.Close()
	a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
	r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}},
		router.WithBreakerStore(redisstore.NewBreakerStore(c, redisstore.WithKeyPrefix(prefix))))
	require.NoError(t, err)
	_, err = r.PayIn(context.Background(), inrPayIn(orderID()))
	require.NoError(t, err)

	p.Stall()
	defer p.Restore()
	for _, tc := range []struct {
		name     string
		deadline time.Duration
	}{
		{"300ms", 300 * time.Millisecond},
		{"500ms", 500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), tc.deadline)
			defer cancel()
			start := time.Now()
			_, err := r.PayIn(ctx, inrPayIn(orderID()))
			took := time.Since(start)
			t.Logf("create with a %v deadline returned after %v: %v", tc.deadline, took, err)
			require.Less(t, took, tc.deadline+300*time.Millisecond, "the caller's deadline must bound the create")
		})
	}
}
