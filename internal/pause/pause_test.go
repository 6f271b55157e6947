package pause_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/pause"
)

func TestFor(t *testing.T) {
	start := time.Now()
	require.NoError(t, pause.For(t.Context(), 20*time.Millisecond))
	require.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	start = time.Now()
	require.ErrorIs(t, pause.For(ctx, time.Hour), context.DeadlineExceeded)
	require.Less(t, time.Since(start), time.Second, "ends with the context")
}
