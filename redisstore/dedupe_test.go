package redisstore_test

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/internal/storetest"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/webhook"
)

// A merchant's function slower than the lease keeps its claim: the holder renews the lease,
// so the provider's retry landing on another replica waits for it and is acknowledged as a
// duplicate instead of running the function a second time, concurrently.
func TestLeaseRenewedWhileFnRuns(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	const lease = 300 * time.Millisecond
	storetest.LeaseRenewed(t, lease, func() webhook.Deduper {
		return redisstore.NewDeduper(replicaClient(t), redisstore.WithKeyPrefix(prefix), redisstore.WithLease(lease))
	})
}

// A claim lost while fn runs (here another holder's token replaces it, as after a takeover)
// cancels fn's context with webhook.ErrClaimLost. When fn stops with it, the provider is
// answered 500 and the callback is not marked handled, so its next delivery is handled; when
// fn returns nil all the same, its work is done and the callback is marked handled.
func TestLostClaimCancelsFnAndIsNotMarked(t *testing.T) {
	admin, prefix := servicetest.Redis(t)
	const lease = 300 * time.Millisecond
	var cause error
	rec := &storetest.Recorder{}
	steal := rec.Func(func(ctx context.Context, order string) {
		keys, err := admin.Keys(ctx, prefix+"dedupe:*"+order).Result()
		if err == nil && len(keys) == 1 {
			err = admin.Set(ctx, keys[0], "c:another-replica", lease).Err()
		}
		if err != nil {
			cause = err
			return
		}
		select {
		case <-ctx.Done():
			cause = context.Cause(ctx)
		case <-time.After(5 * lease):
		}
	})
	d := redisstore.NewDeduper(replicaClient(t), redisstore.WithKeyPrefix(prefix), redisstore.WithLease(lease))
	url := storetest.Replica(t, d, func(ctx context.Context, cb *paygate.Callback) error {
		if rec.Calls()[cb.OrderID] == 0 {
			_ = steal(ctx, cb)
			if cb.OrderID == "order-done-anyway" {
				return nil // fn finished its work though the claim was lost
			}
			return context.Cause(ctx) // fn stops with its context
		}
		return rec.Func(nil)(ctx, cb)
	})
	for _, tc := range []struct {
		order     string
		first     int // the first delivery's answer
		calls     int // fn's calls after a second delivery
		rationale string
	}{
		{"order-lost", http.StatusInternalServerError, 2, "fn stopped: not marked handled, the retry runs it"},
		{"order-done-anyway", http.StatusOK, 1, "fn returned nil: marked handled, the retry is a duplicate"},
	} {
		cause = nil
		body := storetest.Body(tc.order)
		code, _, err := storetest.Post(t.Context(), url, body)
		require.NoError(t, err)
		require.Equal(t, tc.first, code, tc.rationale)
		require.ErrorIs(t, cause, webhook.ErrClaimLost, "fn's context ends with the loss")

		time.Sleep(lease) // the other holder's claim ends
		code, _, err = storetest.Post(t.Context(), url, body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, tc.calls, rec.Calls()[tc.order], tc.rationale)
	}
}

// ownRedis starts a private redis-server on a free port, so that it can be demoted and
// promoted without disturbing the shared one, and returns its address.
func ownRedis(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if servicetest.Required() {
			t.Fatal("redis-server is not on PATH and PAYGATE_REQUIRE_SERVICES=1")
		}
		t.Skip("redis-server is not on PATH: install it to run this test")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	require.NoError(t, ln.Close())
	cmd := exec.Command(path, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", port)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	require.Eventually(t, func() bool { return c.Ping(context.Background()).Err() == nil }, 5*time.Second, 20*time.Millisecond)
	return addr
}

// During a failover the server answers READONLY for a moment. Done keeps trying for its
// write retry budget, so the mark is written once the server is writable again and the
// callback is not handled a second time after the lease.
func TestDoneRetriesThroughReadOnlyFailover(t *testing.T) {
	addr := ownRedis(t)
	client := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	admin := client()
	ctx := t.Context()
	const lease = 2 * time.Second
	a := redisstore.NewDeduper(client(), redisstore.WithLease(lease))
	b := redisstore.NewDeduper(client(), redisstore.WithLease(lease))
	const k = "cashgit|payin|succeeded|ORDER-RO"

	ok, err := a.Claim(ctx, k)
	require.NoError(t, err)
	require.True(t, ok)
	// fn returned nil; the server is demoted for a second, then promoted again.
	require.NoError(t, admin.Do(ctx, "REPLICAOF", "127.0.0.1", "1").Err())
	promoted := make(chan error, 1)
	time.AfterFunc(time.Second, func() { promoted <- admin.Do(context.Background(), "REPLICAOF", "NO", "ONE").Err() })
	require.NoError(t, a.Done(ctx, k), "a READONLY moment within the write retry budget is retried")
	require.NoError(t, <-promoted)

	time.Sleep(lease + 200*time.Millisecond)
	ok, err = b.Claim(ctx, k)
	require.NoError(t, err)
	require.False(t, ok, "the handled callback is not handled again")
}

// hungRedis accepts connections and never answers, as a stalled Redis server (or a
// black-holed network path) does.
func hungRedis(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	return ln.Addr().String()
}

// A stalled Redis does not hold the caller past its context: Limiter.Wait and
// Deduper.Claim return ctx's error promptly.
func TestHonoursContextWhenRedisHangs(t *testing.T) {
	tests := []struct {
		name string
		call func(ctx context.Context, c redis.UniversalClient) error
	}{
		{"LimiterWait", func(ctx context.Context, c redis.UniversalClient) error {
			return redisstore.NewLimiter(c, 10, 1).Wait(ctx, "cashgit:cgpay")
		}},
		{"DeduperClaim", func(ctx context.Context, c redis.UniversalClient) error {
			_, err := redisstore.NewDeduper(c, redisstore.WithWriteRetry(-1)).Claim(ctx, "k")
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := redis.NewClient(&redis.Options{Addr: hungRedis(t), MaxRetries: -1})
			defer c.Close()
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := tc.call(ctx, c)
			took := time.Since(start)
			require.ErrorIs(t, err, context.DeadlineExceeded, "ctx's error, not a store failure")
			require.Less(t, took, time.Second, "a 100 ms deadline ends the call at once")
		})
	}
}
