package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/pgstore"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/tracker/trackertest"
)

// Each subtest has a tracker table of its own in the test's schema, under a prefix of its own.
func TestTrackerStoreConformance(t *testing.T) {
	pool, schema := servicetest.Postgres(t)
	n := 0
	trackertest.Run(t, func(t *testing.T) tracker.Store {
		n++
		prefix := pgstore.WithTablePrefix(fmt.Sprintf("t%d_", n))
		require.NoError(t, pgstore.Migrate(t.Context(), pool, prefix))
		s, err := pgstore.NewTrackerStore(replicaPool(t, schema), prefix)
		require.NoError(t, err)
		return s
	})
}

func TestTrackerStoreBadPrefix(t *testing.T) {
	_, err := pgstore.NewTrackerStore(nil, pgstore.WithTablePrefix("bad-prefix"))
	require.Error(t, err)
}

// Every replica runs Migrate, then a tracker on a TrackerStore of the same database.
func ExampleNewTrackerStore() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://app@127.0.0.1:5432/shop")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := pgstore.Migrate(ctx, pool); err != nil {
		log.Fatal(err)
	}
	store, err := pgstore.NewTrackerStore(pool)
	if err != nil {
		log.Fatal(err)
	}
	gw, err := cashgit.New(paygate.Config{Provider: cashgit.Name, MerchantID: "cgpay", Secret: "your_secret_key"})
	if err != nil {
		log.Fatal(err)
	}
	tr := tracker.New([]paygate.Gateway{gw}, store, func(ctx context.Context, provider string, cb *paygate.Callback) error {
		return nil // record the order's new status
	})
	go func() { _ = tr.Run(ctx) }()
}

// One unreadable item (valid JSON, but not a tracker.Item) does not stop the others: Claim
// returns the readable items and parks the bad row, kept but never due again.
func TestTrackerStoreUnreadableItemParked(t *testing.T) {
	pool, _ := servicetest.Postgres(t)
	ctx := t.Context()
	require.NoError(t, pgstore.Migrate(ctx, pool))
	s, err := pgstore.NewTrackerStore(pool)
	require.NoError(t, err)
	t0 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, id := range []string{"G-1", "G-2", "G-3"} {
		require.NoError(t, s.Add(ctx, tracker.Item{Provider: "cashgit", Kind: paygate.KindPayIn, OrderID: id, Created: t0, Due: t0.Add(time.Minute)}))
	}
	_, err = pool.Exec(ctx, `INSERT INTO paygate_tracker (provider, kind, order_id, due, item) VALUES ('cashgit', 'payin', 'BAD', $1, '{"due":"not a time"}')`, t0)
	require.NoError(t, err)

	items, err := s.Claim(ctx, t0.Add(10*time.Minute), 2*time.Minute, 100)
	require.NoError(t, err)
	require.Len(t, items, 3, "the readable items")

	var due time.Time
	var leased bool
	var item string
	require.NoError(t, pool.QueryRow(ctx, `SELECT due, lease IS NOT NULL, item::text FROM paygate_tracker WHERE order_id = 'BAD'`).Scan(&due, &leased, &item))
	require.True(t, due.After(t0.AddDate(1000, 0, 0)), "due never: %v", due)
	require.False(t, leased)
	require.JSONEq(t, `{"due":"not a time"}`, item, "kept as it was, for a person to see")

	items, err = s.Claim(ctx, t0.Add(time.Hour), 2*time.Minute, 100)
	require.NoError(t, err)
	require.Len(t, items, 3, "the leases ended: the readable items again, the parked one not")
}
