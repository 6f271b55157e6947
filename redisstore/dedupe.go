package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paygate-go/paygate/internal/lease"
	"github.com/paygate-go/paygate/webhook"
)

// MaxKeyBytes bounds the webhook key kept in Redis: a longer one (an order ID of a
// kilobyte) is kept as "sha256:" and the hex SHA-256 of it.
const MaxKeyBytes = 255

// Deduper is a [webhook.Deduper] on Redis, shared by every replica using the same server and
// key prefix. Make it with [NewDeduper].
//
// Each webhook key is one Redis key, prefix + "dedupe:" + key:
//
//   - Claim sets it to "c:" and a fresh owner token with SET NX PX (the lease), so exactly
//     one caller across the replicas holds it. A key that another replica holds is polled
//     until that replica marks it handled, releases it or its lease ends; the lease's end
//     is Redis's own expiry, so a replica that died holding a claim blocks the callback for
//     at most the lease.
//   - Done sets it to "d" with the done TTL, whoever holds it: the callback was handled, a
//     fact the store must not lose, even when this replica's lease had run out and another
//     replica took the claim over.
//   - Release deletes it only while it still holds this claim's token (a Lua compare and
//     delete): a replica whose lease ran out cannot release the claim of the replica that
//     took over, nor undo a mark.
//
// The token is kept in the process, by key: webhook.Deduper's methods carry no token, and
// the webhook handler calls Claim, then Done or Release, for one key from one request. So
// that a key has one token per process, callers in one process that claim the same key wait
// for each other in the process (as with webhook.NewMemoryDeduper) before one of them asks
// Redis. Use one Deduper per process, shared by its handlers.
//
// When Redis does not answer, Claim returns the error (the handler answers 500 and the
// provider delivers again), after trying to give up a claim whose answer was lost. Done and
// Release retry for a while (WithWriteRetry): a callback handled while Redis was briefly
// away is still marked, so its next delivery is not handled again. A Done that still fails
// tries to release the claim; when that fails too, the key becomes claimable when the lease
// ends — and the callback may then be handled again, as the webhook.Deduper contract says.
type Deduper struct {
	l *lease.Deduper
}

var (
	_ webhook.Deduper = (*Deduper)(nil)
	_ webhook.Holder  = (*Deduper)(nil)
)

// NewDeduper returns a Deduper on c. Options: WithKeyPrefix, WithLease, WithDoneTTL,
// WithPollInterval, WithWriteRetry.
func NewDeduper(c redis.UniversalClient, opts ...Option) *Deduper {
	if c == nil {
		panic("redisstore: NewDeduper with nil client")
	}
	o := resolve(opts)
	return &Deduper{l: lease.NewDeduper("redisstore", &dedupeStore{c: c, o: o}, o)}
}

// Claim implements webhook.Deduper.
func (d *Deduper) Claim(ctx context.Context, key string) (bool, error) { return d.l.Claim(ctx, key) }

// Done implements webhook.Deduper.
func (d *Deduper) Done(ctx context.Context, key string) error { return d.l.Done(ctx, key) }

// Release implements webhook.Deduper.
func (d *Deduper) Release(ctx context.Context, key string) error { return d.l.Release(ctx, key) }

// Hold implements webhook.Holder: the context is cancelled, with cause webhook.ErrClaimLost,
// once this process's claim of key is lost.
func (d *Deduper) Hold(ctx context.Context, key string) (context.Context, context.CancelFunc) {
	return d.l.Hold(ctx, key)
}

// Close stops renewing the leases of the claims this Deduper holds, as the process ending
// would, without giving them up: their Hold contexts are cancelled, and other replicas take
// them over once their leases end. Done and Release still work. It does not close the client.
func (d *Deduper) Close() error { return d.l.Close() }

// dedupeStore is the Deduper's lease.Store: one Redis key per webhook key.
type dedupeStore struct {
	c redis.UniversalClient
	o lease.Options
}

