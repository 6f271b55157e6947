package pgstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/pgstore"
	"github.com/paygate-go/paygate/webhook"
	"github.com/paygate-go/paygate/webhook/dedupetest"
)

// migrated returns a pool on a fresh schema holding paygate's tables, and that schema.
func migrated(t *testing.T, opts ...pgstore.Option) (*pgxpool.Pool, string) {
	t.Helper()
	pool, schema := servicetest.Postgres(t)
	require.NoError(t, pgstore.Migrate(t.Context(), pool, opts...))
	return pool, schema
}

// replicaPool opens one more pool on schema, as another replica would, closed when the test
// ends.
func replicaPool(t *testing.T, schema string) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.NewWithConfig(context.Background(), servicetest.PostgresConfig(t, schema))
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

// Each subtest has tables of its own in the test's schema, under a prefix of its own.
func TestDeduperConformance(t *testing.T) {
	pool, schema := servicetest.Postgres(t)
	n := 0
	dedupetest.Run(t, func(t *testing.T, cfg dedupetest.Config) func() webhook.Deduper {
		n++
		prefix := pgstore.WithTablePrefix(fmt.Sprintf("t%d_", n))
		require.NoError(t, pgstore.Migrate(t.Context(), pool, prefix))
		return func() webhook.Deduper {
			d, err := pgstore.NewDeduper(replicaPool(t, schema), prefix, pgstore.WithLease(cfg.Lease), pgstore.WithDoneTTL(cfg.DoneTTL))
			require.NoError(t, err)
			return d
		}
	})
}
