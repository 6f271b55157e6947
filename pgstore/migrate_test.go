package pgstore_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/pgstore"
)

func TestMigrateIdempotentAndConcurrent(t *testing.T) {
	pool, _ := servicetest.Postgres(t)
	// Replicas starting together all migrate.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = pgstore.Migrate(t.Context(), pool) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, pgstore.Migrate(t.Context(), pool), "again")
	var n int
	require.NoError(t, pool.QueryRow(t.Context(),
		`SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'paygate_dedupe'`).Scan(&n))
	require.Equal(t, 1, n)
}

func TestMigrateTablePrefix(t *testing.T) {
	pool, _ := servicetest.Postgres(t)
	require.NoError(t, pgstore.Migrate(t.Context(), pool, pgstore.WithTablePrefix("shop_a_")))
	require.NoError(t, pgstore.Migrate(t.Context(), pool, pgstore.WithTablePrefix("")))
	var names []string
	rows, err := pool.Query(t.Context(), `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		names = append(names, s)
	}
	require.NoError(t, rows.Err())
	require.Contains(t, names, "shop_a_dedupe")
	require.Contains(t, names, "dedupe")
}

func TestInvalidTablePrefix(t *testing.T) {
	for _, p := range []string{"a-b", "1abc", "x; DROP TABLE y", "sch.tab_", strings.Repeat("a", 41), `"q"`} {
		t.Run(p, func(t *testing.T) {
			_, err := pgstore.NewDeduper(nil, pgstore.WithTablePrefix(p))
			require.Error(t, err)
			_, err = pgstore.NewDeduper(&nopDB{}, pgstore.WithTablePrefix(p))
			require.ErrorContains(t, err, "table prefix")
			require.ErrorContains(t, pgstore.Migrate(t.Context(), &nopDB{}, pgstore.WithTablePrefix(p)), "table prefix")
			require.Panics(t, func() { pgstore.Schema(pgstore.WithTablePrefix(p)) })
		})
	}
}

// Schema is what Migrate applies: running it by hand gives the same tables.
func TestSchemaAppliedByHand(t *testing.T) {
	pool, _ := servicetest.Postgres(t)
	s := pgstore.Schema(pgstore.WithTablePrefix("own_"))
	require.NotContains(t, s, "{{prefix}}")
	require.Contains(t, s, "CREATE TABLE IF NOT EXISTS own_dedupe")
	_, err := pool.Exec(t.Context(), s)
	require.NoError(t, err)
	_, err = pool.Exec(t.Context(), s)
	require.NoError(t, err, "idempotent")
	require.NoError(t, pgstore.Migrate(t.Context(), pool, pgstore.WithTablePrefix("own_")), "and Migrate after it")
	d, err := pgstore.NewDeduper(pool, pgstore.WithTablePrefix("own_"))
	require.NoError(t, err)
	ok, err := d.Claim(t.Context(), "k")
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, d.Done(t.Context(), "k"))
}

func TestPurge(t *testing.T) {
	pool, _ := migrated(t)
	d, err := pgstore.NewDeduper(pool, pgstore.WithDoneTTL(1)) // 1 ns: expired at once
	require.NoError(t, err)
	for _, k := range []string{"a", "b", "c"} {
		require.NoError(t, d.Done(t.Context(), k))
	}
	keep, err := pgstore.NewDeduper(pool)
	require.NoError(t, err)
	require.NoError(t, keep.Done(t.Context(), "kept"))
	n, err := d.Purge(t.Context())
	require.NoError(t, err)
	require.EqualValues(t, 3, n)
	ok, err := d.Claim(t.Context(), "kept")
	require.NoError(t, err)
	require.False(t, ok)
}
