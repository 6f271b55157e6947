package tracker_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/webhook"
)

// With a Deduper whose claims are leases (webhook.Holder), fn runs under the claim as the
// webhook's does: when the claim is lost (here another replica's token replaces it), fn's
// context ends with webhook.ErrClaimLost, and the fn that stops with it is released, so the
// status is handed again at a later poll.
func TestClaimLostCancelsFn(t *testing.T) {
	admin, prefix := servicetest.Redis(t)
	const lease = 300 * time.Millisecond
	rc := redis.NewClient(servicetest.RedisOptions(t))
	t.Cleanup(func() { _ = rc.Close() })
	d := redisstore.NewDeduper(rc, redisstore.WithKeyPrefix(prefix), redisstore.WithLease(lease))
	t.Cleanup(func() { _ = d.Close() })

	var causes []error
	fn := func(ctx context.Context, _ string, _ *paygate.Callback) error {
		if len(causes) > 0 {
			causes = append(causes, nil)
			return nil
		}
		keys, err := admin.Keys(ctx, prefix+"dedupe:*").Result()
		require.NoError(t, err)
		require.Len(t, keys, 1)
		require.NoError(t, admin.Set(ctx, keys[0], "c:another-replica", lease).Err())
		select {
		case <-ctx.Done():
		case <-time.After(5 * lease):
		}
		causes = append(causes, context.Cause(ctx))
		return context.Cause(ctx)
	}
	gw := &fakeGateway{name: "fake", answer: statusSeq(paygate.StatusSucceeded)}
	c := newClock()
	tr := tracker.New([]paygate.Gateway{gw}, nil, fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact), tracker.WithDeduper(d))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayIn, "O1"))
	require.Equal(t, 1, poll(t, tr, c, time.Minute))
	require.Len(t, causes, 1)
	require.ErrorIs(t, causes[0], webhook.ErrClaimLost)

	time.Sleep(lease) // the other holder's claim ends
	require.Equal(t, 1, poll(t, tr, c, 2*time.Minute), "handed again a First later")
	require.Len(t, causes, 2, "the status was not marked handled")
}
