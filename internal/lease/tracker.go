package lease

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/paygate-go/paygate/tracker"
)

// Tracker is what the tracker.Store implementations of redisstore and pgstore share: each of
// its methods is the tracker.Store method of the same name around the store's own statement,
// given as a function. It checks the context and the arguments, encodes and decodes the items
// (encoding/json), sorts what Claim returns and names a lost lease tracker.ErrLeaseLost.
type Tracker struct {
	name string // the package, starting every error
}

// NewTracker returns a Tracker whose errors start with name ("redisstore").
func NewTracker(name string) Tracker { return Tracker{name: name} }

// ClaimedItem is one item a store's claim statement leased: its encoding and lease token.
type ClaimedItem struct {
	Item  []byte
	Lease string
}

// Add stores it through add, which stores the encoded item unless an item with its key is
// stored.
func (t Tracker) Add(ctx context.Context, it tracker.Item, add func(item []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(it)
	if err == nil {
		err = add(b)
	}
	if err != nil {
		return fmt.Errorf("%s: tracker add: %w", t.name, err)
	}
	return nil
}

// Claim leases for d at most maxItems items due at or before now. claim runs the store's
// statement: it leases them until until, each under a fresh lease token made from token, and
// returns them.
func (t Tracker) Claim(ctx context.Context, now time.Time, d time.Duration, maxItems int,
	claim func(until time.Time, token string) ([]ClaimedItem, error),
) ([]tracker.Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if maxItems <= 0 {
		return nil, nil
	}
	claimed, err := claim(now.Add(d), uuid.NewString())
	if err != nil {
		return nil, fmt.Errorf("%s: tracker claim: %w", t.name, err)
	}
	items := make([]tracker.Item, 0, len(claimed))
	for _, c := range claimed {
		var it tracker.Item
		if err := json.Unmarshal(c.Item, &it); err != nil {
			// Unreadable: its lease runs out and it stays claimable, for a person to see.
			return nil, fmt.Errorf("%s: tracker claim: item: %w", t.name, err)
		}
		it.Lease = c.Lease
		items = append(items, it)
	}
	slices.SortStableFunc(items, func(a, b tracker.Item) int { return a.Due.Compare(b.Due) })
	return items, nil
}

// Reschedule replaces the stored item by it through reschedule, which stores the encoded item
// at it.Due and ends its lease when it.Lease is its lease token, and reports whether it was.
func (t Tracker) Reschedule(ctx context.Context, it tracker.Item, reschedule func(item []byte) (bool, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if it.Lease == "" {
		return tracker.ErrLeaseLost
	}
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("%s: tracker reschedule: %w", t.name, err)
	}
	ok, err := reschedule(b)
	if err != nil {
		return fmt.Errorf("%s: tracker reschedule: %w", t.name, err)
	}
	if !ok {
		return tracker.ErrLeaseLost
	}
	return nil
}

// Remove forgets an order through remove.
func (t Tracker) Remove(ctx context.Context, remove func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := remove(); err != nil {
		return fmt.Errorf("%s: tracker remove: %w", t.name, err)
	}
	return nil
}
