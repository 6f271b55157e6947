package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"testing"

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
