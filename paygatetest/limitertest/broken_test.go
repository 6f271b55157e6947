package limitertest_test

import (
	"context"
	"testing"

	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/suitetest"
	"github.com/paygate-go/paygate/paygatetest/limitertest"
)

// Limiters that each break one promise of paygate.Limiter, over the in-process one.
type (
	// unlimited lets every request through: the provider sees more than its rate.
	unlimited struct{}
	// oneKey spends every key's requests from one budget: one merchant account's traffic
	// holds back another's.
	oneKey struct{ paygate.Limiter }
	// sleepsToDeadline sleeps until the deadline instead of refusing a turn that comes after
	// it: a router has no time left to fail over.
	sleepsToDeadline struct{ paygate.Limiter }
)

func (unlimited) Wait(context.Context, string) error { return nil }

func (l oneKey) Wait(ctx context.Context, _ string) error { return l.Limiter.Wait(ctx, "one") }

func (l sleepsToDeadline) Wait(ctx context.Context, key string) error {
	err := l.Limiter.Wait(ctx, key)
	if err != nil && ctx.Err() == nil {
		<-ctx.Done()
		return ctx.Err()
	}
	return err
}

// brokenOpen are the broken stores; perReplica gives each replica a budget of its own, so
// that replicas together send a multiple of the rate.
var brokenOpen = map[string]limitertest.Open{
	"unlimited": func(*testing.T, rate.Limit, int) func() paygate.Limiter {
		return func() paygate.Limiter { return unlimited{} }
	},
	"one-key": func(_ *testing.T, r rate.Limit, b int) func() paygate.Limiter {
		l := oneKey{paygate.NewMemoryLimiter(r, b)}
		return func() paygate.Limiter { return l }
	},
	"sleeps-to-deadline": func(_ *testing.T, r rate.Limit, b int) func() paygate.Limiter {
		l := sleepsToDeadline{paygate.NewMemoryLimiter(r, b)}
		return func() paygate.Limiter { return l }
	},
	"per-replica": func(_ *testing.T, r rate.Limit, b int) func() paygate.Limiter {
		return func() paygate.Limiter { return paygate.NewMemoryLimiter(r, b) }
	},
}

// TestBrokenLimiter runs the suite against the broken Limiter suitetest.Broken names, in the
// child process TestRunFailsBrokenLimiters starts.
func TestBrokenLimiter(t *testing.T) {
	open, ok := brokenOpen[suitetest.Broken()]
	if !ok {
		return // run by TestRunFailsBrokenLimiters
	}
	limitertest.Run(t, open)
}

// TestRunFailsBrokenLimiters: the suite fails each broken Limiter, in the subtests that guard
// the promise it breaks.
func TestRunFailsBrokenLimiters(t *testing.T) {
	suitetest.Check(t, "TestBrokenLimiter", map[string][]string{
		"unlimited":          {"Burst", "RateOverWindow", "ReplicasShareBudget"},
		"one-key":            {"KeysIndependent"},
		"sleeps-to-deadline": {"PastDeadline"},
		"per-replica":        {"ReplicasShareBudget"},
	})
}
