package pgstore

import (
	"context"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/lease"
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
//
// A row whose item does not decode as a tracker.Item (edited, or written by something else)
// does not stop the others: Claim returns the readable rows and parks the unreadable one,
// logging it once at Error through slog.Default with its key. Parked, it keeps its item and
// is due on 9999-12-31 (SELECT ... WHERE due >= '9999-12-31' lists the parked rows); fix its
// item and due, or delete it (Tracker.Forget): until then, Track of that order changes nothing.
type TrackerStore struct {
	db                                      DB
	add, claim, park, reschedule, removeSQL string
	t                                       lease.Tracker
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
			RETURNING t.provider, t.kind, t.order_id, t.item, t.lease`,
		park: `UPDATE ` + t + ` SET due = $2, lease = NULL WHERE lease = $1`,
		reschedule: `UPDATE ` + t + ` SET due = $4, lease = NULL, item = $5
			WHERE provider = $1 AND kind = $2 AND order_id = $3 AND lease = $6`,
		removeSQL: `DELETE FROM ` + t + ` WHERE provider = $1 AND kind = $2 AND order_id = $3`,
		t:         lease.NewTracker("pgstore"),
	}, nil
}

// Add implements tracker.Store.
func (s *TrackerStore) Add(ctx context.Context, it tracker.Item) error {
	return s.t.Add(ctx, it, func(item []byte) error {
		_, err := s.db.Exec(ctx, s.add, it.Provider, string(it.Kind), it.OrderID, it.Due, item)
		return err
	})
}

// Claim implements tracker.Store.
func (s *TrackerStore) Claim(ctx context.Context, now time.Time, d time.Duration, maxItems int) ([]tracker.Item, error) {
	return s.t.Claim(ctx, now, d, maxItems, func(until time.Time, token string) ([]lease.ClaimedItem, error) {
		rows, err := s.db.Query(ctx, s.claim, now, until, token, maxItems)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var items []lease.ClaimedItem
		for rows.Next() {
			var provider, kind, orderID string
			var c lease.ClaimedItem
			if err := rows.Scan(&provider, &kind, &orderID, &c.Item, &c.Lease); err != nil {
				return nil, err
			}
			c.Key = tracker.ItemKey(provider, paygate.Kind(kind), orderID)
			items = append(items, c)
		}
		return items, rows.Err()
	}, func(c lease.ClaimedItem, due time.Time) error {
		_, err := s.db.Exec(ctx, s.park, c.Lease, due)
		return err
	})
}

// Reschedule implements tracker.Store.
func (s *TrackerStore) Reschedule(ctx context.Context, it tracker.Item) error {
	return s.t.Reschedule(ctx, it, func(item []byte) (bool, error) {
		tag, err := s.db.Exec(ctx, s.reschedule, it.Provider, string(it.Kind), it.OrderID, it.Due, item, it.Lease)
		return tag.RowsAffected() != 0, err
	})
}

// Remove implements tracker.Store.
func (s *TrackerStore) Remove(ctx context.Context, provider string, kind paygate.Kind, orderID string) error {
	return s.t.Remove(ctx, func() error {
		_, err := s.db.Exec(ctx, s.removeSQL, provider, string(kind), orderID)
		return err
	})
}
