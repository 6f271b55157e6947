package redisstore

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/pause"
)

// Limiter is a [paygate.Limiter] on Redis: every replica waiting on a Limiter with the same
// server, key prefix, rate and burst shares one budget per key (provider and merchant, see
// paygate.LimiterKey). Make it with [NewLimiter].
//
// It is the generic cell rate algorithm (GCRA) in one Lua script on one Redis key per
// limiter key, prefix + "rate:" + key, holding the theoretical arrival time of the next
// request in microseconds of the Redis server's clock, so the replicas' clocks do not
// matter; the key expires once the budget is full again. A Wait that is refused sleeps for
// the time the script says and asks again, so over any window of length T at most
// burst + rate·T requests are let through, however many replicas wait. Redis 5 or later.
type Limiter struct {
	c        redis.UniversalClient
	interval int64 // emission interval, µs
	burst    int
	prefix   string
}

var _ paygate.Limiter = (*Limiter)(nil)

// gcraScript lets one request under KEYS[1] through (0) or says how many µs to wait,
// for an emission interval of ARGV[1] µs and a burst of ARGV[2].
var gcraScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local e = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if tat < now then tat = now end
local wait = tat + e - e * tonumber(ARGV[2]) - now
if wait > 0 then return wait end
local nxt = tat + e
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.ceil((nxt - now) / 1000) + 1)
return 0
`)

// NewLimiter returns a Limiter letting r requests per second through per key, and up to
// burst at once (burst < 1 is taken as 1). It panics unless r is positive and finite.
// Options: WithKeyPrefix.
func NewLimiter(c redis.UniversalClient, r rate.Limit, burst int, opts ...Option) *Limiter {
	if c == nil {
		panic("redisstore: NewLimiter with nil client")
	}
	if !(r > 0) || math.IsInf(float64(r), 0) {
		panic(fmt.Sprintf("redisstore: NewLimiter rate %v: want a positive finite rate", r))
	}
	return &Limiter{
		c:        c,
		interval: max(1, int64(math.Round(1e6/float64(r)))),
		burst:    max(1, burst),
		prefix:   resolve(opts).Prefix,
	}
}

// Wait implements paygate.Limiter. It returns ctx's error as soon as ctx ends, even while
// Redis has not answered (a stalled server holds no caller past its deadline), an error
// matching context.DeadlineExceeded at once when the wait Redis asks for would outlast ctx's
// deadline, and a wrapped Redis error when Redis answers with an error or cannot be reached
// (the gateway then sends anyway).
func (l *Limiter) Wait(ctx context.Context, key string) error {
	k := l.prefix + "rate:" + key
	for {
		us, err := detached(ctx, func(ctx context.Context) (int64, error) {
			return gcraScript.Run(ctx, l.c, []string{k}, l.interval, l.burst).Int64()
		}, nil)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("redisstore: limiter: %w", err)
		}
		if us <= 0 {
			return nil
		}
		wait := time.Duration(us) * time.Microsecond
		if err := pause.PastDeadline(ctx, wait); err != nil {
			return fmt.Errorf("redisstore: limiter: %w", err)
		}
		if err := pause.For(ctx, wait); err != nil {
			return err
		}
	}
}
