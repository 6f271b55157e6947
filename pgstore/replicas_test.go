package pgstore_test

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/internal/storetest"
	"github.com/paygate-go/paygate/pgstore"
)

// The property the stores exist for, on PostgreSQL: replicas with their own pools receive
// duplicates concurrently, the merchant's function runs once per callback, every delivery is
// acknowledged (a 500 is delivered again, as a provider does), none is lost.

const (
	callbacks = 20
	copies    = 10 // 200 deliveries
)

// replica is one in-process replica: its own pool (its connections carry application_name
// app, so that a test can find them), through addr when set, and Deduper.
func replica(t *testing.T, schema, app, addr string, opts ...pgstore.Option) *pgstore.Deduper {
	t.Helper()
	cfg := servicetest.PostgresConfig(t, schema)
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	if addr != "" {
		host, port, err := net.SplitHostPort(addr)
		require.NoError(t, err)
		p, err := strconv.ParseUint(port, 10, 16)
		require.NoError(t, err)
		cfg.ConnConfig.Host, cfg.ConnConfig.Port = host, uint16(p)
		cfg.ConnConfig.Fallbacks = nil
		cfg.ConnConfig.ConnectTimeout = time.Second
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	d, err := pgstore.NewDeduper(pool, opts...)
	require.NoError(t, err)
	return d
}

func deliver(t *testing.T, urls []string, d storetest.Delivery) storetest.Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	st := storetest.Deliver(ctx, urls, d)
	t.Logf("deliveries: %+v", st)
	require.Zero(t, st.Unfinished, "every delivery acknowledged in the end")
	require.EqualValues(t, d.Callbacks*d.Copies, st.Acked)
	return st
}

func TestReplicasExactlyOnce(t *testing.T) {
	_, schema := migrated(t)
	rec := &storetest.Recorder{Delay: 5 * time.Millisecond}
	var urls []string
	for range 4 {
		urls = append(urls, storetest.Replica(t, replica(t, schema, "paygatetest", ""), rec.Func(nil)))
	}
	deliver(t, urls, storetest.Delivery{Callbacks: callbacks, Copies: copies})
	require.NoError(t, storetest.ExactlyOnce(callbacks, rec.Calls()))
	require.Empty(t, rec.Overlaps())
}

// TestHelperProcess is a replica in another OS process, started by the tests below.
func TestHelperProcess(t *testing.T) {
	if !storetest.IsHelper() {
		return
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), servicetest.PostgresConfig(t, storetest.NS()))
	require.NoError(t, err)
	defer pool.Close()
	d, err := pgstore.NewDeduper(pool, pgstore.WithLease(storetest.Lease(t)))
	require.NoError(t, err)
	storetest.ServeHelper(t, d)
}

func TestReplicasTwoProcesses(t *testing.T) {
	_, schema := migrated(t)
	env := []string{storetest.NSEnv + "=" + schema, storetest.LeaseEnv + "=1m"}
	h1 := storetest.StartHelper(t, env...)
	h2 := storetest.StartHelper(t, env...)
	rec := &storetest.Recorder{Delay: 5 * time.Millisecond}
	urls := []string{h1.URL, h2.URL, storetest.Replica(t, replica(t, schema, "paygatetest", ""), rec.Func(nil))}
	deliver(t, urls, storetest.Delivery{Callbacks: callbacks, Copies: copies})
	h1.Stop()
	h2.Stop()
	t.Logf("calls: helper 1 %d, helper 2 %d, this process %d", len(h1.Calls()), len(h2.Calls()), len(rec.Calls()))
	require.NoError(t, storetest.ExactlyOnce(callbacks, h1.Calls(), h2.Calls(), rec.Calls()))
}

