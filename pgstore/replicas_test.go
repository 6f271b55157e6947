package pgstore_test

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/internal/storetest"
	"github.com/paygate-go/paygate/pgstore"
	"github.com/paygate-go/paygate/webhook"
)

// The property the stores exist for, on PostgreSQL: replicas with their own pools receive
// duplicates concurrently and the merchant's function runs once per callback, through other
// processes, killed replicas, an outage and killed connections (storetest.RunReplicas).
func TestReplicas(t *testing.T) {
	storetest.RunReplicas(t, func(t *testing.T) storetest.Replicas {
		admin, schema := migrated(t)
		cfg := servicetest.PostgresConfig(t, schema)
		// Every connection of the test's replicas carries this application_name, so that Kill
		// finds them.
		app := "paygatetest_" + schema
		return storetest.Replicas{
			NS:   schema,
			Addr: net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))),
			Open: func(t testing.TB, addr string, lease time.Duration) webhook.Deduper {
				return replica(t, schema, app, addr, lease)
			},
			Kill: func(ctx context.Context) (int, error) {
				var n int
				err := admin.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n)
				return n, err
			},
		}
	})
}

// replica is one in-process replica: its own pool, whose connections carry application_name
// app, through addr when set, and its Deduper with lease (zero: the default).
func replica(t testing.TB, schema, app, addr string, lease time.Duration) *pgstore.Deduper {
	t.Helper()
	cfg := servicetest.PostgresConfig(t, schema)
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	if addr != "" {
		host, port, err := net.SplitHostPort(addr)
		require.NoError(t, err)
		p, err := strconv.ParseUint(port, 10, 16)
		require.NoError(t, err)
		cfg.ConnConfig.Host, cfg.ConnConfig.Port = host, uint16(p)
		cfg.ConnConfig.Fallbacks = nil
		cfg.ConnConfig.ConnectTimeout = time.Second
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	d, err := pgstore.NewDeduper(pool, pgstore.WithLease(lease))
	require.NoError(t, err)
	return d
}

// TestHelperProcess is a replica in another OS process, started by TestReplicas.
func TestHelperProcess(t *testing.T) {
	if !storetest.IsHelper() {
		return
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), servicetest.PostgresConfig(t, storetest.NS()))
	require.NoError(t, err)
	defer pool.Close()
	d, err := pgstore.NewDeduper(pool, pgstore.WithLease(storetest.Lease(t)))
	require.NoError(t, err)
	storetest.ServeHelper(t, d)
}
