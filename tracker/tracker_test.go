package tracker_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/router"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/webhook"
)

// A callback the merchant never got (its endpoint answered 500) is found by the poll due
// after the order settled, and handed over once.
func TestDroppedCallbackDeliveredOnSchedule(t *testing.T) {
	sb, gw := cashgit(t)
	cg := count(gw)
	c, rec, ob := newClock(), &recorder{}, &observer{}
	tr := tracker.New([]paygate.Gateway{cg}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
		tracker.WithDeduper(webhook.NewMemoryDeduper(0, 0)), tracker.WithObserver(ob))
	ctx := context.Background()

	res := payIn(t, gw, "TRK000001", deadEnd(t))
	require.NoError(t, tr.Track(ctx, "cashgit", paygate.KindPayIn, "TRK000001", tracker.WithStatus(res.Status, res.RawStatus)))

	// Polls at +1, +3 (1+2) and +7 (3+4) minutes find it pending: nothing to hand over.
	require.Zero(t, poll(t, tr, c, time.Minute-time.Millisecond))
	require.Equal(t, 1, poll(t, tr, c, time.Minute))
	require.Zero(t, poll(t, tr, c, 3*time.Minute-time.Millisecond))
	require.Equal(t, 1, poll(t, tr, c, 3*time.Minute))
	require.Equal(t, 1, poll(t, tr, c, 7*time.Minute))
	require.Empty(t, rec.all())

	require.ErrorIs(t, sb.Settle("TRK000001", paygate.StatusSucceeded), sandbox.ErrNotAcknowledged, "the callback is lost")
	require.Zero(t, poll(t, tr, c, 15*time.Minute-time.Millisecond), "next poll is at +15 minutes (7+8)")
	require.Empty(t, rec.all())
	require.Equal(t, 1, poll(t, tr, c, 15*time.Minute))

	calls := rec.all()
	require.Len(t, calls, 1)
	cb := calls[0].cb
	require.Equal(t, "cashgit", calls[0].provider)
	require.Equal(t, paygate.KindPayIn, cb.Kind)
	require.Equal(t, "TRK000001", cb.OrderID)
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
	require.Equal(t, res.ProviderOrderID, cb.ProviderOrderID)
	require.Equal(t, "100.00 INR", cb.Amount.String())
	require.NotEmpty(t, cb.UTR)
	require.NotEmpty(t, cb.Raw, "the query's body")
	require.Equal(t, paygate.Ack{}, cb.Ack, "no provider to answer")
	require.True(t, calls[0].fromTr)
	require.Equal(t, tracker.Event{Outcome: tracker.OutcomeChanged, Polls: 4}, calls[0].ev)
	require.Equal(t, []string{"unchanged", "unchanged", "unchanged", "changed"}, ob.all())

	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, 100 * time.Hour} {
		require.Zero(t, poll(t, tr, c, d), "a final status ends the tracking")
	}
	require.Equal(t, 4, cg.queries("TRK000001"))
	require.Len(t, rec.all(), 1)
}

// A create whose answer was lost but which did land is found by the first poll, and each
// change after is handed over.
func TestOutcomeUnknownCreateThatLanded(t *testing.T) {
	sb, gw := cashgit(t)
	c, rec := newClock(), &recorder{}
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact))
	payIn(t, gw, "TRK000002", deadEnd(t)) // the merchant never saw this answer
	require.NoError(t, tr.Track(context.Background(), "cashgit", paygate.KindPayIn, "TRK000002", tracker.OutcomeUnknown()))

	require.Equal(t, 1, poll(t, tr, c, time.Minute))
	require.Equal(t, []string{"TRK000002:pending"}, rec.statuses(), "it exists: pending")
	require.ErrorIs(t, sb.Settle("TRK000002", paygate.StatusSucceeded), sandbox.ErrNotAcknowledged)
	require.Equal(t, 1, poll(t, tr, c, 3*time.Minute))
	require.Equal(t, []string{"TRK000002:pending", "TRK000002:succeeded"}, rec.statuses())
	require.Zero(t, poll(t, tr, c, 48*time.Hour))
}

