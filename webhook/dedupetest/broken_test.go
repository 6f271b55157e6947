package dedupetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/paygate-go/paygate/internal/suitetest"
	"github.com/paygate-go/paygate/webhook"
	"github.com/paygate-go/paygate/webhook/dedupetest"
)

// Dedupers that each break one promise of webhook.Deduper, over the memory one.
type (
	// claimsAlways hands every caller the key: two deliveries, two calls of fn.
	claimsAlways struct{ webhook.Deduper }
	// doneForgets releases instead of marking handled: a redelivery runs fn again.
	doneForgets struct{ webhook.Deduper }
	// releaseMarksDone marks handled what failed: the provider's retry is acknowledged unhandled.
	releaseMarksDone struct{ webhook.Deduper }
	// heldLooksHandled answers "handled" for a key another caller holds: the delivery is
	// acknowledged, and were that caller to fail, the callback would be lost.
	heldLooksHandled struct{ webhook.Deduper }
)

func (claimsAlways) Claim(context.Context, string) (bool, error) { return true, nil }

func (d doneForgets) Done(ctx context.Context, key string) error { return d.Release(ctx, key) }

func (d releaseMarksDone) Release(ctx context.Context, key string) error { return d.Done(ctx, key) }

func (d heldLooksHandled) Claim(ctx context.Context, key string) (bool, error) {
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	ok, err := d.Deduper.Claim(short, key)
	if err != nil && ctx.Err() == nil {
		return false, nil
	}
	return ok, err
}

var broken = map[string]func(webhook.Deduper) webhook.Deduper{
	"claims-always":      func(d webhook.Deduper) webhook.Deduper { return claimsAlways{d} },
	"done-forgets":       func(d webhook.Deduper) webhook.Deduper { return doneForgets{d} },
	"release-marks-done": func(d webhook.Deduper) webhook.Deduper { return releaseMarksDone{d} },
	"held-looks-handled": func(d webhook.Deduper) webhook.Deduper { return heldLooksHandled{d} },
}

// TestBrokenDeduper runs the suite against the broken Deduper suitetest.Broken names, in the
// child process TestRunFailsBrokenDedupers starts.
func TestBrokenDeduper(t *testing.T) {
	wrap, ok := broken[suitetest.Broken()]
	if !ok {
		return // run by TestRunFailsBrokenDedupers
	}
	dedupetest.Run(t, func(_ *testing.T, cfg dedupetest.Config) func() webhook.Deduper {
		d := wrap(webhook.NewMemoryDeduper(cfg.DoneTTL, 0))
		return func() webhook.Deduper { return d }
	}, dedupetest.WithoutLease())
}

// TestRunFailsBrokenDedupers: the suite fails each broken Deduper, in the subtests that guard
// the promise it breaks.
func TestRunFailsBrokenDedupers(t *testing.T) {
	suitetest.Check(t, "TestBrokenDeduper", map[string][]string{
		"claims-always":      {"ClaimThenDone", "ConcurrentClaimsCallOnce"},
		"done-forgets":       {"ClaimThenDone", "ConcurrentClaimsCallOnce"},
		"release-marks-done": {"ClaimThenRelease", "ConcurrentClaimsWithFailures"},
		"held-looks-handled": {"WaiterClaimsAfterRelease", "WaiterSeesDone"},
	})
}
