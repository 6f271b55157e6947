package paygate

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate/internal/option"
	"github.com/paygate-go/paygate/internal/pause"
)

// Limiter paces the requests a Gateway sends to its provider, retries included. Wait blocks
// until one request under key may be sent, or returns an error when ctx ends first or the
// limiter cannot decide. A wait that would outlast ctx's deadline is refused at once, with an
// error matching context.DeadlineExceeded (x/time/rate's rule): the request is not sent, and
// a router can still send the create to another provider within the deadline.
//
// The key is the provider's name and the merchant ID ("cashgit:cgpay"), so that every replica
// of a merchant's backend sharing one Limiter (redisstore.Limiter) shares the provider's
// per-merchant limit. A Limiter error other than the context's own fails open: the request is
// sent and one Warn line is logged, since a provider's refusal for rate is a definite refusal.
type Limiter interface {
	Wait(ctx context.Context, key string) error
}

// LimiterKey is the key a Gateway passes to its Limiter.
func LimiterKey(provider, merchantID string) string { return provider + ":" + merchantID }

// WithLimiter makes the Gateway wait on l before every request, in place of its in-process
// limiter (CashGit's 10 requests per second). Give every replica the same shared Limiter.
func WithLimiter(l Limiter) Option { return func(s *Settings) { s.Limiter = option.Interface(l) } }

// NewMemoryLimiter returns an in-process Limiter letting r requests per second through per
// key, and up to burst at once (golang.org/x/time/rate, one limiter per key, kept for the
// process's life: keys are provider and merchant, few). Its budget is its process's: for
// several replicas use a shared one (redisstore.NewLimiter). Wait returns ctx's error when
// ctx ends first, and refuses at once a wait that would outlast ctx's deadline.
func NewMemoryLimiter(r rate.Limit, burst int) Limiter {
	return &memoryLimiter{r: r, burst: max(1, burst), keys: make(map[string]*rate.Limiter)}
}

type memoryLimiter struct {
	r     rate.Limit
	burst int
	mu    sync.Mutex
	keys  map[string]*rate.Limiter
}

// Wait implements Limiter.
func (m *memoryLimiter) Wait(ctx context.Context, key string) error {
	m.mu.Lock()
	l, ok := m.keys[key]
	if !ok {
		l = rate.NewLimiter(m.r, m.burst)
		m.keys[key] = l
	}
	m.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	res := l.Reserve()
	d := res.Delay()
	if d == 0 {
		return nil
	}
	if d == rate.InfDuration {
		res.Cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	if err := pause.PastDeadline(ctx, d); err != nil {
		res.Cancel()
		return fmt.Errorf("paygate: limiter %q: %w", key, err)
	}
	if err := pause.For(ctx, d); err != nil {
		res.Cancel()
		return err
	}
	return nil
}