// A create that never landed is reported not created when the provider's window has
// passed, never earlier, and never as a failure.
func TestOutcomeUnknownCreateThatNeverLanded(t *testing.T) {
	_, gw := cashgit(t)
	c, rec, ob := newClock(), &recorder{}, &observer{}
	s := exact
	s.Window = 10 * time.Minute
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now),
		tracker.WithProviderSchedule("cashgit", s), tracker.WithObserver(ob))
	require.NoError(t, tr.Track(context.Background(), "cashgit", paygate.KindPayOut, "TRK000003", tracker.OutcomeUnknown()))

	for _, d := range []time.Duration{time.Minute, 3 * time.Minute, 7 * time.Minute} {
		require.Equal(t, 1, poll(t, tr, c, d))
		require.Empty(t, rec.all(), "not found at %v is only not yet", d)
	}
	require.Zero(t, poll(t, tr, c, 10*time.Minute-time.Millisecond), "the next poll is brought forward to the window's end")
	require.Empty(t, rec.all())
	require.Equal(t, 1, poll(t, tr, c, 10*time.Minute))

	calls := rec.all()
	require.Len(t, calls, 1)
	cb := calls[0].cb
	require.Equal(t, tracker.StatusNotCreated, cb.Status)
	require.False(t, cb.Status.Final())
	require.NotEqual(t, paygate.StatusFailed, cb.Status)
	require.Equal(t, "TRK000003", cb.OrderID)
	require.Equal(t, paygate.KindPayOut, cb.Kind)
	require.JSONEq(t, `{"source":"tracker","outcome":"not_created","reason":"the provider has no such order 10m0s after the create"}`, string(cb.Raw))
	require.Equal(t, tracker.OutcomeNotCreated, calls[0].ev.Outcome)
	require.Equal(t, []string{"not_found", "not_found", "not_found", "not_created"}, ob.all())
	require.Zero(t, poll(t, tr, c, 48*time.Hour))
}

// An order whose create was answered is never "not created", however long it stays
// unknown to the provider: not found is retried, and at the horizon the tracker gives up.
func TestNotFoundAfterAnsweredCreateIsNeverNotCreated(t *testing.T) {
	_, gw := cashgit(t)
	c, rec, ob := newClock(), &recorder{}, &observer{}
	s := exact
	s.Horizon = 2 * time.Hour
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(s), tracker.WithObserver(ob))
	require.NoError(t, tr.Track(context.Background(), "cashgit", paygate.KindPayIn, "TRK000004"))
	polls := 0
	for d := time.Minute; d < 2*time.Hour; d += time.Minute {
		polls += poll(t, tr, c, d)
		require.Empty(t, rec.all(), "at %v", d)
	}
	require.Equal(t, 1, poll(t, tr, c, 2*time.Hour), "the last query is at the horizon")
	calls := rec.all()
	require.Len(t, calls, 1)
	require.Equal(t, paygate.StatusUnknown, calls[0].cb.Status)
	require.Equal(t, tracker.RawGaveUp, calls[0].cb.RawStatus)
	require.Equal(t, tracker.OutcomeGaveUp, calls[0].ev.Outcome)
	require.Contains(t, calls[0].ev.Reason, "no final status 2h0m0s after the order was created")
	// 1, 3, 7, 15, 31, 61, 91 minutes, then the horizon.
	require.Equal(t, 7, polls)
	require.Equal(t, []string{"not_found", "not_found", "not_found", "not_found", "not_found", "not_found", "not_found", "gave_up"}, ob.all(),
		"one event per query")
	require.Zero(t, poll(t, tr, c, 100*time.Hour))
}

