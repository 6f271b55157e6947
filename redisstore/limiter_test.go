package redisstore_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/redisstore"
)

// cashgitBalance answers every request with CashGit's balance envelope and counts them.
func cashgitBalance(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"code":200,"message":"ok","data":{"available_balance":"1.00","frozen_balance":"0.00","balance":"1.00","currency":"INR"}}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// hammer has every gateway ask for the balance in a loop from two goroutines until window
// ends, and returns how many answers arrived.
func hammer(t *testing.T, gws []*cashgit.Client, window time.Duration) int64 {
	ctx, cancel := context.WithTimeout(t.Context(), window)
	defer cancel()
	var ok atomic.Int64
	var wg sync.WaitGroup
	for _, gw := range gws {
		for range 2 {
			wg.Go(func() {
				for ctx.Err() == nil {
					if _, err := gw.Balance(ctx); err == nil {
						ok.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	for _, gw := range gws {
		gw.CloseIdleConnections()
	}
	return ok.Load()
}

// Four replicas of a backend, each with its own CashGit gateway and Redis client, share
// CashGit's 10 requests per second per merchant through one Redis limiter: in 3 s the
// provider sees at most 30 + burst requests. Without it, each gateway keeps 10/s of its own.
func TestFourGatewaysShareCashGitLimit(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	const window = 3 * time.Second
	const burst = 1
	cfg := func(base string) paygate.Config {
		return paygate.Config{Provider: cashgit.Name, MerchantID: "cgpay", Secret: "test-secret", BaseURL: base}
	}

	t.Run("SharedRedisLimiter", func(t *testing.T) {
		srv, sent := cashgitBalance(t)
		var gws []*cashgit.Client
		keys := &keyRecorder{}
		for range 4 {
			l := redisstore.NewLimiter(replicaClient(t), cashgit.DefaultRateLimit, burst, redisstore.WithKeyPrefix(prefix))
			gw, err := cashgit.New(cfg(srv.URL), paygate.WithLimiter(keys.wrap(l)))
			require.NoError(t, err)
			gws = append(gws, gw)
		}
		answered := hammer(t, gws, window)
		t.Logf("four gateways, one Redis limiter: %d requests reached the provider in %v", sent.Load(), window)
		require.LessOrEqual(t, sent.Load(), int64(30+burst), "at most rate·T + burst")
		require.GreaterOrEqual(t, sent.Load(), int64(20), "the limit is used, not starved")
		require.LessOrEqual(t, answered, sent.Load())
		require.Equal(t, []string{"cashgit:cgpay"}, keys.seen(), "keyed by provider and merchant")
	})

	t.Run("InProcessLimitersForComparison", func(t *testing.T) {
		srv, sent := cashgitBalance(t)
		var gws []*cashgit.Client
		for range 4 {
			gw, err := cashgit.New(cfg(srv.URL))
			require.NoError(t, err)
			gws = append(gws, gw)
		}
		hammer(t, gws, window)
		t.Logf("four gateways, each its own limiter: %d requests reached the provider in %v", sent.Load(), window)
		require.Greater(t, sent.Load(), int64(30+burst), "four in-process limits add up")
	})
}

// keyRecorder notes the keys its Limiters are asked for.
type keyRecorder struct {
	mu   sync.Mutex
	keys map[string]bool
}

type recordingLimiter struct {
	paygate.Limiter
	r *keyRecorder
}

func (r *keyRecorder) wrap(l paygate.Limiter) paygate.Limiter { return recordingLimiter{l, r} }

func (l recordingLimiter) Wait(ctx context.Context, key string) error {
	l.r.mu.Lock()
	if l.r.keys == nil {
		l.r.keys = map[string]bool{}
	}
	l.r.keys[key] = true
	l.r.mu.Unlock()
	return l.Limiter.Wait(ctx, key)
}

func (r *keyRecorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(maps.Keys(r.keys))
}

// A Limiter whose Redis is away says so with an error that is not the context's: the
// transport then sends anyway, with one Warn line.
func TestLimiterRedisAway(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	err := redisstore.NewLimiter(c, 10, 1).Wait(t.Context(), "cashgit:cgpay")
	require.Error(t, err)
	require.NotErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "redisstore: limiter")
}

// A Deduper whose Redis is away fails Claim: the webhook answers 500 and the provider
// delivers again.
func TestDeduperRedisAway(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	d := redisstore.NewDeduper(c, redisstore.WithWriteRetry(-1))
	ok, err := d.Claim(t.Context(), "k")
	require.False(t, ok)
	require.ErrorContains(t, err, "redisstore: claim")
	require.Error(t, d.Done(t.Context(), "k"))
	require.NoError(t, d.Release(t.Context(), "k"), "nothing held here to give up")
}

// TestRetriesWaitOnTheLimiter: the limiter paces "the requests a Gateway sends to its
// provider", so that all replicas share CashGit's per-merchant rate. A read (balance, query)
// answered 429 or 5xx is retried by the transport, and only the first attempt waited on the
// limiter: under a provider's own rate-limit answer (429) it saw two to three times the
// configured rate, where keeping to it matters most. Every attempt waits now.
func TestRetriesWaitOnTheLimiter(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	const (
		r      = 2 // requests per second
		burst  = 1
		window = 1500 * time.Millisecond
	)
	allowed := int64(burst + r*window.Seconds()) // at most burst + rate·T in T

	for _, tc := range []struct {
		name    string
		status  int
		limiter func(t *testing.T) (paygate.Option, map[string]string)
	}{
		{"RedisLimiter/429", http.StatusTooManyRequests, func(t *testing.T) (paygate.Option, map[string]string) {
			return paygate.WithLimiter(redisstore.NewLimiter(replicaClient(t), rate.Limit(r), burst,
				redisstore.WithKeyPrefix(prefix+t.Name()))), nil
		}},
		{"RedisLimiter/503", http.StatusServiceUnavailable, func(t *testing.T) (paygate.Option, map[string]string) {
			return paygate.WithLimiter(redisstore.NewLimiter(replicaClient(t), rate.Limit(r), burst,
				redisstore.WithKeyPrefix(prefix+t.Name()))), nil
		}},
		{"InProcessLimiter/429", http.StatusTooManyRequests, func(*testing.T) (paygate.Option, map[string]string) {
			return nil, map[string]string{"rate_limit": "2"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sent atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				sent.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{"code":429,"message":"too many requests"}`))
			}))
			defer srv.Close()
			opt, options := tc.limiter(t)
			var opts []paygate.Option
			if opt != nil {
				opts = append(opts, opt)
			}
			gw, err := cashgit.New(paygate.Config{Provider: cashgit.Name, MerchantID: "cgpay", Secret: "test-secret",
				BaseURL: srv.URL, Options: options}, opts...) // paygate.DefaultRetry: 3 attempts
			require.NoError(t, err)
			defer gw.CloseIdleConnections()

			ctx, cancel := context.WithTimeout(t.Context(), window)
			defer cancel()
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for ctx.Err() == nil {
						_, _ = gw.Balance(ctx)
					}
				})
			}
			wg.Wait()
			t.Logf("limiter %d/s burst %d: the provider saw %d requests in %v", r, burst, sent.Load(), window)
			require.LessOrEqual(t, sent.Load(), allowed+1,
				"the provider must see at most burst + rate·T requests in T, retries included")
		})
	}
}
