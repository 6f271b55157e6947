package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paygate-go/paygate"
)

// RouterTTL is how long a RouterStore remembers which provider holds an order: longer than
// any reconciliation window. A query for an older order makes the router ask the providers
// one by one.
const RouterTTL = 90 * 24 * time.Hour

// RouterStore is the router's order index (router.Store) in Redis: one key per order,
// prefix + "router:" + kind + ":" + order ID, holding the provider's name.
type RouterStore struct {
	c      redis.UniversalClient
	prefix string
}

// NewRouterStore returns a RouterStore on c. Options used: WithKeyPrefix.
func NewRouterStore(c redis.UniversalClient, opts ...Option) *RouterStore {
	o := resolve(opts)
	return &RouterStore{c: c, prefix: o.Prefix + "router:"}
}

func (s *RouterStore) key(kind paygate.Kind, orderID string) string {
	return s.prefix + string(kind) + ":" + orderID
}

// SetProvider records that provider holds the order, for RouterTTL.
func (s *RouterStore) SetProvider(ctx context.Context, kind paygate.Kind, orderID, provider string) error {
	if err := s.c.Set(ctx, s.key(kind, orderID), provider, RouterTTL).Err(); err != nil {
		return fmt.Errorf("redisstore: router: %w", err)
	}
	return nil
}

// Provider returns the provider recorded for the order, or "" when none is.
func (s *RouterStore) Provider(ctx context.Context, kind paygate.Kind, orderID string) (string, error) {
	p, err := s.c.Get(ctx, s.key(kind, orderID)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("redisstore: router: %w", err)
	}
	return p, nil
}
