package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/webhook"
)

// Replicas is one test's store for RunReplicas: a fresh namespace on the server, and how to
// reach it.
type Replicas struct {
	// NS is the namespace (key prefix, schema) the test's replicas and helper processes share.
	NS string
	// Addr is the server's host:port, for a proxy between it and the replicas.
	Addr string
	// Open returns one replica's Deduper on NS, with connections of its own, to addr ("" is
	// Addr) and with lease (zero is the store's default).
	Open func(t testing.TB, addr string, lease time.Duration) webhook.Deduper
	// Kill kills the server's connections of the replicas Open made, and reports how many.
	Kill func(ctx context.Context) (int, error)
}

// The load of every scenario: 20 callbacks delivered 10 times each, concurrently.
const (
	callbacks = 20
	copies    = 10
)

// RunReplicas runs the property the stores exist for, as subtests of t, each on a Replicas
// from open: replicas with their own connections receive duplicates concurrently, the
// merchant's function runs once per callback, every delivery is acknowledged (a 500 is
// delivered again, as a provider does), none is lost — with replicas in other processes, a
// replica killed while holding a claim, the store going away, connections killed. The
// package's TestHelperProcess serves a helper replica (ServeHelper) on NS() with Lease().
func RunReplicas(t *testing.T, open func(t *testing.T) Replicas) {
	t.Run("ExactlyOnce", func(t *testing.T) {
		r := open(t)
		rec := &Recorder{Delay: 5 * time.Millisecond}
		var urls []string
		for range 4 {
			urls = append(urls, Replica(t, r.Open(t, "", 0), rec.Func(nil)))
		}
		deliver(t, urls, Delivery{Callbacks: callbacks, Copies: copies})
		require.NoError(t, ExactlyOnce(callbacks, rec.Calls()))
		require.Empty(t, rec.Overlaps())
	})

	t.Run("TwoProcesses", func(t *testing.T) {
		r := open(t)
		env := []string{NSEnv + "=" + r.NS, LeaseEnv + "=1m"}
		h1 := StartHelper(t, env...)
		h2 := StartHelper(t, env...)
		rec := &Recorder{Delay: 5 * time.Millisecond}
		urls := []string{h1.URL, h2.URL, Replica(t, r.Open(t, "", 0), rec.Func(nil))}
		deliver(t, urls, Delivery{Callbacks: callbacks, Copies: copies})
		h1.Stop()
		h2.Stop()
		t.Logf("calls: helper 1 %d, helper 2 %d, this process %d", len(h1.Calls()), len(h2.Calls()), len(rec.Calls()))
		require.NoError(t, ExactlyOnce(callbacks, h1.Calls(), h2.Calls(), rec.Calls()))
	})

	// A replica killed while its function runs holds the claim; another replica handles the
	// callback once the lease ends, and exactly once.
	t.Run("KilledHoldingClaim", func(t *testing.T) {
		r := open(t)
		const lease = time.Second
		crash := Order(0)
		h := StartHelper(t, NSEnv+"="+r.NS, LeaseEnv+"="+lease.String(), HoldEnv+"="+crash)
		first := make(chan error, 1)
		go func() {
			_, _, err := Post(t.Context(), h.URL, Body(crash))
			first <- err
		}()
		select {
		case <-h.Holds():
		case <-time.After(10 * time.Second):
			t.Fatal("the helper never started handling the callback")
		}
		h.Kill()
		require.Error(t, <-first, "the killed replica never answered")
		killed := time.Now()

		rec := &Recorder{}
		url := Replica(t, r.Open(t, "", lease), rec.Func(nil))
		code, body, err := Post(t.Context(), url, Body(crash))
		require.NoError(t, err)
		require.Equal(t, 200, code, body)
		t.Logf("handled by the other replica %v after the kill", time.Since(killed).Round(time.Millisecond))
		require.Equal(t, map[string]int{crash: 1}, rec.Calls())
		// Its duplicates are now acknowledged without another call.
		code, _, err = Post(t.Context(), url, Body(crash))
		require.NoError(t, err)
		require.Equal(t, 200, code)
		require.Equal(t, map[string]int{crash: 1}, rec.Calls())
	})

	// The store goes away for the replicas mid-run (a proxy between them and the server drops
	// every connection and refuses new ones for a while): deliveries meanwhile are answered
	// 500, none is handled twice, and all are handled once the store is back.
	t.Run("StoreOutage", func(t *testing.T) {
		r := open(t)
		proxy := NewProxy(t, r.Addr)
		rec := &Recorder{Delay: 100 * time.Millisecond} // calls in flight when the store goes
		var urls []string
		for range 3 {
			urls = append(urls, Replica(t, r.Open(t, proxy.Addr(), 5*time.Second), rec.Func(nil)))
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			time.Sleep(500 * time.Millisecond)
			proxy.Cut()
			time.Sleep(2500 * time.Millisecond) // longer than a client library's own retries
			proxy.Restore()
		})
		st := deliver(t, urls, Delivery{Callbacks: callbacks, Copies: copies, Spread: 4 * time.Second, Pause: 100 * time.Millisecond})
		wg.Wait()
		require.Positive(t, st.Failed, "deliveries during the outage are answered 500")
		require.NoError(t, ExactlyOnce(callbacks, rec.Calls()))
		require.Empty(t, rec.Overlaps())
	})

	// The replicas' connections are killed over and over for a while mid-run: no callback is
	// handled twice and all are handled.
	t.Run("ConnectionsKilled", func(t *testing.T) {
		r := open(t)
		rec := &Recorder{Delay: 10 * time.Millisecond}
		var urls []string
		for range 3 {
			urls = append(urls, Replica(t, r.Open(t, "", 5*time.Second), rec.Func(nil)))
		}
		// Kill for the first 1.5 s of the deliveries, and on until a connection was killed (on
		// a loaded machine the replicas may connect late), then let the replicas recover.
		ctx, cancel := context.WithCancel(t.Context())
		until := time.Now().Add(1500 * time.Millisecond)
		var wg sync.WaitGroup
		var kills int
		wg.Go(func() {
			for ctx.Err() == nil && (time.Now().Before(until) || kills == 0) {
				n, err := r.Kill(ctx)
				if err != nil {
					if ctx.Err() == nil {
						t.Logf("killing: %v", err)
					}
					return
				}
				kills += n
				time.Sleep(30 * time.Millisecond)
			}
		})
		st := deliver(t, urls, Delivery{Callbacks: callbacks, Copies: copies, Spread: 2 * time.Second, Pause: 50 * time.Millisecond})
		cancel()
		wg.Wait()
		t.Logf("connections killed: %d; answered 500: %d", kills, st.Failed)
		require.Positive(t, kills)
		require.NoError(t, ExactlyOnce(callbacks, rec.Calls()))
		require.Empty(t, rec.Overlaps())
	})
}

// deliver delivers d to urls within a minute and requires every delivery acknowledged.
func deliver(t *testing.T, urls []string, d Delivery) Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	st := Deliver(ctx, urls, d)
	t.Logf("deliveries: %+v", st)
	require.Zero(t, st.Unfinished, "every delivery acknowledged in the end")
	require.EqualValues(t, d.Callbacks*d.Copies, st.Acked)
	return st
}
