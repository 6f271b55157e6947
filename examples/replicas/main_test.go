package main

import (
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paygate-go/paygate/internal/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestReplicas runs the example against the test's Redis: every order credited once over
// both replicas, every delivery acknowledged, both replicas busy.
func TestReplicas(t *testing.T) {
	_, prefix := servicetest.Redis(t) // skips (or fails under PAYGATE_REQUIRE_SERVICES=1) without Redis
	res, err := run(t.Context(), config{redisURL: servicetest.RedisURL(), prefix: prefix, orders: 10, copies: 4,
		logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	t.Log(res)
	require.True(t, res.ok(), "%v", res)
	require.EqualValues(t, 10*4, res.acked)
	require.EqualValues(t, 10*4-10, res.duplicates[0]+res.duplicates[1], "every other delivery acknowledged without a call")
	require.Positive(t, res.byReplica[0]+res.duplicates[0], "replica A received deliveries")
	require.Positive(t, res.byReplica[1]+res.duplicates[1], "replica B received deliveries")
}