// A status never moves backwards: succeeded then failed is not applied.
func TestRegressionNotApplied(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []paygate.Status
		fail    func(n int, cb *paygate.Callback) error // fn's answer to call n
		want    []string
		obs     []string
	}{
		{
			name:    "succeeded, fn failed, then failed",
			answers: []paygate.Status{paygate.StatusSucceeded, paygate.StatusFailed, paygate.StatusSucceeded},
			fail: func(n int, _ *paygate.Callback) error {
				if n == 1 {
					return errors.New("database down")
				}
				return nil
			},
			want: []string{"O1:succeeded", "O1:succeeded"},
			obs:  []string{"error", "regression", "changed"},
		},
		{
			name:    "processing then pending",
			answers: []paygate.Status{paygate.StatusProcessing, paygate.StatusPending, paygate.StatusFailed},
			want:    []string{"O1:processing", "O1:failed"},
			obs:     []string{"changed", "regression", "changed"},
		},
		{
			name:    "an unknown status is not a change",
			answers: []paygate.Status{paygate.StatusPending, paygate.StatusUnknown, paygate.StatusCancelled},
			want:    []string{"O1:pending", "O1:cancelled"},
			obs:     []string{"changed", "unchanged", "changed"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw := &fakeGateway{name: "fake", answer: statusSeq(tc.answers...)}
			c, rec, ob := newClock(), &recorder{fail: tc.fail}, &observer{}
			var logs bytes.Buffer
			tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
				tracker.WithObserver(ob), tracker.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayOut, "O1"))
			for d := time.Duration(0); d < time.Hour; d += time.Minute {
				poll(t, tr, c, d)
			}
			require.Equal(t, tc.want, rec.statuses())
			require.Equal(t, tc.obs, ob.all())
			const warn = "level=WARN msg=\"paygate tracker: provider reported an earlier status, not applied\""
			if slices.Contains(tc.obs, "regression") {
				require.Contains(t, logs.String(), warn)
			} else {
				require.NotContains(t, logs.String(), warn)
			}
		})
	}
}

// A query error is retried later and never handed over as a status.
func TestQueryErrorRetried(t *testing.T) {
	errs := 0
	gw := &fakeGateway{name: "fake", answer: func(n int, req *paygate.QueryRequest) (*paygate.Order, error) {
		if n <= 3 {
			errs++
			return nil, &paygate.CallError{Provider: "fake", Op: "query", Err: errors.New("connection reset")}
		}
		return statusSeq(paygate.StatusSucceeded)(1, req)
	}}
	c, rec, ob := newClock(), &recorder{}, &observer{}
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact), tracker.WithObserver(ob))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayIn, "O1"))
	for d := time.Duration(0); d < time.Hour; d += time.Minute {
		poll(t, tr, c, d)
	}
	require.Equal(t, 3, errs)
	require.Equal(t, []string{"O1:succeeded"}, rec.statuses())
	require.Equal(t, []string{"error", "error", "error", "changed"}, ob.all())
}

// An answer about another order is an error, not a status.
func TestAnswerForAnotherOrder(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: func(_ int, req *paygate.QueryRequest) (*paygate.Order, error) {
		o, _ := statusSeq(paygate.StatusSucceeded)(1, req)
		o.OrderID = "OTHER"
		return o, nil
	}}
	c, rec, ob := newClock(), &recorder{}, &observer{}
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact), tracker.WithObserver(ob))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayIn, "O1"))
	poll(t, tr, c, time.Minute)
	require.Empty(t, rec.all())
	require.Equal(t, []string{"error"}, ob.all())
}

// A verified final callback through the webhook stops the polling; a callback the webhook
// handled is never handed over again by the tracker (one Deduper).
func TestWebhookAndTrackerTogether(t *testing.T) {
	sb, gw := cashgit(t)
	cg := count(gw)
	c, rec := newClock(), &recorder{}
	d := webhook.NewMemoryDeduper(0, 0)
	tr := tracker.New([]paygate.Gateway{cg}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact), tracker.WithDeduper(d))
	withFinal := httptest.NewServer(webhook.NewMux(rec.fn, []paygate.Gateway{gw}, webhook.WithDeduper(d), webhook.WithFinal(tr.Final)))
	defer withFinal.Close()
	without := httptest.NewServer(webhook.NewMux(rec.fn, []paygate.Gateway{gw}, webhook.WithDeduper(d)))
	defer without.Close()
	ctx := context.Background()

	payIn(t, gw, "TRK000010", withFinal.URL+webhook.Path("cashgit"))
	payIn(t, gw, "TRK000011", without.URL+webhook.Path("cashgit"))
	for _, id := range []string{"TRK000010", "TRK000011"} {
		require.NoError(t, tr.Track(ctx, "cashgit", paygate.KindPayIn, id, tracker.WithStatus(paygate.StatusPending, "pending")))
		require.NoError(t, sb.Settle(id, paygate.StatusSucceeded))
	}
	require.Equal(t, []string{"TRK000010:succeeded", "TRK000011:succeeded"}, rec.statuses())

	require.Equal(t, 1, poll(t, tr, c, time.Minute), "TRK000010 is no longer tracked")
	require.Zero(t, cg.queries("TRK000010"))
	require.Equal(t, 1, cg.queries("TRK000011"), "found final, already handled: the Deduper says so")
	require.Len(t, rec.all(), 2)
	require.Zero(t, poll(t, tr, c, time.Hour))
}

