package lease

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
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

// ClaimedItem is one item a store's claim statement leased: its key (tracker.ItemKey), its
// encoding and its lease token.
type ClaimedItem struct {
	Key   string
	Item  []byte
	Lease string
}

// Parked is the due time Claim gives an item it cannot read: never due, so no claim returns
// it again, and kept as it is, for a person to find (by this due time) and fix or remove.
var Parked = time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC)

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
//
// An item that does not decode does not stop the others: Claim returns the readable ones and
// parks each unreadable one through park, which makes it due at Parked and ends its lease
// when c.Lease is still its lease token, leaving its encoding as it is. Each is logged once,
// at Error through slog.Default, with its key and the decoding error, never its encoding.
// Should parking fail, the item is claimed, and logged, again when its lease ends.
func (t Tracker) Claim(ctx context.Context, now time.Time, d time.Duration, maxItems int,
	claim func(until time.Time, token string) ([]ClaimedItem, error),
	park func(c ClaimedItem, due time.Time) error,
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
			t.park(ctx, c, err, park)
			continue
		}
		it.Lease = c.Lease
		items = append(items, it)
	}
	slices.SortStableFunc(items, func(a, b tracker.Item) int { return a.Due.Compare(b.Due) })
	return items, nil
}

// park parks the unreadable item c and logs it.
func (t Tracker) park(ctx context.Context, c ClaimedItem, decodeErr error, park func(ClaimedItem, time.Time) error) {
	attrs := []slog.Attr{
		slog.String("store", t.name), slog.String("key", c.Key), slog.Int("bytes", len(c.Item)),
		slog.String("error", decodeErr.Error()),
	}
	msg := "paygate tracker store: unreadable item parked, never due again; fix or remove it"
	if err := park(c, Parked); err != nil {
		msg = "paygate tracker store: unreadable item skipped, parking it failed; claimed again when its lease ends"
		attrs = append(attrs, slog.String("park_error", err.Error()))
	}
	slog.Default().LogAttrs(ctx, slog.LevelError, msg, attrs...)
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
