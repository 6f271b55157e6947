package router_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
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

// slowStore is an in-memory gobreaker.SharedDataStore whose calls can be made slow or failing.
type slowStore struct {
	mu       sync.Mutex
	data     map[string][]byte
	held     map[string]bool
	getDelay atomic.Int64 // ns added to each GetData
	lockWait atomic.Int64 // ns added to each Lock
	lockFail atomic.Bool  // Lock fails (after lockWait)
	locks    atomic.Int32 // Lock calls
	sets     atomic.Int32 // SetData calls
	inflight atomic.Int32 // calls under way
}

func newSlowStore() *slowStore {
	return &slowStore{data: map[string][]byte{}, held: map[string]bool{}}
}

func (s *slowStore) Lock(name string) error {
	s.inflight.Add(1)
	defer s.inflight.Add(-1)
	s.locks.Add(1)
	time.Sleep(time.Duration(s.lockWait.Load()))
	if s.lockFail.Load() {
		return errors.New("slowStore: i/o timeout")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[name] {
		return errors.New("slowStore: locked")
	}
	s.held[name] = true
	return nil
}

func (s *slowStore) Unlock(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.held, name)
	return nil
}

func (s *slowStore) GetData(name string) ([]byte, error) {
	s.inflight.Add(1)
	defer s.inflight.Add(-1)
	time.Sleep(time.Duration(s.getDelay.Load()))
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data[name], nil
}

func (s *slowStore) SetData(name string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sets.Add(1)
	s.data[name] = append([]byte(nil), data...)
	return nil
}

// settle waits until the store has seen no call for a while (the breaker's detached shared
// steps have all finished), so that goleak finds nothing.
func (s *slowStore) settle(t *testing.T, quiet time.Duration) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last, since := s.locks.Load(), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		if n := s.locks.Load(); n != last || s.inflight.Load() != 0 {
			last, since = n, time.Now()
			continue
		}
		if time.Since(since) >= quiet {
			return
		}
	}
	t.Fatal("the breaker store never settled")
}

// halfOpenReplicas returns replica A's router over a (and a fallback b), sharing a slow
// breaker store and a clock with a replica B whose provider a has failed once: the shared
// circuit opened (at the first failure) and, its Timeout later, is half-open for one probe.
// It returns B's router and provider a too.
func halfOpenReplicas(t *testing.T, a paygate.Gateway) (rA, rB *router.Router, aB *stub, store *slowStore) {
	t.Helper()
	store = newSlowStore()
	clock := newFakeClock()
	settings := router.BreakerSettings{MaxRequests: 1, Timeout: 30 * time.Second,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 1 }}
	replica := func(a paygate.Gateway) *router.Router {
		r, err := router.New([]router.Route{{Gateway: a}, {Gateway: newStub("b", paygate.INR), Priority: 1}},
			router.WithClock(clock.Now), router.WithBreaker(settings), router.WithBreakerStore(store))
		require.NoError(t, err)
		return r
	}
	aB = newStub("a", paygate.INR)
	rA, rB = replica(a), replica(aB)
	aB.setErr(outcomeUnknown("a"))
	_, err := rB.PayIn(context.Background(), inrPayIn(orderID()))
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	aB.setErr(nil)
	clock.Advance(31 * time.Second)
	return rA, rB, aB, store
}

