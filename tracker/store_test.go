package tracker_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/pgstore"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/tracker/trackertest"
)

func TestStoreMemory(t *testing.T) {
	trackertest.Run(t, func(*testing.T) tracker.Store { return tracker.NewMemoryStore() })
}

// The Redis and PostgreSQL stores run the suite in their own packages' tests.

// redisStore is a TrackerStore under a key prefix of the test's own.
func redisStore(t testing.TB) *redisstore.TrackerStore {
	c, prefix := servicetest.Redis(t)
	return redisstore.NewTrackerStore(c, redisstore.WithKeyPrefix(prefix))
}

// pgStore is a TrackerStore in a schema of the test's own.
func pgStore(t testing.TB) *pgstore.TrackerStore {
	pool, _ := servicetest.Postgres(t)
	require.NoError(t, pgstore.Migrate(context.Background(), pool))
	s, err := pgstore.NewTrackerStore(pool)
	require.NoError(t, err)
	return s
}
