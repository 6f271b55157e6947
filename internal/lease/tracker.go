package lease

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/tracker"
)

// TrackerBackend is one store's statements on the tracked orders, as a TrackerStore runs
// them. Items travel encoded with encoding/json.
type TrackerBackend interface {
	// Add stores it, encoded as item, unless an item with its key is stored.
	Add(ctx context.Context, it *tracker.Item, item []byte) error
	// Claim leases at most maxItems items due at or before now until until, each under a
	// fresh lease token made from token, and returns them.
	Claim(ctx context.Context, now, until time.Time, maxItems int, token string) ([]ClaimedItem, error)
	// Reschedule replaces the stored item by it, encoded as item, at it.Due, and ends its
	// lease, when it.Lease is its lease token; ok reports whether it was.
	Reschedule(ctx context.Context, it *tracker.Item, item []byte) (ok bool, err error)
	// Remove forgets the order.
	Remove(ctx context.Context, provider string, kind paygate.Kind, orderID string) error
}

// ClaimedItem is one item a TrackerBackend's Claim leased: its encoding and lease token.
type ClaimedItem struct {
	Item  []byte
	Lease string
}

// TrackerStore is the tracker.Store of redisstore and pgstore over their TrackerBackend: it
// checks the context and the arguments, encodes and decodes the items, sorts what Claim
// returns and names a lost lease tracker.ErrLeaseLost.
type TrackerStore struct {
	name string // the package, starting every error
	b    TrackerBackend
}

var _ tracker.Store = (*TrackerStore)(nil)

// NewTrackerStore returns a TrackerStore over b. Its errors start with name ("redisstore").
func NewTrackerStore(name string, b TrackerBackend) *TrackerStore {
	return &TrackerStore{name: name, b: b}
}

// Add implements tracker.Store.
func (s *TrackerStore) Add(ctx context.Context, it tracker.Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(it)
	if err == nil {
		err = s.b.Add(ctx, &it, b)
	}
	if err != nil {
		return fmt.Errorf("%s: tracker add: %w", s.name, err)
	}
	return nil
}

// Claim implements tracker.Store.
func (s *TrackerStore) Claim(ctx context.Context, now time.Time, lease time.Duration, maxItems int) ([]tracker.Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if maxItems <= 0 {
		return nil, nil
	}
	claimed, err := s.b.Claim(ctx, now, now.Add(lease), maxItems, uuid.NewString())
	if err != nil {
		return nil, fmt.Errorf("%s: tracker claim: %w", s.name, err)
	}
	items := make([]tracker.Item, 0, len(claimed))
	for _, c := range claimed {
		var it tracker.Item
		if err := json.Unmarshal(c.Item, &it); err != nil {
			// Unreadable: its lease runs out and it stays claimable, for a person to see.
			return nil, fmt.Errorf("%s: tracker claim: item: %w", s.name, err)
		}
		it.Lease = c.Lease
		items = append(items, it)
	}
	slices.SortStableFunc(items, func(a, b tracker.Item) int { return a.Due.Compare(b.Due) })
	return items, nil
}

// Reschedule implements tracker.Store.
func (s *TrackerStore) Reschedule(ctx context.Context, it tracker.Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if it.Lease == "" {
		return tracker.ErrLeaseLost
	}
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("%s: tracker reschedule: %w", s.name, err)
	}
	ok, err := s.b.Reschedule(ctx, &it, b)
	if err != nil {
		return fmt.Errorf("%s: tracker reschedule: %w", s.name, err)
	}
	if !ok {
		return tracker.ErrLeaseLost
	}
	return nil
}

// Remove implements tracker.Store.
func (s *TrackerStore) Remove(ctx context.Context, provider string, kind paygate.Kind, orderID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.b.Remove(ctx, provider, kind, orderID); err != nil {
		return fmt.Errorf("%s: tracker remove: %w", s.name, err)
	}
	return nil
}