// TestSlowStoreKeepsNoProbeInFlight: when the BreakerStore is slower than storeBudget, allow
// decides on this replica's state while the shared step finishes apart. That shared step
// counted the request in the shared state (a half-open probe in flight), but the request's
// done() ran while the store was left alone, on the local state only: the shared half-open
// round was held by a probe that had ended, and every replica skipped a healthy provider
// until the half-open restart. An allow its caller did not wait for is taken back now.
func TestSlowStoreKeepsNoProbeInFlight(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delay time.Duration // the store's GetData latency during replica A's create
	}{
		{"store 700ms slow", 700 * time.Millisecond},
		{"store 1s slow", time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			aA := newStub("a", paygate.INR)
			rA, rB, aB, store := halfOpenReplicas(t, aA)
			ctx := context.Background()

			// Replica A creates while the store is slow: A decides on its own state and sends
			// to a, which answers; the shared step counts it as the half-open probe.
			store.getDelay.Store(int64(tc.delay))
			sets := store.sets.Load()
			res, err := rA.PayIn(ctx, inrPayIn(orderID()))
			require.NoError(t, err)
			require.Equal(t, "a", res.Provider)
			require.Eventually(t, func() bool { return store.sets.Load() > sets }, 5*time.Second, 10*time.Millisecond)
			store.getDelay.Store(0)
			store.settle(t, 100*time.Millisecond)

			// The store is fast again; provider a answered A's request. Replica B must not
			// skip a as "half-open, probe in flight" for the next 30 s.
			res, err = rB.PayIn(ctx, inrPayIn(orderID()))
			require.NoError(t, err)
			st, _ := rB.CircuitState(ctx, "a")
			require.Equal(t, "a", res.Provider,
				"provider a answered replica A's request, yet replica B skips it (shared circuit %v, calls at a via B: %d)", st, aB.Calls())
		})
	}
}

// TestFailingStoreRestsWithoutItsCaller: "a store that fails or is that slow is left alone
// for storeCooldown". A step's store failure rested the store only when its caller was still
// waiting; when the caller's context ended first (a short deadline, or a done() after a create
// that ran to the caller's deadline) the failure was dropped, every queued step asked the
// failing store again, one store timeout each, and goroutines piled up behind sharedMu.
func TestFailingStoreRestsWithoutItsCaller(t *testing.T) {
	for _, tc := range []struct {
		name     string
		deadline time.Duration
		creates  int
	}{
		{"30ms deadline", 30 * time.Millisecond, 5},
		{"100ms deadline", 100 * time.Millisecond, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newSlowStore()
			store.lockWait.Store(int64(300 * time.Millisecond)) // a stalled Redis, then an error
			store.lockFail.Store(true)
			r, err := router.New([]router.Route{{Gateway: newStub("a", paygate.INR)}, {Gateway: newStub("b", paygate.INR), Priority: 1}},
				router.WithBreakerStore(store))
			require.NoError(t, err)

			for range tc.creates {
				ctx, cancel := context.WithTimeout(context.Background(), tc.deadline)
				_, _ = r.PayIn(ctx, inrPayIn(orderID()))
				cancel()
			}
			start := time.Now()
			store.settle(t, 500*time.Millisecond)
			t.Logf("%d creates: the failing store was asked %d times; the backlog drained %v after the last create",
				tc.creates, store.locks.Load(), time.Since(start).Round(10*time.Millisecond))
			require.EqualValues(t, 1, store.locks.Load(),
				"after the store failed once, it must be left alone for storeCooldown, not asked by every queued step")
		})
	}
}

// TestBlackHoledProviderOpensItsCircuitUnderCallerDeadlines: a failure once the caller's
// context ended counted "neither way", meant for a caller that cancels (a customer closing
// the page), but covering too the caller's deadline passing while the provider had not
// answered at all. Config.Timeout defaults to 30 s, longer than a checkout's usual deadline:
// a provider that accepts creates and never answers failed every create at the caller's
// deadline (outcome unknown: no failover), and its circuit never opened. Only a cancel is
// excluded now.
func TestBlackHoledProviderOpensItsCircuitUnderCallerDeadlines(t *testing.T) {
	for _, tc := range []struct {
		name     string
		deadline time.Duration // the caller's, under the gateway's Config.Timeout
	}{
		{"caller deadline 300ms, Config.Timeout 5s", 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stop := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				select { // never answers
				case <-r.Context().Done():
				case <-stop:
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(stop) })
			gw := cashgitAt(t, srv.URL, nil, 5*time.Second)
			r, err := router.New([]router.Route{{Gateway: gw}, {Gateway: newStub("b", paygate.INR), Priority: 1}}) // 5 in a row
			require.NoError(t, err)
			for range 6 {
				ctx, cancel := context.WithTimeout(context.Background(), tc.deadline)
				_, err := r.PayIn(ctx, fixturePayIn(orderID()))
				cancel()
				t.Logf("create: %v", err) // outcome unknown at the caller's deadline
			}
			st, err := r.CircuitState(context.Background(), "cashgit")
			require.NoError(t, err)
			require.Equal(t, gobreaker.StateOpen, st, "a provider that answered none of 6 creates must have its circuit open")
		})
	}
}

