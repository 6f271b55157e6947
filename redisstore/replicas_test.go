package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/internal/storetest"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/webhook"
)

// The property the stores exist for, on Redis: replicas with their own clients receive
// duplicates concurrently and the merchant's function runs once per callback, through other
// processes, killed replicas, an outage and killed connections (storetest.RunReplicas).
func TestReplicas(t *testing.T) {
	storetest.RunReplicas(t, func(t *testing.T) storetest.Replicas {
		admin, prefix := servicetest.Redis(t)
		// Every client of the test's replicas carries this name, so that Kill finds them.
		name := "paygatetest-" + strings.TrimSuffix(prefix, ":")
		return storetest.Replicas{
			NS:   prefix,
			Addr: servicetest.RedisOptions(t).Addr,
			Open: func(t testing.TB, addr string, lease time.Duration) webhook.Deduper {
				o := servicetest.RedisOptions(t)
				if addr != "" {
					o.Addr = addr
				}
				o.ClientName = name
				c := redis.NewClient(o)
				t.Cleanup(func() { _ = c.Close() })
				return redisstore.NewDeduper(c, redisstore.WithKeyPrefix(prefix), redisstore.WithLease(lease))
			},
			Kill: func(ctx context.Context) (int, error) {
				list, err := admin.ClientList(ctx).Result()
				if err != nil {
					return 0, err
				}
				kills := 0
				for line := range strings.Lines(list) {
					if strings.Contains(line, " name="+name+" ") {
						id, _, _ := strings.Cut(strings.TrimPrefix(line, "id="), " ")
						if admin.Do(ctx, "CLIENT", "KILL", "ID", id).Err() == nil {
							kills++
						}
					}
				}
				return kills, nil
			},
		}
	})
}

// TestHelperProcess is a replica in another OS process, started by TestReplicas.
func TestHelperProcess(t *testing.T) {
	if !storetest.IsHelper() {
		return
	}
	c := redis.NewClient(servicetest.RedisOptions(t))
	defer c.Close()
	storetest.ServeHelper(t, redisstore.NewDeduper(c,
		redisstore.WithKeyPrefix(storetest.NS()), redisstore.WithLease(storetest.Lease(t))))
}
