package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// Timings of a BreakerStore.
const (
	// BreakerLockTTL is how long a breaker's lock holds if the replica holding it dies.
	BreakerLockTTL = 5 * time.Second
	// BreakerStateTTL is how long a breaker's state is kept after its last change.
	BreakerStateTTL = 24 * time.Hour
	// breakerOpTimeout bounds each Redis call: gobreaker.SharedDataStore takes no context (the
	// router waits for a breaker step at most until its caller's context ends or 500 ms).
	breakerOpTimeout = 2 * time.Second
)

// ErrBreakerLocked is Lock's answer while another holder has the lock; the caller retries.
var ErrBreakerLocked = errors.New("redisstore: breaker lock held")

// BreakerStore keeps circuit-breaker state in Redis so that every replica sees one circuit per
// provider. It implements gobreaker.SharedDataStore: the router takes it (router.WithBreakerStore),
// and so does gobreaker.NewDistributedCircuitBreaker. Keys are prefix + the name gobreaker
// gives ("gobreaker:state:NAME", "gobreaker:mutex:NAME").
type BreakerStore struct {
	c      redis.UniversalClient
	prefix string
	token  string // this store's lock owner token
}

var _ gobreaker.SharedDataStore = (*BreakerStore)(nil)

// NewBreakerStore returns a BreakerStore on c. Options used: WithKeyPrefix.
func NewBreakerStore(c redis.UniversalClient, opts ...Option) *BreakerStore {
	o := resolve(opts)
	return &BreakerStore{c: c, prefix: o.Prefix, token: uuid.NewString()}
}

func opContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), breakerOpTimeout)
}

// Lock takes the lock name without waiting: ErrBreakerLocked while another holder has it.
// A lock left by a replica that died expires after BreakerLockTTL.
func (s *BreakerStore) Lock(name string) error {
	ctx, cancel := opContext()
	defer cancel()
	ok, err := s.c.SetNX(ctx, s.prefix+name, s.token, BreakerLockTTL).Result()
	if err != nil {
		return fmt.Errorf("redisstore: breaker lock: %w", err)
	}
	if !ok {
		return ErrBreakerLocked
	}
	return nil
}

// unlockScript deletes the lock only if this store still holds it.
var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Unlock releases the lock name if this store holds it.
func (s *BreakerStore) Unlock(name string) error {
	ctx, cancel := opContext()
	defer cancel()
	if err := unlockScript.Run(ctx, s.c, []string{s.prefix + name}, s.token).Err(); err != nil {
		return fmt.Errorf("redisstore: breaker unlock: %w", err)
	}
	return nil
}

// GetData returns the state stored under name, or nothing when there is none.
func (s *BreakerStore) GetData(name string) ([]byte, error) {
	ctx, cancel := opContext()
	defer cancel()
	b, err := s.c.Get(ctx, s.prefix+name).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("redisstore: breaker state: %w", err)
	}
	return b, nil
}

// SetData stores the state under name for BreakerStateTTL.
func (s *BreakerStore) SetData(name string, data []byte) error {
	ctx, cancel := opContext()
	defer cancel()
	if err := s.c.Set(ctx, s.prefix+name, data, BreakerStateTTL).Err(); err != nil {
		return fmt.Errorf("redisstore: breaker state: %w", err)
	}
	return nil
}