// A replica killed while its function runs holds the claim; another replica handles the
// callback once the lease ends, and exactly once.
func TestReplicaKilledHoldingClaim(t *testing.T) {
	_, schema := migrated(t)
	const lease = time.Second
	crash := storetest.Order(0)
	h := storetest.StartHelper(t, storetest.NSEnv+"="+schema, storetest.LeaseEnv+"="+lease.String(), storetest.HoldEnv+"="+crash)

	first := make(chan error, 1)
	go func() {
		_, _, err := storetest.Post(t.Context(), h.URL, storetest.Body(crash))
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

	rec := &storetest.Recorder{}
	url := storetest.Replica(t, replica(t, schema, "paygatetest", "", pgstore.WithLease(lease)), rec.Func(nil))
	code, body, err := storetest.Post(t.Context(), url, storetest.Body(crash))
	require.NoError(t, err)
	require.Equal(t, 200, code, body)
	t.Logf("handled by the other replica %v after the kill", time.Since(killed).Round(time.Millisecond))
	require.Equal(t, map[string]int{crash: 1}, rec.Calls())
	code, _, err = storetest.Post(t.Context(), url, storetest.Body(crash))
	require.NoError(t, err)
	require.Equal(t, 200, code)
	require.Equal(t, map[string]int{crash: 1}, rec.Calls())
}

// PostgreSQL goes away for the replicas mid-run (a proxy between them and the server drops
// every connection and refuses new ones for a while): deliveries meanwhile are answered
// 500, none is handled twice, and all are handled once the server is back.
func TestStoreOutage(t *testing.T) {
	_, schema := migrated(t)
	cfg := servicetest.PostgresConfig(t, schema)
	proxy := storetest.NewProxy(t, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	rec := &storetest.Recorder{Delay: 100 * time.Millisecond} // calls in flight when the store goes
	var urls []string
	for range 3 {
		d := replica(t, schema, "paygatetest", proxy.Addr(), pgstore.WithLease(5*time.Second))
		urls = append(urls, storetest.Replica(t, d, rec.Func(nil)))
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		time.Sleep(500 * time.Millisecond)
		proxy.Cut()
		time.Sleep(2500 * time.Millisecond)
		proxy.Restore()
	})
	st := deliver(t, urls, storetest.Delivery{Callbacks: callbacks, Copies: copies, Spread: 4 * time.Second, Pause: 100 * time.Millisecond})
	wg.Wait()
	require.Positive(t, st.Failed, "deliveries during the outage are answered 500")
	require.NoError(t, storetest.ExactlyOnce(callbacks, rec.Calls()))
	require.Empty(t, rec.Overlaps())
}

// The replicas' connections are terminated over and over for a while mid-run (pg_terminate_backend):
// no callback is handled twice and all are handled.
func TestConnectionsKilled(t *testing.T) {
	admin, schema := migrated(t)
	app := "paygatetest_" + schema
	rec := &storetest.Recorder{Delay: 10 * time.Millisecond}
	var urls []string
	for range 3 {
		d := replica(t, schema, app, "", pgstore.WithLease(5*time.Second))
		urls = append(urls, storetest.Replica(t, d, rec.Func(nil)))
	}
	// Kill for the first 1.5 s of the deliveries, and on until a connection was killed (on a
	// loaded machine the replicas may connect late), then let the replicas recover.
	ctx, cancel := context.WithCancel(t.Context())
	until := time.Now().Add(1500 * time.Millisecond)
	var wg sync.WaitGroup
	var kills int
	wg.Go(func() {
		for ctx.Err() == nil && (time.Now().Before(until) || kills == 0) {
			var n int
			err := admin.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n)
			if err != nil {
				if ctx.Err() == nil {
					t.Logf("terminating: %v", err)
				}
				return
			}
			kills += n
			time.Sleep(50 * time.Millisecond)
		}
	})
	st := deliver(t, urls, storetest.Delivery{Callbacks: callbacks, Copies: copies, Spread: 2 * time.Second, Pause: 50 * time.Millisecond})
	cancel()
	wg.Wait()
	t.Logf("connections terminated: %d; answered 500: %d", kills, st.Failed)
	require.Positive(t, kills)
	require.NoError(t, storetest.ExactlyOnce(callbacks, rec.Calls()))
	require.Empty(t, rec.Overlaps())
}
