package redisstore

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/lease"
	"github.com/paygate-go/paygate/tracker"
)

// TrackerStore is a tracker.Store in Redis, shared by every replica of a merchant's backend:
// a sorted set of the tracked orders by due time, a hash of the orders (encoding/json of
// tracker.Item) and a hash of their lease tokens. Claiming an order moves its score to the
// end of its lease, so no other replica sees it until then; each operation is one Lua script,
// atomic in Redis.
//
// Its three keys share the hash tag {tracker} (prefix + "{tracker}:due", ":items",
// ":leases"), so they live in one slot of a Redis Cluster. Due times are microseconds of the
// tracker's clock (tracker.WithClock), so replicas' clocks should agree to well within the
// tracker's lease. The store's own WithLease is not used: the tracker passes its lease.
//
// An order whose record does not decode (corrupt, or written by something else) does not stop
// the others: Claim returns the readable orders and parks the unreadable one, logging it once
// at Error through slog.Default with its key. Parked, it keeps its record and is due in the
// year 9999 (ZRANGEBYSCORE prefix+"{tracker}:due" 253402214400000000 +inf lists the parked
// keys); fix its record and give it a due time, or remove it (Tracker.Forget): until then,
// Track of that order changes nothing.
type TrackerStore struct {
	c    redis.UniversalClient
	keys []string // due, items, leases
	t    lease.Tracker
}

var _ tracker.Store = (*TrackerStore)(nil)

// NewTrackerStore returns a TrackerStore on c under the prefix of WithKeyPrefix.
func NewTrackerStore(c redis.UniversalClient, opts ...Option) *TrackerStore {
	base := resolve(opts).Prefix + "{tracker}:"
	keys := []string{base + "due", base + "items", base + "leases"}
	return &TrackerStore{c: c, keys: keys, t: lease.NewTracker("redisstore")}
}

// KEYS: due, items, leases.
var (
	trackerAdd = redis.NewScript(`
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1`)

	// ARGV: now, lease end, max, token prefix. Returns key, item, token triples.
	trackerClaim = redis.NewScript(`
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i, k in ipairs(keys) do
  local item = redis.call('HGET', KEYS[2], k)
  if item then
    local token = ARGV[4] .. ':' .. i
    redis.call('ZADD', KEYS[1], ARGV[2], k)
    redis.call('HSET', KEYS[3], k, token)
    out[#out + 1] = k
    out[#out + 1] = item
    out[#out + 1] = token
  else
    redis.call('ZREM', KEYS[1], k)
  end
end
return out`)

	// ARGV: key, token, due. Moves the item to due and ends its lease, item untouched, when
	// the lease is the caller's.
	trackerPark = redis.NewScript(`
if redis.call('HGET', KEYS[3], ARGV[1]) == ARGV[2] then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
end
return 1`)

	// ARGV: key, token, item, due. Returns 1, or 0 when the lease is not the caller's.
	trackerReschedule = redis.NewScript(`
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1`)

	trackerRemove = redis.NewScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1`)
)

func score(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

// Add implements tracker.Store.
func (s *TrackerStore) Add(ctx context.Context, it tracker.Item) error {
	return s.t.Add(ctx, it, func(item []byte) error {
		return trackerAdd.Run(ctx, s.c, s.keys, it.Key(), item, score(it.Due)).Err()
	})
}

// Claim implements tracker.Store.
func (s *TrackerStore) Claim(ctx context.Context, now time.Time, d time.Duration, maxItems int) ([]tracker.Item, error) {
	return s.t.Claim(ctx, now, d, maxItems, func(until time.Time, token string) ([]lease.ClaimedItem, error) {
		res, err := trackerClaim.Run(ctx, s.c, s.keys, score(now), score(until), maxItems, token).StringSlice()
		if err != nil {
			return nil, err
		}
		items := make([]lease.ClaimedItem, 0, len(res)/3)
		for i := 0; i+2 < len(res); i += 3 {
			items = append(items, lease.ClaimedItem{Key: res[i], Item: []byte(res[i+1]), Lease: res[i+2]})
		}
		return items, nil
	}, func(c lease.ClaimedItem, due time.Time) error {
		return trackerPark.Run(ctx, s.c, s.keys, c.Key, c.Lease, score(due)).Err()
	})
}

// Reschedule implements tracker.Store.
func (s *TrackerStore) Reschedule(ctx context.Context, it tracker.Item) error {
	return s.t.Reschedule(ctx, it, func(item []byte) (bool, error) {
		ok, err := trackerReschedule.Run(ctx, s.c, s.keys, it.Key(), it.Lease, item, score(it.Due)).Int()
		return ok != 0, err
	})
}

// Remove implements tracker.Store.
func (s *TrackerStore) Remove(ctx context.Context, provider string, kind paygate.Kind, orderID string) error {
	return s.t.Remove(ctx, func() error {
		return trackerRemove.Run(ctx, s.c, s.keys, tracker.ItemKey(provider, kind, orderID)).Err()
	})
}
