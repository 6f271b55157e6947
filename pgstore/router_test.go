package pgstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/pgstore"
)

// An order number longer than the column holds (255 bytes), or one PostgreSQL cannot store
// as text, is indexed under its SHA-256, as the Deduper's keys are: the router, which refuses
// a create it cannot index, can still route it, and finds it again.
func TestRouterStoreLongOrderID(t *testing.T) {
	_, schema := migrated(t)
	s, err := pgstore.NewRouterStore(replicaPool(t, schema))
	require.NoError(t, err)
	for _, id := range []string{strings.Repeat("L", 300), "NUL\x00ID", "caf\xe9"} {
		c, fresh, err := s.ClaimProvider(t.Context(), paygate.KindPayIn, id, "cashgit")
		require.NoError(t, err)
		require.True(t, fresh)
		require.Equal(t, "cashgit", c.Provider)
		p, err := s.Provider(t.Context(), paygate.KindPayIn, id)
		require.NoError(t, err)
		require.Equal(t, "cashgit", p)
		moved, err := s.MoveProvider(t.Context(), paygate.KindPayIn, id, c, "deekpay")
		require.NoError(t, err)
		require.Equal(t, "deekpay", moved.Provider)
		require.NoError(t, s.SetProvider(t.Context(), paygate.KindPayIn, id, "paypro"))
		p, err = s.Provider(t.Context(), paygate.KindPayIn, id)
		require.NoError(t, err)
		require.Equal(t, "paypro", p)
	}
	p, err := s.Provider(t.Context(), paygate.KindPayIn, strings.Repeat("L", 299))
	require.NoError(t, err)
	require.Empty(t, p, "another order number is another order")
}

// TestRouterStorePurge: the table kept every order forever (Redis expires the same records
// after redisstore.RouterTTL); Purge deletes the records last written more than age ago, and
// refuses an age so short that a repeated create could go to another provider.
func TestRouterStorePurge(t *testing.T) {
	pool, schema := migrated(t)
	s, err := pgstore.NewRouterStore(replicaPool(t, schema))
	require.NoError(t, err)
	ctx := t.Context()
	for _, id := range []string{"OLD-1", "OLD-2", "NEW-1"} {
		_, _, err := s.ClaimProvider(ctx, paygate.KindPayIn, id, "cashgit")
		require.NoError(t, err)
	}
	_, err = pool.Exec(ctx, `UPDATE paygate_router_orders SET updated_at = now() - interval '100 days' WHERE order_id LIKE 'OLD-%'`)
	require.NoError(t, err)

	_, err = s.Purge(ctx, time.Hour)
	require.ErrorContains(t, err, "under a day")
	n, err := s.Purge(ctx, 90*24*time.Hour)
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	for id, want := range map[string]string{"OLD-1": "", "OLD-2": "", "NEW-1": "cashgit"} {
		p, err := s.Provider(ctx, paygate.KindPayIn, id)
		require.NoError(t, err)
		require.Equal(t, want, p, id)
	}
}
