package redisstore_test

import (
	"context"
	"log"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

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

// One unreadable item (a corrupt or foreign record) does not stop the others: Claim returns
// the readable items and parks the bad one, kept but never due again, so no later claim
// spins on it.
func TestTrackerStoreUnreadableItemParked(t *testing.T) {
	c, prefix := servicetest.Redis(t)
	ctx := t.Context()
	s := redisstore.NewTrackerStore(c, redisstore.WithKeyPrefix(prefix))
	t0 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, id := range []string{"G-1", "G-2", "G-3"} {
		require.NoError(t, s.Add(ctx, tracker.Item{Provider: "cashgit", Kind: paygate.KindPayIn, OrderID: id, Created: t0, Due: t0.Add(time.Minute)}))
	}
	bad := tracker.ItemKey("cashgit", paygate.KindPayIn, "BAD")
	require.NoError(t, c.HSet(ctx, prefix+"{tracker}:items", bad, `{"due":"not a time"}`).Err())
	require.NoError(t, c.ZAdd(ctx, prefix+"{tracker}:due", redis.Z{Score: float64(t0.UnixMicro()), Member: bad}).Err())

	items, err := s.Claim(ctx, t0.Add(10*time.Minute), 2*time.Minute, 100)
	require.NoError(t, err)
	require.Len(t, items, 3, "the readable items")
	for _, it := range items {
		require.NotEmpty(t, it.Lease)
	}

	score, err := c.ZScore(ctx, prefix+"{tracker}:due", bad).Result()
	require.NoError(t, err, "parked, not removed")
	require.Greater(t, score, float64(t0.AddDate(1000, 0, 0).UnixMicro()), "due never")
	require.False(t, c.HExists(ctx, prefix+"{tracker}:leases", bad).Val(), "not leased")
	raw, err := c.HGet(ctx, prefix+"{tracker}:items", bad).Result()
	require.NoError(t, err)
	require.JSONEq(t, `{"due":"not a time"}`, raw, "kept as it was, for a person to see")

	items, err = s.Claim(ctx, t0.Add(time.Hour), 2*time.Minute, 100)
	require.NoError(t, err)
	require.Len(t, items, 3, "the leases ended: the readable items again, the parked one not")

	require.NoError(t, s.Remove(ctx, "cashgit", paygate.KindPayIn, "BAD"))
	require.EqualValues(t, 3, c.ZCard(ctx, prefix+"{tracker}:due").Val(), "Remove forgets a parked item")
}
