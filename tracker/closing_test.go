package tracker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/webhook"
)

// The provider said succeeded and fn failed on it; then every query fails until the horizon.
// Giving up never skips the status the tracker found: it goes to fn first, and, final, ends
// the tracking as done (no gave-up event).
func TestGiveUpHandsHeldStatusFirst(t *testing.T) {
	ok := statusSeq(paygate.StatusSucceeded)
	gw := &fakeGateway{name: "fake", answer: func(n int, req *paygate.QueryRequest) (*paygate.Order, error) {
		if n == 1 {
			return ok(n, req)
		}
		return nil, errors.New("provider down")
	}}
	c := newClock()
	rec := &recorder{fail: func(n int, _ *paygate.Callback) error {
		if n == 1 {
			return errors.New("db down")
		}
		return nil
	}}
	s := exact
	s.Horizon = 10 * time.Minute
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(s))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayIn, "GU-1", tracker.WithStatus(paygate.StatusPending, "")))
	for m := 1; m <= 60; m++ {
		poll(t, tr, c, time.Duration(m)*time.Minute)
	}
	require.Equal(t, []string{"GU-1:succeeded", "GU-1:succeeded"}, rec.statuses(), "failed, then handed again; no gave-up")
}

// TestRetrackFromFn: the merchant's fn, told StatusNotCreated, does what the docs call the
// safe retry: sends the create again under the same number (outcome unknown again) and tracks
// it, from inside fn, while the closed episode is still stored. The new tracking survives the
// closed episode's removal: the re-sent order is polled.
func TestRetrackFromFn(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: notFound}
	c := newClock()
	var tr *tracker.Tracker
	var trackErr error
	retracked := false
	fn := func(ctx context.Context, provider string, cb *paygate.Callback) error {
		if cb.Status == tracker.StatusNotCreated && !retracked {
			retracked = true
			trackErr = tr.Track(ctx, provider, cb.Kind, cb.OrderID, tracker.OutcomeUnknown())
		}
		return nil
	}
	tr = tracker.New([]paygate.Gateway{gw}, nil, fn, tracker.WithClock(c.Now),
		tracker.WithSchedule(exact), tracker.WithDeduper(webhook.NewMemoryDeduper(0, 0)))
	ctx := context.Background()
	require.NoError(t, tr.Track(ctx, "fake", paygate.KindPayOut, "RT-1", tracker.OutcomeUnknown()))
	for _, d := range []time.Duration{time.Minute, 3 * time.Minute, 7 * time.Minute, 15 * time.Minute} {
		require.Equal(t, 1, poll(t, tr, c, d))
	}
	require.True(t, retracked)
	require.NoError(t, trackErr, "Track said the re-sent order is tracked")
	require.Equal(t, 1, poll(t, tr, c, 20*time.Minute), "the re-sent order must be polled")
}
