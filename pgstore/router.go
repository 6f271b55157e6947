package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/router"
)

// RouterStore is the router's order index (router.Store) in PostgreSQL: a row per order in
// the table <prefix>router_orders that Migrate creates. ClaimProvider and MoveProvider are
// single statements, atomic across replicas: an order once possibly sent stays with its
// provider. A record's version (router.Claim.Version) is its row's xmin, the transaction that
// last wrote it, so db must run each statement in its own transaction (a pool or a
// connection, not one open transaction). An order number longer than 255 bytes, or one
// PostgreSQL cannot store as text, is kept under "sha256:" and its hex SHA-256, as the
// Deduper's keys are.
type RouterStore struct {
	db                                    DB
	upsert, get, claim, move, drop, purge string
}

var _ router.Store = (*RouterStore)(nil)

// NewRouterStore returns a RouterStore on db. Options used: WithTablePrefix (the one given to
// Migrate).
func NewRouterStore(db DB, opts ...Option) (*RouterStore, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	t := o.Prefix + "router_orders"
	return &RouterStore{
		db: db,
		upsert: `INSERT INTO ` + t + ` (kind, order_id, provider) VALUES ($1, $2, $3)
			ON CONFLICT (kind, order_id) DO UPDATE SET provider = excluded.provider, updated_at = now()`,
		get: `SELECT provider, xmin::text FROM ` + t + ` WHERE kind = $1 AND order_id = $2`,
		// A conflicting row of another provider is left alone and returns nothing.
		claim: `INSERT INTO ` + t + ` AS r (kind, order_id, provider) VALUES ($1, $2, $3)
			ON CONFLICT (kind, order_id) DO UPDATE SET updated_at = now() WHERE r.provider = excluded.provider
			RETURNING provider, xmin::text, xmax = 0`,
		move: `UPDATE ` + t + ` SET provider = $5, updated_at = now()
			WHERE kind = $1 AND order_id = $2 AND provider = $3 AND xmin::text = $4
			RETURNING provider, xmin::text`,
		drop:  `DELETE FROM ` + t + ` WHERE kind = $1 AND order_id = $2 AND provider = $3 AND xmin::text = $4`,
		purge: `DELETE FROM ` + t + ` WHERE updated_at < now() - make_interval(secs => $1)`,
	}, nil
}

// Purge deletes the records last written more than age ago, and returns how many: the table
// otherwise keeps every order (redisstore.RouterStore keeps one redisstore.RouterTTL, 90
// days). Run it from a periodic job. An order whose record is gone is routed as a new one, so
// age must be longer than any create of an order could still be sent again; an age under a
// day is refused.
func (s *RouterStore) Purge(ctx context.Context, age time.Duration) (int64, error) {
	if age < 24*time.Hour {
		return 0, fmt.Errorf("pgstore: router purge: age %v is under a day: a create repeated later could go to another provider", age)
	}
	tag, err := s.db.Exec(ctx, s.purge, age.Seconds())
	if err != nil {
		return 0, fmt.Errorf("pgstore: router purge: %w", err)
	}
	return tag.RowsAffected(), nil
}

// SetProvider records that provider holds the order, replacing any earlier record.
func (s *RouterStore) SetProvider(ctx context.Context, kind paygate.Kind, orderID, provider string) error {
	if _, err := s.db.Exec(ctx, s.upsert, string(kind), boundKey(orderID), provider); err != nil {
		return fmt.Errorf("pgstore: router: %w", err)
	}
	return nil
}

// Provider returns the provider recorded for the order, or "" when none is.
func (s *RouterStore) Provider(ctx context.Context, kind paygate.Kind, orderID string) (string, error) {
	c, err := s.record(ctx, kind, orderID)
	if err != nil {
		return "", fmt.Errorf("pgstore: router: %w", err)
	}
	return c.Provider, nil
}

// record reads the order's row: the zero Claim when there is none.
func (s *RouterStore) record(ctx context.Context, kind paygate.Kind, orderID string) (router.Claim, error) {
	var c router.Claim
	err := s.db.QueryRow(ctx, s.get, string(kind), boundKey(orderID)).Scan(&c.Provider, &c.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return router.Claim{}, nil
	}
	return c, err
}

// ClaimProvider records provider for the order unless another provider holds it, and returns
// the record (router.Store). A fresh claim is told by the row's xmax: 0 for a row the
// statement inserted, the locking transaction's id for one its ON CONFLICT updated.
func (s *RouterStore) ClaimProvider(ctx context.Context, kind paygate.Kind, orderID, provider string) (router.Claim, bool, error) {
	for {
		var c router.Claim
		var fresh bool
		err := s.db.QueryRow(ctx, s.claim, string(kind), boundKey(orderID), provider).Scan(&c.Provider, &c.Version, &fresh)
		if err == nil {
			return c, fresh, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return router.Claim{}, false, fmt.Errorf("pgstore: router: claim: %w", err)
		}
		// Another provider holds the order; read whose. Should its row be removed between
		// the two statements, claim again.
		if c, err = s.record(ctx, kind, orderID); err != nil {
			return router.Claim{}, false, fmt.Errorf("pgstore: router: claim: %w", err)
		}
		if c.Provider != "" {
			return c, false, nil
		}
		if err := ctx.Err(); err != nil {
			return router.Claim{}, false, fmt.Errorf("pgstore: router: claim: %w", err)
		}
	}
}

// MoveProvider moves the order from one record to provider to ("" removes it) only while
// from is recorded, and returns the record (router.Store).
func (s *RouterStore) MoveProvider(ctx context.Context, kind paygate.Kind, orderID string, from router.Claim, to string) (router.Claim, error) {
	if to == "" {
		tag, err := s.db.Exec(ctx, s.drop, string(kind), boundKey(orderID), from.Provider, from.Version)
		if err != nil {
			return router.Claim{}, fmt.Errorf("pgstore: router: move: %w", err)
		}
		if tag.RowsAffected() == 1 {
			return router.Claim{}, nil
		}
	} else {
		var c router.Claim
		err := s.db.QueryRow(ctx, s.move, string(kind), boundKey(orderID), from.Provider, from.Version, to).Scan(&c.Provider, &c.Version)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return router.Claim{}, fmt.Errorf("pgstore: router: move: %w", err)
		}
	}
	c, err := s.record(ctx, kind, orderID)
	if err != nil {
		return router.Claim{}, fmt.Errorf("pgstore: router: move: %w", err)
	}
	return c, nil
}
