package redisstore_test

import (
	"context"
	"log"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/tracker/trackertest"
)

func TestTrackerStoreConformance(t *testing.T) {
	trackertest.Run(t, func(t *testing.T) tracker.Store {
		_, prefix := servicetest.Redis(t)
		return redisstore.NewTrackerStore(replicaClient(t), redisstore.WithKeyPrefix(prefix))
	})
}

// Every replica runs a tracker on the same Redis, under the same prefix, and shares the
// webhook's Deduper with it.
func ExampleNewTrackerStore() {
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer func() { _ = c.Close() }()
	gw, err := cashgit.New(paygate.Config{Provider: cashgit.Name, MerchantID: "cgpay", Secret: "your_secret_key"})
	if err != nil {
		log.Fatal(err)
	}
	handle := func(ctx context.Context, provider string, cb *paygate.Callback) error {
		return nil // record the order's new status
	}
	tr := tracker.New([]paygate.Gateway{gw}, redisstore.NewTrackerStore(c, redisstore.WithKeyPrefix("shop:")), handle,
		tracker.WithDeduper(redisstore.NewDeduper(c, redisstore.WithKeyPrefix("shop:"))))
	go func() { _ = tr.Run(ctx) }()
}
