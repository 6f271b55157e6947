package servicetest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
)

func TestServers(t *testing.T) {
	t.Run("redis", func(t *testing.T) {
		c, prefix := servicetest.Redis(t)
		require.NoError(t, c.Set(context.Background(), prefix+"k", "v", 0).Err())
	})
	t.Run("postgres", func(t *testing.T) {
		db, schema := servicetest.Postgres(t)
		var got string
		require.NoError(t, db.QueryRow(context.Background(), "SELECT current_schema()").Scan(&got))
		require.Equal(t, schema, got)
	})
}