// The tracker hands over each (order, status) once even when fn fails: the next poll
// hands it again.
func TestFnErrorRetried(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: statusSeq(paygate.StatusSucceeded)}
	c := newClock()
	rec := &recorder{fail: func(n int, _ *paygate.Callback) error {
		if n < 3 {
			return fmt.Errorf("attempt %d: database down", n)
		}
		return nil
	}}
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
		tracker.WithDeduper(webhook.NewMemoryDeduper(0, 0)))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayIn, "O1"))
	require.Equal(t, 1, poll(t, tr, c, time.Minute))
	require.Equal(t, 1, poll(t, tr, c, 2*time.Minute), "retried a First later")
	require.Equal(t, 1, poll(t, tr, c, 3*time.Minute))
	require.Zero(t, poll(t, tr, c, 4*time.Minute))
	require.Equal(t, []string{"O1:succeeded", "O1:succeeded", "O1:succeeded"}, rec.statuses())
}

// A panic in fn is an error: the status is handed again later.
func TestFnPanic(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: statusSeq(paygate.StatusFailed)}
	c := newClock()
	rec := &recorder{fail: func(n int, _ *paygate.Callback) error {
		if n == 1 {
			panic("bug")
		}
		return nil
	}}
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayIn, "O1"))
	poll(t, tr, c, time.Minute)
	poll(t, tr, c, 2*time.Minute)
	require.Equal(t, []string{"O1:failed", "O1:failed"}, rec.statuses())
	require.Zero(t, poll(t, tr, c, time.Hour))
}

// With the store down for a while, nothing is lost and nothing reaches fn twice.
func TestStoreDownNothingLost(t *testing.T) {
	sb, gw := cashgit(t)
	c, rec := newClock(), &recorder{}
	st := &flaky{Store: tracker.NewMemoryStore()}
	dd := webhook.NewMemoryDeduper(0, 0)
	tr := tracker.New([]paygate.Gateway{gw}, st, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
		tracker.WithDeduper(dd), tracker.WithLease(time.Minute))
	ctx := context.Background()
	dead := deadEnd(t)
	const n = 20
	for i := range n {
		id := fmt.Sprintf("TRKDOWN%03d", i)
		payIn(t, gw, id, dead)
		require.NoError(t, tr.Track(ctx, "cashgit", paygate.KindPayIn, id, tracker.WithStatus(paygate.StatusPending, "pending")))
	}
	st.setDown(true)
	require.Error(t, tr.Track(ctx, "cashgit", paygate.KindPayIn, "TRKDOWNX", tracker.WithStatus(paygate.StatusPending, "pending")),
		"Track says it tracked nothing")
	for i := range n {
		require.ErrorIs(t, sb.Settle(fmt.Sprintf("TRKDOWN%03d", i), paygate.StatusSucceeded), sandbox.ErrNotAcknowledged)
	}
	c.at(time.Minute)
	_, err := tr.PollDue(ctx)
	require.ErrorIs(t, err, errDown)
	c.at(10 * time.Minute)
	_, err = tr.PollDue(ctx)
	require.ErrorIs(t, err, errDown)

	// Up for the claim, down for the writes that settle the polls: every status is handed
	// over, but nothing is removed.
	st.setDown(false)
	wrapped := &downAfterClaim{flaky: st}
	tr2 := tracker.New([]paygate.Gateway{gw}, wrapped, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
		tracker.WithDeduper(dd), tracker.WithLease(time.Minute))
	c.at(11 * time.Minute)
	claimed, err := tr2.PollDue(ctx)
	require.NoError(t, err)
	require.Equal(t, n, claimed)
	require.Len(t, rec.all(), n)

	// The store is back; after the lease the orders are polled again, found final and
	// removed, and the Deduper keeps fn from a second call.
	st.setDown(false)
	require.Zero(t, poll(t, tr, c, 12*time.Minute-time.Millisecond))
	require.Equal(t, n, poll(t, tr, c, 12*time.Minute))
	require.Zero(t, poll(t, tr, c, 100*time.Hour))
	seen := map[string]int{}
	for _, call := range rec.all() {
		seen[call.cb.OrderID]++
		require.Equal(t, paygate.StatusSucceeded, call.cb.Status)
	}
	require.Len(t, seen, n)
	for id, k := range seen {
		require.Equal(t, 1, k, id)
	}
}

