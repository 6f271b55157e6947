package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/router"
)

// RouterTTL is how long a RouterStore remembers which provider holds an order: longer than
// any reconciliation window. A query for an older order makes the router ask the providers
// one by one, and a create of it is planned anew.
const RouterTTL = 90 * 24 * time.Hour

// RouterStore is the router's order index (router.Store) in Redis: one key per order,
// prefix + "router:" + kind + ":" + order ID, holding the provider's name, a newline and the
// record's version (a random string; a value written before versions existed is the bare
// name, read as version ""). ClaimProvider and MoveProvider are Lua scripts, atomic across
// replicas: an order once possibly sent stays with its provider.
type RouterStore struct {
	c      redis.UniversalClient
	prefix string
}

var _ router.Store = (*RouterStore)(nil)

// NewRouterStore returns a RouterStore on c. Options used: WithKeyPrefix.
func NewRouterStore(c redis.UniversalClient, opts ...Option) *RouterStore {
	o := resolve(opts)
	return &RouterStore{c: c, prefix: o.Prefix + "router:"}
}

func (s *RouterStore) key(kind paygate.Kind, orderID string) string {
	return s.prefix + string(kind) + ":" + orderID
}

// encodeClaim is a claim's value in Redis; decodeClaim reads it back.
func encodeClaim(c router.Claim) string {
	if c.Version == "" {
		return c.Provider
	}
	return c.Provider + "\n" + c.Version
}

func decodeClaim(v string) router.Claim {
	p, version, _ := strings.Cut(v, "\n")
	return router.Claim{Provider: p, Version: version}
}

func newClaim(provider string) router.Claim {
	return router.Claim{Provider: provider, Version: rand.Text()}
}

// SetProvider records that provider holds the order, for RouterTTL, replacing any record.
func (s *RouterStore) SetProvider(ctx context.Context, kind paygate.Kind, orderID, provider string) error {
	if err := s.c.Set(ctx, s.key(kind, orderID), encodeClaim(newClaim(provider)), RouterTTL).Err(); err != nil {
		return fmt.Errorf("redisstore: router: %w", err)
	}
	return nil
}

// Provider returns the provider recorded for the order, or "" when none is.
func (s *RouterStore) Provider(ctx context.Context, kind paygate.Kind, orderID string) (string, error) {
	v, err := s.c.Get(ctx, s.key(kind, orderID)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("redisstore: router: %w", err)
	}
	return decodeClaim(v).Provider, nil
}

// routerClaimScript: KEYS[1] the order, ARGV[1] the new value, ARGV[2] its provider, ARGV[3]
// the TTL in ms. It writes ARGV[1] unless another provider holds the order, and returns the
// value recorded after and 1 when no value was recorded before (a fresh claim), else 0.
var routerClaimScript = redis.NewScript(`
local v = redis.call("GET", KEYS[1])
if v then
	local p = v
	local i = string.find(v, "\n", 1, true)
	if i then p = string.sub(v, 1, i - 1) end
	if p ~= ARGV[2] then return {v, 0} end
end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[3])
if v then return {ARGV[1], 0} end
return {ARGV[1], 1}`)

// routerMoveScript: KEYS[1] the order, ARGV[1] the value expected, ARGV[2] the new value (""
// removes), ARGV[3] the TTL in ms. It returns the value recorded after ("" for none).
var routerMoveScript = redis.NewScript(`
local v = redis.call("GET", KEYS[1])
if v ~= ARGV[1] then return v or "" end
if ARGV[2] == "" then
	redis.call("DEL", KEYS[1])
	return ""
end
redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
return ARGV[2]`)

// ClaimProvider records provider for the order unless another provider holds it, in one Lua
// script, and returns the record (router.Store).
func (s *RouterStore) ClaimProvider(ctx context.Context, kind paygate.Kind, orderID, provider string) (router.Claim, bool, error) {
	res, err := routerClaimScript.Run(ctx, s.c, []string{s.key(kind, orderID)},
		encodeClaim(newClaim(provider)), provider, RouterTTL.Milliseconds()).Slice()
	if err != nil {
		return router.Claim{}, false, fmt.Errorf("redisstore: router: claim: %w", err)
	}
	v, _ := res[0].(string)
	fresh, _ := res[1].(int64)
	return decodeClaim(v), fresh == 1, nil
}

// MoveProvider moves the order from one record to provider to ("" removes it) only while
// from is recorded, in one Lua script, and returns the record (router.Store).
func (s *RouterStore) MoveProvider(ctx context.Context, kind paygate.Kind, orderID string, from router.Claim, to string) (router.Claim, error) {
	next := ""
	if to != "" {
		next = encodeClaim(newClaim(to))
	}
	v, err := routerMoveScript.Run(ctx, s.c, []string{s.key(kind, orderID)},
		encodeClaim(from), next, RouterTTL.Milliseconds()).Text()
	if err != nil {
		return router.Claim{}, fmt.Errorf("redisstore: router: move: %w", err)
	}
	if v == "" {
		return router.Claim{}, nil
	}
	return decodeClaim(v), nil
}
