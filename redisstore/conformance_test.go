package redisstore_test

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/paygatetest/limitertest"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/webhook"
	"github.com/paygate-go/paygate/webhook/dedupetest"
)

// replicaClient opens one more client to the test's Redis, as another replica would, and
// closes it when the test ends.
func replicaClient(t *testing.T) *redis.Client {
	c := redis.NewClient(servicetest.RedisOptions(t))
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestDeduperConformance(t *testing.T) {
	dedupetest.Run(t, func(t *testing.T, cfg dedupetest.Config) func() webhook.Deduper {
		_, prefix := servicetest.Redis(t)
		return func() webhook.Deduper {
			return redisstore.NewDeduper(replicaClient(t), redisstore.WithKeyPrefix(prefix),
				redisstore.WithLease(cfg.Lease), redisstore.WithDoneTTL(cfg.DoneTTL))
		}
	})
}

func TestLimiterConformance(t *testing.T) {
	limitertest.Run(t, func(t *testing.T, r rate.Limit, burst int) func() paygate.Limiter {
		_, prefix := servicetest.Redis(t)
		return func() paygate.Limiter {
			return redisstore.NewLimiter(replicaClient(t), r, burst, redisstore.WithKeyPrefix(prefix))
		}
	})
}
