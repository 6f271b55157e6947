package pgstore_test

import (
	"strings"
	"testing"

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