// downAfterClaim lets Claim through and takes the store down right after it.
type downAfterClaim struct{ *flaky }

func (d *downAfterClaim) Claim(ctx context.Context, now time.Time, lease time.Duration, n int) ([]tracker.Item, error) {
	items, err := d.flaky.Claim(ctx, now, lease, n)
	d.setDown(true)
	return items, err
}

// Run polls until its context ends and returns once every poll it started has finished.
func TestRunStopsCleanly(t *testing.T) {
	started := make(chan struct{})
	var once sync.Once
	gw := &fakeGateway{name: "fake", answer: func(n int, req *paygate.QueryRequest) (*paygate.Order, error) {
		once.Do(func() { close(started) })
		return statusSeq(paygate.StatusSucceeded)(n, req)
	}}
	rec := &recorder{}
	s := exact
	s.First = time.Millisecond
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithSchedule(s), tracker.WithInterval(time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- tr.Run(ctx) }()
	require.NoError(t, tr.Track(ctx, "fake", paygate.KindPayIn, "O1"))
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("Run never polled")
	}
	require.Eventually(t, func() bool { return len(rec.all()) == 1 }, 10*time.Second, time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// A query cut short by shutdown gives the order back, due as it was.
func TestShutdownMidQueryGivesOrderBack(t *testing.T) {
	inQuery := make(chan struct{})
	gw := &fakeGateway{name: "fake", answer: func(n int, req *paygate.QueryRequest) (*paygate.Order, error) {
		if n == 1 {
			close(inQuery)
			time.Sleep(50 * time.Millisecond)
			return nil, context.Canceled
		}
		return statusSeq(paygate.StatusSucceeded)(n, req)
	}}
	c, rec := newClock(), &recorder{}
	store := tracker.NewMemoryStore()
	tr := tracker.New([]paygate.Gateway{gw}, store, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayIn, "O1"))
	c.at(time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-inQuery; cancel() }()
	n, err := tr.PollDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Empty(t, rec.all())
	require.Equal(t, 1, poll(t, tr, c, time.Minute), "given back at once, not after the lease")
	require.Equal(t, []string{"O1:succeeded"}, rec.statuses())
}

func TestTrackRefuses(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: statusSeq(paygate.StatusSucceeded)}
	tr := tracker.New([]paygate.Gateway{gw}, nil, (&recorder{}).fn)
	ctx := context.Background()
	require.ErrorContains(t, tr.Track(ctx, "cashy", paygate.KindPayIn, "O1"), `no gateway named "cashy"`)
	require.ErrorContains(t, tr.Track(ctx, "fake", "refund", "O1"), `unknown kind "refund"`)
	require.ErrorContains(t, tr.Track(ctx, "fake", paygate.KindPayIn, ""), "empty order ID")
	require.NoError(t, tr.Track(ctx, "fake", paygate.KindPayIn, "O1", tracker.WithStatus(paygate.StatusSucceeded, "")),
		"a final status has nothing to wait for")
	require.Panics(t, func() { tracker.New(nil, nil, nil) })
	require.Panics(t, func() { tracker.New([]paygate.Gateway{gw, gw}, nil, (&recorder{}).fn) })
}