// TestBreakerStepsDoNotPileUp: every breaker step with a BreakerStore runs in a goroutine of
// its own, and the steps of one provider are serialized (sharedMu). A caller that gives up
// early (a short deadline, a done() after a cancelled checkout) left its goroutine queued, so
// a store that answers every step well within budget (10 ms here) but serves fewer steps a
// second than the replica asks for gathered one parked goroutine per step, without bound. At
// most maxPending shared steps are under way now; the others are taken on the local state.
func TestBreakerStepsDoNotPileUp(t *testing.T) {
	for _, tc := range []struct {
		name    string
		creates int
	}{
		{"50 creates", 50},
		{"200 creates", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newSlowStore()
			store.getDelay.Store(int64(10 * time.Millisecond)) // each shared step: ~10 ms
			r, err := router.New([]router.Route{{Gateway: newStub("a", "INR")}}, router.WithBreakerStore(store))
			require.NoError(t, err)
			defer store.settle(t, 200*time.Millisecond)

			before := runtime.NumGoroutine()
			var wg sync.WaitGroup
			for range tc.creates {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
					defer cancel()
					_, _ = r.PayIn(ctx, inrPayIn(orderID()))
				})
			}
			wg.Wait()
			left := runtime.NumGoroutine() - before
			t.Logf("%d creates returned; %d goroutines still running breaker steps", tc.creates, left)
			require.LessOrEqual(t, left, 20,
				"breaker steps abandoned by their callers must not pile up (one goroutine per step)")
		})
	}
}

// ctxStub is a stub whose creates are not sent once the caller's context has ended, as a
// real gateway's are (transport: NotSentError wrapping the context's error).
type ctxStub struct{ *stub }

func (s ctxStub) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, &paygate.NotSentError{Provider: s.name, Op: "payin", Err: err}
	}
	return s.stub.PayIn(ctx, req)
}

// TestAbandonedAllowIsNotExcludedTwice: an allow whose caller stopped waiting for the store is
// taken back in the shared state (undo: an exclusion), but the caller went on with its local
// answer, sent (or tried to send) the request and reported it with done() in the same
// generation. When that outcome was itself excluded (the caller's deadline passed before the
// request left, another replica claimed the order, a validation error) the shared state got
// two exclusions for one request: Requests-TotalExclusions (uint32) wrapped round, and every
// replica skipped a half-open provider as "probe in flight" until the round's Timeout.
func TestAbandonedAllowIsNotExcludedTwice(t *testing.T) {
	for _, tc := range []struct {
		name     string
		storeLag time.Duration // the store's GetData latency during replica A's create
		deadline time.Duration // replica A's caller deadline, ending while allow waits
	}{
		{"store 150ms, deadline 40ms", 150 * time.Millisecond, 40 * time.Millisecond},
		{"store 200ms, deadline 80ms", 200 * time.Millisecond, 80 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			aA := ctxStub{newStub("a", paygate.INR)}
			rA, rB, aB, store := halfOpenReplicas(t, aA)
			ctx := context.Background()
			st, err := rA.CircuitState(ctx, "a") // half-open, as A reads it
			require.NoError(t, err)
			require.Equal(t, gobreaker.StateHalfOpen, st)

			// A's create: the store is a little slow, and A's deadline passes while allow
			// waits for it; nothing reaches provider a.
			store.getDelay.Store(int64(tc.storeLag))
			cctx, cancel := context.WithTimeout(ctx, tc.deadline)
			_, _ = rA.PayIn(cctx, inrPayIn(orderID()))
			cancel()
			store.getDelay.Store(0)
			store.settle(t, 100*time.Millisecond)

			store.mu.Lock()
			for k, v := range store.data {
				t.Logf("shared %s: %s", k, v)
			}
			store.mu.Unlock()

			// Nothing is at provider a: B's create must be the half-open probe.
			res, err := rB.PayIn(ctx, inrPayIn(orderID()))
			require.NoError(t, err)
			require.Equal(t, "a", res.Provider,
				"no probe is in flight at provider a, yet replica B skips it (calls at a via B: %d)", aB.Calls())
		})
	}
}
