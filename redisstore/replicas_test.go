package redisstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/internal/storetest"
	"github.com/paygate-go/paygate/redisstore"
)

// The property the stores exist for, on Redis: replicas with their own clients receive
// duplicates concurrently, the merchant's function runs once per callback, every delivery is
// acknowledged (a 500 is delivered again, as a provider does), none is lost.

const (
	callbacks = 20
	copies    = 10 // 200 deliveries
)

// replica is one in-process replica: its own client (named, so that a test can find its
// connections) and Deduper.
func replica(t *testing.T, prefix, addr string, opts ...redisstore.Option) (*redisstore.Deduper, *redis.Client) {
	t.Helper()
	o := servicetest.RedisOptions(t)
	if addr != "" {
		o.Addr = addr
	}
	o.ClientName = "paygatetest-" + strings.TrimSuffix(prefix, ":")
	c := redis.NewClient(o)
	t.Cleanup(func() { _ = c.Close() })
	return redisstore.NewDeduper(c, append([]redisstore.Option{redisstore.WithKeyPrefix(prefix)}, opts...)...), c
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
	_, prefix := servicetest.Redis(t)
	rec := &storetest.Recorder{Delay: 5 * time.Millisecond}
	var urls []string
	for range 4 {
		d, _ := replica(t, prefix, "")
		urls = append(urls, storetest.Replica(t, d, rec.Func(nil)))
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
	c := redis.NewClient(servicetest.RedisOptions(t))
	defer c.Close()
	storetest.ServeHelper(t, redisstore.NewDeduper(c,
		redisstore.WithKeyPrefix(storetest.NS()), redisstore.WithLease(storetest.Lease(t))))
}

func TestReplicasTwoProcesses(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	env := []string{storetest.NSEnv + "=" + prefix, storetest.LeaseEnv + "=1m"}
	h1 := storetest.StartHelper(t, env...)
	h2 := storetest.StartHelper(t, env...)
	rec := &storetest.Recorder{Delay: 5 * time.Millisecond}
	d, _ := replica(t, prefix, "")
	urls := []string{h1.URL, h2.URL, storetest.Replica(t, d, rec.Func(nil))}
	deliver(t, urls, storetest.Delivery{Callbacks: callbacks, Copies: copies})
	h1.Stop()
	h2.Stop()
	t.Logf("calls: helper 1 %d, helper 2 %d, this process %d", len(h1.Calls()), len(h2.Calls()), len(rec.Calls()))
	require.NoError(t, storetest.ExactlyOnce(callbacks, h1.Calls(), h2.Calls(), rec.Calls()))
}

// A replica killed while its function runs holds the claim; another replica handles the
// callback once the lease ends, and exactly once.
func TestReplicaKilledHoldingClaim(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	const lease = time.Second
	crash := storetest.Order(0)
	h := storetest.StartHelper(t, storetest.NSEnv+"="+prefix, storetest.LeaseEnv+"="+lease.String(), storetest.HoldEnv+"="+crash)

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
	d, _ := replica(t, prefix, "", redisstore.WithLease(lease))
	url := storetest.Replica(t, d, rec.Func(nil))
	code, body, err := storetest.Post(t.Context(), url, storetest.Body(crash))
	require.NoError(t, err)
	require.Equal(t, 200, code, body)
	t.Logf("handled by the other replica %v after the kill", time.Since(killed).Round(time.Millisecond))
	require.Equal(t, map[string]int{crash: 1}, rec.Calls())
	// Its duplicates are now acknowledged without another call.
	code, _, err = storetest.Post(t.Context(), url, storetest.Body(crash))
	require.NoError(t, err)
	require.Equal(t, 200, code)
	require.Equal(t, map[string]int{crash: 1}, rec.Calls())
}

// Redis goes away for the replicas mid-run (a proxy between them and Redis drops every
// connection and refuses new ones for a while): deliveries meanwhile are answered 500, none
// is handled twice, and all are handled once Redis is back.
func TestStoreOutage(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	proxy := storetest.NewProxy(t, servicetest.RedisOptions(t).Addr)
	rec := &storetest.Recorder{Delay: 100 * time.Millisecond} // calls in flight when the store goes
	var urls []string
	for range 3 {
		d, _ := replica(t, prefix, proxy.Addr(), redisstore.WithLease(5*time.Second))
		urls = append(urls, storetest.Replica(t, d, rec.Func(nil)))
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		time.Sleep(500 * time.Millisecond)
		proxy.Cut()
		time.Sleep(2500 * time.Millisecond) // longer than go-redis's own retries
		proxy.Restore()
	})
	st := deliver(t, urls, storetest.Delivery{Callbacks: callbacks, Copies: copies, Spread: 4 * time.Second, Pause: 100 * time.Millisecond})
	wg.Wait()
	require.Positive(t, st.Failed, "deliveries during the outage are answered 500")
	require.NoError(t, storetest.ExactlyOnce(callbacks, rec.Calls()))
	require.Empty(t, rec.Overlaps())
}

// The replicas' connections are killed over and over for a while mid-run (CLIENT KILL): no callback is
// handled twice and all are handled.
func TestConnectionsKilled(t *testing.T) {
	admin, prefix := servicetest.Redis(t)
	rec := &storetest.Recorder{Delay: 10 * time.Millisecond}
	var urls []string
	for range 3 {
		d, _ := replica(t, prefix, "", redisstore.WithLease(5*time.Second))
		urls = append(urls, storetest.Replica(t, d, rec.Func(nil)))
	}
	name := "paygatetest-" + strings.TrimSuffix(prefix, ":")
	// Kill for the first 1.5 s of the deliveries, then let the replicas recover.
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	var wg sync.WaitGroup
	var kills int
	wg.Go(func() {
		for ctx.Err() == nil {
			list, err := admin.ClientList(ctx).Result()
			if err != nil {
				return
			}
			for line := range strings.Lines(list) {
				if strings.Contains(line, " name="+name+" ") {
					id, _, _ := strings.Cut(strings.TrimPrefix(line, "id="), " ")
					if admin.Do(ctx, "CLIENT", "KILL", "ID", id).Err() == nil {
						kills++
					}
				}
			}
			time.Sleep(30 * time.Millisecond)
		}
	})
	st := deliver(t, urls, storetest.Delivery{Callbacks: callbacks, Copies: copies, Spread: 2 * time.Second, Pause: 50 * time.Millisecond})
	cancel()
	wg.Wait()
	t.Logf("connections killed: %d; answered 500: %d", kills, st.Failed)
	require.Positive(t, kills)
	require.NoError(t, storetest.ExactlyOnce(callbacks, rec.Calls()))
	require.Empty(t, rec.Overlaps())
}
