package tracker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/tracker"
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
