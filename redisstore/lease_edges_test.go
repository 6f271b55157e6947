package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/webhook"
)

// A handler whose Claim returned just before Close and whose Hold runs just after: its lease
// is no longer renewed, so its Hold context ends at once with ErrClaimLost (before, it was
// never cancelled, and another replica took the key over while fn still ran).
func TestHoldAfterCloseIsLost(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	const lease = 300 * time.Millisecond
	a := redisstore.NewDeduper(replicaClient(t), redisstore.WithKeyPrefix(prefix), redisstore.WithLease(lease))
	b := redisstore.NewDeduper(replicaClient(t), redisstore.WithKeyPrefix(prefix), redisstore.WithLease(lease))
	defer b.Close()
	const k = "cashgit|payin|succeeded|ORDER-hold-after-close"
	ok, err := a.Claim(t.Context(), k)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, a.Close()) // shutdown begins between Claim and Hold
	hctx, stop := a.Hold(t.Context(), k)
	defer stop()

	ctx, cancel := context.WithTimeout(t.Context(), 3*lease)
	defer cancel()
	ok, err = b.Claim(ctx, k)
	require.NoError(t, err)
	require.True(t, ok, "B takes the unrenewed claim over")
	defer func() { _ = b.Release(context.Background(), k) }()
	require.ErrorIs(t, context.Cause(hctx), webhook.ErrClaimLost,
		"A's fn runs on, concurrently with B's, and its context was never told the claim is lost")
}

// A lease under a millisecond is raised to one: it was sent to Redis as PX 0, and every
// Claim failed, every delivery answered 500, no callback reaching fn.
func TestSubMillisecondLease(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	d := redisstore.NewDeduper(replicaClient(t), redisstore.WithKeyPrefix(prefix), redisstore.WithLease(500*time.Microsecond))
	defer d.Close()
	ok, err := d.Claim(t.Context(), "cashgit|payin|succeeded|ORDER-submilli")
	require.NoError(t, err, "a positive lease is accepted by WithLease")
	require.True(t, ok)
	_ = d.Release(context.Background(), "cashgit|payin|succeeded|ORDER-submilli")
}
