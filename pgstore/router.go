package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/paygate-go/paygate"
)

// RouterStore is the router's order index (router.Store) in PostgreSQL: a row per order in
// the table <prefix>router_orders that Migrate creates.
type RouterStore struct {
	db          DB
	upsert, get string
}

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
		get: `SELECT provider FROM ` + t + ` WHERE kind = $1 AND order_id = $2`,
	}, nil
}

// SetProvider records that provider holds the order, replacing any earlier record.
func (s *RouterStore) SetProvider(ctx context.Context, kind paygate.Kind, orderID, provider string) error {
	if _, err := s.db.Exec(ctx, s.upsert, string(kind), orderID, provider); err != nil {
		return fmt.Errorf("pgstore: router: %w", err)
	}
	return nil
}

// Provider returns the provider recorded for the order, or "" when none is.
func (s *RouterStore) Provider(ctx context.Context, kind paygate.Kind, orderID string) (string, error) {
	var p string
	err := s.db.QueryRow(ctx, s.get, string(kind), orderID).Scan(&p)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("pgstore: router: %w", err)
	}
	return p, nil
}