// Jitter only ever delays, by at most its fraction.
func TestJitter(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: statusSeq(paygate.StatusPending)}
	c := newClock()
	tr := tracker.New([]paygate.Gateway{gw}, nil, (&recorder{}).fn, tracker.WithClock(c.Now),
		tracker.WithSchedule(tracker.Schedule{Jitter: 0.5}), tracker.WithBatch(1000))
	ctx := context.Background()
	const n = 200
	for i := range n {
		require.NoError(t, tr.Track(ctx, "fake", paygate.KindPayIn, fmt.Sprint("O", i)))
	}
	require.Zero(t, poll(t, tr, c, time.Minute-time.Millisecond))
	first := poll(t, tr, c, time.Minute+15*time.Second)
	require.Greater(t, first, 0)
	require.Less(t, first, n, "spread over the next 30 seconds")
	require.Equal(t, n-first, poll(t, tr, c, 90*time.Second))
}

// A query slower than the lease allows is cut at three quarters of it and retried on the
// schedule, like any query error.
func TestSlowQueryIsAnError(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: func(n int, req *paygate.QueryRequest) (*paygate.Order, error) {
		if n == 1 {
			time.Sleep(100 * time.Millisecond) // the provider hangs; the tracker stops waiting
			return nil, &paygate.CallError{Provider: "fake", Op: "query", Err: context.DeadlineExceeded}
		}
		return statusSeq(paygate.StatusSucceeded)(n, req)
	}}
	c, rec, ob := newClock(), &recorder{}, &observer{}
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
		tracker.WithObserver(ob), tracker.WithLease(40*time.Millisecond))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayIn, "O1"))
	require.Equal(t, 1, poll(t, tr, c, time.Minute))
	require.Zero(t, poll(t, tr, c, 3*time.Minute-time.Millisecond), "backed off as after any error")
	require.Equal(t, 1, poll(t, tr, c, 3*time.Minute))
	require.Equal(t, []string{"error", "changed"}, ob.all())
	require.Equal(t, []string{"O1:succeeded"}, rec.statuses())
}

// Track's options reach the stored item: the provider's order number, the status the create
// answered and when it was sent.
func TestTrackOptions(t *testing.T) {
	_, gw := cashgit(t)
	store := tracker.NewMemoryStore()
	c := newClock()
	tr := tracker.New([]paygate.Gateway{gw}, store, (&recorder{}).fn, tracker.WithClock(c.Now))
	sent := c.Now().Add(-time.Minute)
	require.NoError(t, tr.Track(context.Background(), "cashgit", paygate.KindPayIn, "TRK000009",
		tracker.WithProviderOrderID("CG9"), tracker.WithStatus(paygate.StatusPending, "pending"), tracker.CreatedAt(sent)))

	items, err := store.Claim(context.Background(), c.Now().Add(48*time.Hour), time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, items, 1)
	it := items[0]
	require.Equal(t, "CG9", it.ProviderOrderID)
	require.Equal(t, paygate.StatusPending, it.Status)
	require.Equal(t, "pending", it.RawStatus)
	require.True(t, sent.Equal(it.Created), "created %v, want %v", it.Created, sent)
	require.False(t, it.OutcomeUnknown)
}

// notFound is a provider that has never heard of the order.
func notFound(int, *paygate.QueryRequest) (*paygate.Order, error) {
	return nil, &paygate.ProviderError{Provider: "fake", Op: "query", Code: "404", Message: "no such order", Err: paygate.ErrOrderNotFound}
}

