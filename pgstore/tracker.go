package pgstore

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

// TrackerStore is a tracker.Store in PostgreSQL, shared by every replica of a merchant's
// backend: one row per tracked order in the table prefix + "tracker" (created by Migrate).
// Claim takes the due rows with FOR UPDATE SKIP LOCKED and moves each one's due time to the
// end of its lease, under a fresh lease token, in one statement: concurrent claims never get
// the same row, and a row whose holder died is due again when its lease ends.
//
// Unlike the Deduper, it compares the tracker's clock (tracker.WithClock), not the server's:
// every due time is the tracker's. Replicas' clocks should agree to well within the
// tracker's lease. The store's own WithLease is not used: the tracker passes its lease.
type TrackerStore struct {
	db                                DB
	add, claim, reschedule, removeSQL string
}

var _ tracker.Store = (*TrackerStore)(nil)

// NewTrackerStore returns a TrackerStore on db, under the table prefix of WithTablePrefix.
// Run Migrate first (or apply Schema). It fails only on an invalid option.
func NewTrackerStore(db DB, opts ...Option) (*TrackerStore, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	t := o.Prefix + "tracker"
	return &TrackerStore{
		db: db,
		add: `INSERT INTO ` + t + ` (provider, kind, order_id, due, item) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (provider, kind, order_id) DO NOTHING`,
		claim: `UPDATE ` + t + ` AS t SET due = $2, lease = $3 || ':' || d.n
			FROM (SELECT provider, kind, order_id, row_number() OVER (ORDER BY due, provider, kind, order_id) AS n
			      FROM (SELECT provider, kind, order_id, due FROM ` + t + `
			            WHERE due <= $1 ORDER BY due, provider, kind, order_id LIMIT $4
			            FOR UPDATE SKIP LOCKED) AS due) AS d
			WHERE t.provider = d.provider AND t.kind = d.kind AND t.order_id = d.order_id
			RETURNING t.item, t.lease`,
		reschedule: `UPDATE ` + t + ` SET due = $4, lease = NULL, item = $5
			WHERE provider = $1 AND kind = $2 AND order_id = $3 AND lease = $6`,
		removeSQL: `DELETE FROM ` + t + ` WHERE provider = $1 AND kind = $2 AND order_id = $3`,
	}, nil
}

// Add implements tracker.Store.
func (s *TrackerStore) Add(ctx context.Context, it tracker.Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("pgstore: tracker add: %w", err)
	}
	if _, err := s.db.Exec(ctx, s.add, it.Provider, string(it.Kind), it.OrderID, it.Due, b); err != nil {
		return fmt.Errorf("pgstore: tracker add: %w", err)
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
	rows, err := s.db.Query(ctx, s.claim, now, now.Add(lease), uuid.NewString(), maxItems)
	if err != nil {
		return nil, fmt.Errorf("pgstore: tracker claim: %w", err)
	}
	defer rows.Close()
	var items []tracker.Item
	for rows.Next() {
		var b []byte
		var it tracker.Item
		if err := rows.Scan(&b, &it.Lease); err != nil {
			return nil, fmt.Errorf("pgstore: tracker claim: %w", err)
		}
		lease := it.Lease
		if err := json.Unmarshal(b, &it); err != nil {
			return nil, fmt.Errorf("pgstore: tracker claim: item: %w", err)
		}
		it.Lease = lease
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: tracker claim: %w", err)
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
		return fmt.Errorf("pgstore: tracker reschedule: %w", err)
	}
	tag, err := s.db.Exec(ctx, s.reschedule, it.Provider, string(it.Kind), it.OrderID, it.Due, b, it.Lease)
	if err != nil {
		return fmt.Errorf("pgstore: tracker reschedule: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return tracker.ErrLeaseLost
	}
	return nil
}

// Remove implements tracker.Store.
func (s *TrackerStore) Remove(ctx context.Context, provider string, kind paygate.Kind, orderID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := s.db.Exec(ctx, s.removeSQL, provider, string(kind), orderID); err != nil {
		return fmt.Errorf("pgstore: tracker remove: %w", err)
	}
	return nil
}
