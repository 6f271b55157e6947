package trackertest_test

import (
	"context"
	"testing"
	"time"

	"github.com/paygate-go/paygate/internal/suitetest"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/tracker/trackertest"
)

// Stores that each break one promise of tracker.Store, over the memory one.
type (
	// addReplaces starts an order's tracking afresh when it is added again: its polls,
	// furthest status and lease are lost.
	addReplaces struct{ tracker.Store }
	// noLease claims without hiding what it claimed: two replicas poll one order at once.
	noLease struct{ tracker.Store }
	// noMax claims every due item, however many the caller asked for.
	noMax struct{ tracker.Store }
	// dropsUndelivered does not keep Undelivered: a status found but not yet handed to the
	// merchant's function would never be.
	dropsUndelivered struct{ tracker.Store }
)

func (s addReplaces) Add(ctx context.Context, it tracker.Item) error {
	if err := s.Remove(ctx, it.Provider, it.Kind, it.OrderID); err != nil {
		return err
	}
	return s.Store.Add(ctx, it)
}

func (s noLease) Claim(ctx context.Context, now time.Time, _ time.Duration, n int) ([]tracker.Item, error) {
	return s.Store.Claim(ctx, now, 0, n)
}

func (s noMax) Claim(ctx context.Context, now time.Time, lease time.Duration, _ int) ([]tracker.Item, error) {
	return s.Store.Claim(ctx, now, lease, 1<<20)
}

func (s dropsUndelivered) Claim(ctx context.Context, now time.Time, lease time.Duration, n int) ([]tracker.Item, error) {
	items, err := s.Store.Claim(ctx, now, lease, n)
	for i := range items {
		items[i].Undelivered = false
	}
	return items, err
}

var broken = map[string]func(tracker.Store) tracker.Store{
	"add-replaces":      func(s tracker.Store) tracker.Store { return addReplaces{s} },
	"no-lease":          func(s tracker.Store) tracker.Store { return noLease{s} },
	"no-max":            func(s tracker.Store) tracker.Store { return noMax{s} },
	"drops-undelivered": func(s tracker.Store) tracker.Store { return dropsUndelivered{s} },
}

// TestBrokenStore runs the suite against the broken Store suitetest.Broken names, in the
// child process TestRunFailsBrokenStores starts.
func TestBrokenStore(t *testing.T) {
	wrap, ok := broken[suitetest.Broken()]
	if !ok {
		return // run by TestRunFailsBrokenStores
	}
	trackertest.Run(t, func(*testing.T) tracker.Store { return wrap(tracker.NewMemoryStore()) })
}

// TestRunFailsBrokenStores: the suite fails each broken Store, in the subtests that guard the
// promise it breaks.
func TestRunFailsBrokenStores(t *testing.T) {
	suitetest.Check(t, "TestBrokenStore", map[string][]string{
		"add-replaces":      {"AddKeepsTrackedItem"},
		"no-lease":          {"LeaseHidesItem", "ConcurrentClaimsShareNothing"},
		"no-max":            {"Max"},
		"drops-undelivered": {"ClaimDueEarliestFirst"},
	})
}
