// Package limitertest checks that an implementation of [paygate.Limiter] paces requests as
// a Gateway relies on: the rate is honoured over a window, a burst passes at once, a Wait
// whose context ends returns that context's error promptly, a Wait whose turn comes after its
// deadline is refused at once, keys are independent, and replicas sharing a store share one
// budget. paygate runs it against
// paygate.NewMemoryLimiter and redisstore.NewLimiter; a merchant with a Limiter of its own
// runs [Run] in its tests.
package limitertest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/option"
)

// Open makes a fresh store for one subtest, with a limit of r requests per second and a
// burst of burst per key, and returns a function making replicas on it: each call returns a
// Limiter sharing the store's budgets with the others (an in-process implementation returns
// the same Limiter every time). Open registers its own cleanup with t.
type Open func(t *testing.T, r rate.Limit, burst int) (replica func() paygate.Limiter)

// Option adapts the suite.
type Option func(*settings)

type settings struct {
	slack time.Duration
}

// WithSlack sets how late the suite lets a Wait return after its context ended, or how
// much sooner than the rate allows a request pass (default 150 ms): raise it for a store on
// a slow network.
func WithSlack(d time.Duration) Option { return func(s *settings) { s.slack = d } }

// Run runs the conformance suite as subtests of t.
func Run(t *testing.T, open Open, opts ...Option) {
	s := settings{slack: 150 * time.Millisecond}
	option.Apply(&s, opts)
	tests := []struct {
		name  string
		check func(t *testing.T, s *settings, open Open)
	}{
		{"Burst", burst},
		{"RateOverWindow", rateOverWindow},
		{"ReplicasShareBudget", replicasShare},
		{"KeysIndependent", keysIndependent},
		{"ContextDeadline", contextDeadline},
		{"PastDeadline", pastDeadline},
		{"ContextCancel", contextCancel},
		{"EndedContext", endedContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, &s, open) })
	}
}

func key(t *testing.T, n int) string { return fmt.Sprintf("limitertest:%s:%d", t.Name(), n) }

// waitOK waits on l for k and requires no error.
func waitOK(t *testing.T, l paygate.Limiter, k string) {
	t.Helper()
	require.NoError(t, l.Wait(t.Context(), k))
}

// burst: burst requests pass at once; the next waits about one interval.
func burst(t *testing.T, s *settings, open Open) {
	const r, b = 4, 5 // interval 250 ms
	l := open(t, r, b)()
	k := key(t, 0)
	start := time.Now()
	for range b {
		waitOK(t, l, k)
	}
	require.Less(t, time.Since(start), 250*time.Millisecond+s.slack, "a burst of %d passes at once", b)
	start = time.Now()
	waitOK(t, l, k)
	require.Greater(t, time.Since(start), 250*time.Millisecond-s.slack, "the request after the burst waits an interval")
}

// count runs workers goroutines waiting on the limiters (round robin) for key k until
// window ends, and returns how many Waits were let through.
func count(t *testing.T, ls []paygate.Limiter, k string, workers int, window time.Duration) int64 {
	ctx, cancel := context.WithTimeout(t.Context(), window)
	defer cancel()
	var n atomic.Int64
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			l := ls[i%len(ls)]
			for {
				if err := l.Wait(ctx, k); err != nil {
					return
				}
				if ctx.Err() != nil { // let through after the window: not counted
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return n.Load()
}

// rateOverWindow: concurrent callers get about rate·T + burst through in T, never more.
func rateOverWindow(t *testing.T, _ *settings, open Open) {
	const r, b = 20, 2
	const window = 1500 * time.Millisecond
	l := open(t, r, b)()
	n := count(t, []paygate.Limiter{l}, key(t, 0), 6, window)
	limit := int64(b + r*window.Seconds())
	require.LessOrEqual(t, n, limit+1, "at most burst + rate·T in T")
	require.GreaterOrEqual(t, n, limit/2, "the limiter lets the rate through")
}

// replicasShare: replicas on one store share one budget per key.
func replicasShare(t *testing.T, _ *settings, open Open) {
	const r, b = 10, 3
	const window = 1500 * time.Millisecond
	replica := open(t, r, b)
	ls := []paygate.Limiter{replica(), replica(), replica()}
	n := count(t, ls, key(t, 0), 6, window)
	limit := int64(b + r*window.Seconds())
	require.LessOrEqual(t, n, limit+1, "three replicas together: at most burst + rate·T in T")
	require.GreaterOrEqual(t, n, limit/2)
}

// keysIndependent: one key's spent budget does not hold another key back.
func keysIndependent(t *testing.T, s *settings, open Open) {
	l := open(t, 0.2, 1)()
	waitOK(t, l, key(t, 1))
	start := time.Now()
	quick, stop := context.WithTimeout(t.Context(), s.slack) // a limiter sharing keys waits 5 s: fail sooner
	defer stop()
	require.NoError(t, l.Wait(quick, key(t, 2)), "another key passes at once")
	require.NoError(t, l.Wait(quick, key(t, 3)), "another key passes at once")
	require.Less(t, time.Since(start), s.slack, "other keys pass at once")
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	require.Error(t, l.Wait(ctx, key(t, 1)), "the spent key still waits")
}

// contextDeadline: a Wait whose deadline passes returns the context's error, promptly.
func contextDeadline(t *testing.T, s *settings, open Open) {
	l := open(t, 0.1, 1)()
	k := key(t, 0)
	waitOK(t, l, k)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := l.Wait(ctx, k)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 200*time.Millisecond+s.slack, "returns once the context ends")
}

// pastDeadline: a Wait whose turn comes after its context's deadline is refused at once,
// with an error matching context.DeadlineExceeded, so that a router still has the time left to
// send the create to another provider.
func pastDeadline(t *testing.T, s *settings, open Open) {
	l := open(t, 0.1, 1)()
	k := key(t, 0)
	waitOK(t, l, k)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second) // the next turn is in 10 s
	defer cancel()
	start := time.Now()
	err := l.Wait(ctx, k)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NoError(t, ctx.Err(), "refused before the deadline")
	require.Less(t, time.Since(start), s.slack, "refused at once, not slept until the deadline")
}

// contextCancel: cancelling a waiting Wait ends it with context.Canceled.
func contextCancel(t *testing.T, s *settings, open Open) {
	l := open(t, 0.1, 1)()
	k := key(t, 0)
	waitOK(t, l, k)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx, k) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(s.slack + time.Second):
		t.Fatal("Wait did not return after its context was cancelled")
	}
}

// endedContext: a Wait with an already ended context whose budget is spent returns the
// context's error at once.
func endedContext(t *testing.T, s *settings, open Open) {
	l := open(t, 0.1, 1)()
	k := key(t, 0)
	waitOK(t, l, k)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	require.ErrorIs(t, l.Wait(ctx, k), context.Canceled)
	require.Less(t, time.Since(start), s.slack)
}
