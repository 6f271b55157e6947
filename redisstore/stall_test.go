package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/internal/storetest"
	"github.com/paygate-go/paygate/redisstore"
)

// A renewal in flight on a stalled Redis is stopped by Close and by Release: before, both
// waited for the renewal's own deadline, the lease's end (two minutes with the default lease),
// Release whatever its context.
func TestEndsStalledRenewal(t *testing.T) {
	for name, end := range map[string]func(d *redisstore.Deduper, key string) error{
		"Close": func(d *redisstore.Deduper, _ string) error { return d.Close() },
		"Release": func(d *redisstore.Deduper, key string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_ = d.Release(ctx, key) // the store does not answer: an error is expected
			return nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, prefix := servicetest.Redis(t)
			opts := servicetest.RedisOptions(t)
			p := storetest.NewProxy(t, opts.Addr)
			opts.Addr = p.Addr()
			opts.ReadTimeout, opts.MaxRetries = 10*time.Second, -1
			c := redis.NewClient(opts)
			defer c.Close()
			const lease = 3 * time.Second
			d := redisstore.NewDeduper(c, redisstore.WithKeyPrefix(prefix), redisstore.WithLease(lease), redisstore.WithWriteRetry(-1))
			defer d.Close()
			const k = "cashgit|payin|succeeded|ORDER-stall"
			ok, err := d.Claim(t.Context(), k)
			require.NoError(t, err)
			require.True(t, ok)
			p.Stall()
			defer p.Restore()
			time.Sleep(lease/3 + 200*time.Millisecond) // a renewal is now waiting for Redis

			start := time.Now()
			require.NoError(t, end(d, k))
			took := time.Since(start)
			require.Less(t, took, time.Second, "%s took %v (the rest of the lease)", name, took)
		})
	}
}