// Each tracking of an order is an episode of its own: after "not created", the merchant sends
// the create again under the same order number (the safe retry), its outcome is unknown too,
// and the order is tracked again. That episode's "not created" reaches fn too, through the
// same Deduper: it is not the first episode's event handed twice.
func TestSecondNotCreatedReachesFn(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: notFound}
	c, rec := newClock(), &recorder{}
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now),
		tracker.WithSchedule(exact), tracker.WithDeduper(webhook.NewMemoryDeduper(0, 0)))
	ctx := context.Background()

	require.NoError(t, tr.Track(ctx, "fake", paygate.KindPayOut, "NC-1", tracker.OutcomeUnknown()))
	for _, d := range []time.Duration{time.Minute, 3 * time.Minute, 7 * time.Minute, 15 * time.Minute} {
		require.Equal(t, 1, poll(t, tr, c, d))
	}
	require.Equal(t, []string{"NC-1:not_created"}, rec.statuses())

	c.at(16 * time.Minute) // sent again; the outcome is unknown again
	require.NoError(t, tr.Track(ctx, "fake", paygate.KindPayOut, "NC-1", tracker.OutcomeUnknown()))
	for _, d := range []time.Duration{17 * time.Minute, 19 * time.Minute, 23 * time.Minute, 31 * time.Minute} {
		require.Equal(t, 1, poll(t, tr, c, d))
	}
	require.Equal(t, []string{"NC-1:not_created", "NC-1:not_created"}, rec.statuses())
	require.Equal(t, tracker.OutcomeNotCreated, rec.all()[1].ev.Outcome)
	require.Zero(t, poll(t, tr, c, 80*time.Hour), "the second episode is over too")
}

// Within one episode a tracker-made event still reaches fn once: fn handled "not created" but
// the store lost the removal, so the order is polled again when its lease ends, and the
// Deduper keeps the event from fn.
func TestNotCreatedOncePerEpisode(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: notFound}
	c, rec := newClock(), &recorder{}
	st := &flaky{Store: tracker.NewMemoryStore()}
	d := webhook.NewMemoryDeduper(0, 0)
	tr := tracker.New([]paygate.Gateway{gw}, st, rec.fn, tracker.WithClock(c.Now),
		tracker.WithSchedule(exact), tracker.WithDeduper(d), tracker.WithLease(time.Minute))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayOut, "NC-2", tracker.OutcomeUnknown()))
	for _, d := range []time.Duration{time.Minute, 3 * time.Minute, 7 * time.Minute} {
		require.Equal(t, 1, poll(t, tr, c, d))
	}
	tr2 := tracker.New([]paygate.Gateway{gw}, &downAfterClaim{flaky: st}, rec.fn, tracker.WithClock(c.Now),
		tracker.WithSchedule(exact), tracker.WithDeduper(d), tracker.WithLease(time.Minute))
	c.at(15 * time.Minute)
	n, err := tr2.PollDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, []string{"NC-2:not_created"}, rec.statuses())

	st.setDown(false)
	require.Equal(t, 1, poll(t, tr, c, 16*time.Minute), "the lease ended: polled again")
	require.Equal(t, []string{"NC-2:not_created"}, rec.statuses(), "the Deduper knows this episode's event")
	require.Zero(t, poll(t, tr, c, 80*time.Hour))
}

// Giving up is per episode as well: an order tracked again after the tracker gave up on it
// gets its own gave-up event at its own horizon.
func TestGaveUpOncePerEpisode(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: statusSeq(paygate.StatusPending)}
	c, rec := newClock(), &recorder{}
	s := exact
	s.Horizon = 10 * time.Minute
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now),
		tracker.WithSchedule(s), tracker.WithDeduper(webhook.NewMemoryDeduper(0, 0)))
	ctx := context.Background()
	for _, start := range []time.Duration{0, 20 * time.Minute} {
		c.at(start)
		require.NoError(t, tr.Track(ctx, "fake", paygate.KindPayIn, "GU-1", tracker.WithStatus(paygate.StatusPending, "")))
		for d := start; d <= start+15*time.Minute; d += time.Minute {
			poll(t, tr, c, d)
		}
	}
	require.Equal(t, []string{"GU-1:unknown", "GU-1:unknown"}, rec.statuses())
	for _, call := range rec.all() {
		require.Equal(t, tracker.RawGaveUp, call.cb.RawStatus)
	}
}