// claimScript takes KEYS[1] for ARGV[1] for ARGV[2] ms: 1 when taken (or already ours: a
// retry whose first reply was lost), 0 when marked handled, 2 when held by another claim.
var claimScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if v == ARGV[1] then return 1 end
if v == 'd' then return 0 end
return 2
`)

// extendScript sets KEYS[1] to expire in ARGV[2] ms while it holds ARGV[1]: 1 when it did.
var extendScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`)

// releaseScript deletes KEYS[1] while it holds ARGV[1].
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

const (
	doneValue   = "d"
	claimPrefix = "c:" // starts a claim's value, the owner token following
)

// Claim implements lease.Store. It returns ctx's error as soon as ctx ends; a claim taken
// after that, its caller gone, is released at once.
func (s *dedupeStore) Claim(ctx context.Context, key, token string) (claimed, done bool, err error) {
	k, v := s.redisKey(key), claimPrefix+token
	r, err := detached(ctx, func(ctx context.Context) (int, error) {
		return claimScript.Run(ctx, s.c, []string{k}, v, s.o.Lease.Milliseconds()).Int()
	}, func(r int, err error) {
		if err != nil || r == 1 { // taken, or perhaps taken with its answer lost
			ctx, cancel := context.WithTimeout(context.Background(), giveUpTimeout)
			defer cancel()
			_ = releaseScript.Run(ctx, s.c, []string{k}, v).Err()
		}
	})
	if err != nil {
		return false, false, err
	}
	return r == 1, r == 0, nil
}

// giveUpTimeout bounds the release of a claim taken after its caller left.
const giveUpTimeout = time.Second

// Done implements lease.Store.
func (s *dedupeStore) Done(ctx context.Context, key string) error {
	_, err := detached(ctx, func(ctx context.Context) (string, error) {
		return s.c.Set(ctx, s.redisKey(key), doneValue, s.o.DoneTTL).Result()
	}, nil)
	return err
}

// Release implements lease.Store.
func (s *dedupeStore) Release(ctx context.Context, key, token string) error {
	_, err := detached(ctx, func(ctx context.Context) (any, error) {
		return releaseScript.Run(ctx, s.c, []string{s.redisKey(key)}, claimPrefix+token).Result()
	}, nil)
	return err
}

// Extend implements lease.Store.
func (s *dedupeStore) Extend(ctx context.Context, key, token string) (bool, error) {
	r, err := detached(ctx, func(ctx context.Context) (int, error) {
		return extendScript.Run(ctx, s.c, []string{s.redisKey(key)}, claimPrefix+token, s.o.Lease.Milliseconds()).Int()
	}, nil)
	return r == 1, err
}

// Permanent implements lease.Store: an error Redis answered with itself, except those that
// say the server cannot take the command for now (see transient).
func (s *dedupeStore) Permanent(err error) bool {
	var rerr redis.Error
	return errors.As(err, &rerr) && !transient(err)
}

// transient reports a Redis answer that says the server, not the command, failed for now: a
// replica being promoted or a server demoted during a failover (READONLY, MASTERDOWN), a
// dataset still loading (LOADING), a cluster resharding or down (TRYAGAIN, CLUSTERDOWN), a
// script running too long (BUSY). The command may be tried again; giving up there would lose
// a mark, and a later delivery would run the merchant's function again.
func transient(err error) bool {
	return redis.IsReadOnlyError(err) || redis.IsLoadingError(err) || redis.IsTryAgainError(err) ||
		redis.IsClusterDownError(err) || redis.IsMasterDownError(err) || redis.HasErrorPrefix(err, "BUSY ")
}

func (s *dedupeStore) redisKey(key string) string {
	return s.o.Prefix + "dedupe:" + boundKey(key)
}

// boundKey returns key, or its SHA-256 when longer than MaxKeyBytes.
func boundKey(key string) string {
	if len(key) <= MaxKeyBytes {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}
