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
)

// stalledPool is a pool whose connections go through a proxy the test can stall.
func stalledPool(t *testing.T) (*pgxpool.Pool, *storetest.Proxy) {
	_, schema := migrated(t)
	cfg := servicetest.PostgresConfig(t, schema)
	p := storetest.NewProxy(t, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	host, port, err := net.SplitHostPort(p.Addr())
	require.NoError(t, err)
	n, err := strconv.Atoi(port)
	require.NoError(t, err)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = host, uint16(n)
	cfg.ConnConfig.Fallbacks = nil
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	t.Cleanup(p.Restore) // first: the pool closes on a proxy that answers again
	return pool, p
}

// A renewal in flight on a stalled PostgreSQL is stopped by Close: before, Close waited for
// the renewal's deadline, the lease's end (two minutes by default).
func TestCloseEndsStalledRenewal(t *testing.T) {
	pool, p := stalledPool(t)
	const lease = 3 * time.Second
	d, err := pgstore.NewDeduper(pool, pgstore.WithLease(lease), pgstore.WithWriteRetry(-1))
	require.NoError(t, err)
	ok, err := d.Claim(t.Context(), "cashgit|payin|succeeded|ORDER-pgstall")
	require.NoError(t, err)
	require.True(t, ok)
	p.Stall()
	time.Sleep(lease/3 + 200*time.Millisecond)
	start := time.Now()
	require.NoError(t, d.Close())
	took := time.Since(start)
	require.Less(t, took, 500*time.Millisecond, "Close took %v", took)
}

// The handler's Done (a context without deadline, as the handler passes) on a stalled
// PostgreSQL returns about when WithWriteRetry ends (each attempt ends with the budget, a
// second at least): before, one attempt waited forever (pgx has no read timeout).
func TestDoneBoundedOnStalledDB(t *testing.T) {
	pool, p := stalledPool(t)
	d, err := pgstore.NewDeduper(pool, pgstore.WithLease(time.Minute), pgstore.WithWriteRetry(300*time.Millisecond))
	require.NoError(t, err)
	defer d.Close()
	const k = "cashgit|payin|succeeded|ORDER-pgdone"
	ok, err := d.Claim(t.Context(), k)
	require.NoError(t, err)
	require.True(t, ok)
	p.Stall()
	ch := make(chan error, 1)
	go func() { ch <- d.Done(context.WithoutCancel(t.Context()), k) }()
	select {
	case err := <-ch:
		require.Error(t, err, "the database never answered")
	case <-time.After(5 * time.Second):
		t.Errorf("Done with WithWriteRetry(300ms) has not returned after 5 s on a stalled database")
		p.Restore()
		t.Log("Done returned once the database answered:", <-ch)
	}
}