// A status fn failed on is handed again before any newer one: fn fails on "succeeded", the
// next poll finds "reversed", and fn gets "succeeded" again, then "reversed", in that order.
func TestUndeliveredStatusHandedBeforeNewer(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: statusSeq(paygate.StatusSucceeded, paygate.StatusReversed)}
	c, ob := newClock(), &observer{}
	rec := &recorder{fail: func(n int, _ *paygate.Callback) error {
		if n == 1 {
			return errors.New("database down")
		}
		return nil
	}}
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
		tracker.WithObserver(ob), tracker.WithDeduper(webhook.NewMemoryDeduper(0, 0)))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayIn, "RV-1", tracker.WithStatus(paygate.StatusPending, "")))
	require.Equal(t, 1, poll(t, tr, c, time.Minute))
	require.Equal(t, 1, poll(t, tr, c, 2*time.Minute))
	require.Equal(t, []string{"RV-1:succeeded", "RV-1:succeeded", "RV-1:reversed"}, rec.statuses())
	calls := rec.all()
	require.Equal(t, "RAW_succeeded", calls[1].cb.RawStatus, "the status as the provider first reported it")
	require.Equal(t, "RAW_reversed", calls[2].cb.RawStatus)
	require.Equal(t, []string{"error", "changed"}, ob.all())
	require.Zero(t, poll(t, tr, c, time.Hour), "reversed is final and handed over")
}

// While the late status keeps failing, the newer one waits behind it: fn never sees
// "reversed" before "succeeded".
func TestUndeliveredStatusBlocksNewer(t *testing.T) {
	gw := &fakeGateway{name: "fake", answer: statusSeq(paygate.StatusSucceeded, paygate.StatusReversed)}
	c := newClock()
	rec := &recorder{fail: func(n int, _ *paygate.Callback) error {
		if n <= 3 {
			return fmt.Errorf("attempt %d: database down", n)
		}
		return nil
	}}
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact))
	require.NoError(t, tr.Track(context.Background(), "fake", paygate.KindPayIn, "RV-2", tracker.WithStatus(paygate.StatusPending, "")))
	for _, d := range []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute, 4 * time.Minute} {
		require.Equal(t, 1, poll(t, tr, c, d))
	}
	require.Equal(t, []string{"RV-2:succeeded", "RV-2:succeeded", "RV-2:succeeded", "RV-2:succeeded", "RV-2:reversed"}, rec.statuses())
	require.Zero(t, poll(t, tr, c, time.Hour))
}

// Over a router, a status found by polling is keyed by the provider that answered (and its
// merchant account), as that provider's webhook keys it: fn sees it once.
func TestWebhookAndTrackerOverRouter(t *testing.T) {
	sb, gw := cashgit(t)
	r, err := router.New([]router.Route{{Gateway: gw}})
	require.NoError(t, err)
	c, rec := newClock(), &recorder{}
	d := webhook.NewMemoryDeduper(0, 0)
	tr := tracker.New([]paygate.Gateway{r}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact), tracker.WithDeduper(d))
	srv := httptest.NewServer(webhook.NewMux(rec.fn, []paygate.Gateway{gw}, webhook.WithDeduper(d)))
	defer srv.Close()

	res, err := r.PayIn(t.Context(), &paygate.PayInRequest{OrderID: "TRK000020", Amount: paygate.MustParseMoney("100", paygate.INR),
		NotifyURL: srv.URL + webhook.Path("cashgit")})
	require.NoError(t, err)
	require.NoError(t, tr.Track(t.Context(), r.Name(), paygate.KindPayIn, res.OrderID, tracker.WithStatus(res.Status, res.RawStatus)))
	require.NoError(t, sb.Settle(res.OrderID, paygate.StatusSucceeded))
	require.Equal(t, []string{"TRK000020:succeeded"}, rec.statuses(), "the webhook handed it")

	require.Equal(t, 1, poll(t, tr, c, time.Minute))
	require.Equal(t, []string{"TRK000020:succeeded"}, rec.statuses(), "the poll found it handled")
}
