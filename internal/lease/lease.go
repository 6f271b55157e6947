// Package lease holds what the stores of redisstore and pgstore share: their options and
// defaults, the Deduper over one store's single operations (the polling claim, the keys that
// callers in one process hold with the owner token of each claim, and the bounded retry of a
// store write that must not be lost), and the tracker store over one store's statements.
package lease

import (
	"context"
	"sync"
	"time"

	"github.com/paygate-go/paygate/internal/pause"
)

// Holds are the keys held by callers in this process: one caller per key at a time, so a
// process keeps one owner token per key. The zero value is ready to use.
type Holds struct {
	mu  sync.Mutex
	own map[string]*Hold
}

// Hold is one caller's hold of a key.
type Hold struct {
	ch    chan struct{} // closed when the hold ends
	token string        // the owner token of the store's claim, once claimed
}

// Token is the owner token set by Claimed.
func (h *Hold) Token() string { return h.token }

// Acquire waits, honouring ctx, until no other caller in this process holds key, and holds it.
func (s *Holds) Acquire(ctx context.Context, key string) (*Hold, error) {
	for {
		s.mu.Lock()
		h, held := s.own[key]
		if !held {
			if s.own == nil {
				s.own = make(map[string]*Hold)
			}
			h = &Hold{ch: make(chan struct{})}
			s.own[key] = h
			s.mu.Unlock()
			return h, nil
		}
		s.mu.Unlock()
		select {
		case <-h.ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Claimed records that h's caller now holds the store's claim under token.
func (s *Holds) Claimed(h *Hold, token string) {
	s.mu.Lock()
	h.token = token
	s.mu.Unlock()
}

// Owned returns this process's claimed hold of key, or nil when no caller here holds a claim.
func (s *Holds) Owned(key string) *Hold {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.own[key]; h != nil && h.token != "" {
		return h
	}
	return nil
}

// Release ends h and wakes the callers in this process waiting for key.
func (s *Holds) Release(key string, h *Hold) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.own[key] == h {
		delete(s.own, key)
		close(h.ch)
	}
}

// Retry runs op until it succeeds, permanent says its error will not go away by retrying, ctx
// ends, or budget is spent, backing off from 10 ms to 500 ms. It returns op's last error.
func Retry(ctx context.Context, budget time.Duration, op func(context.Context) error, permanent func(error) bool) error {
	end := time.Now().Add(budget)
	wait := 10 * time.Millisecond
	for {
		// Each attempt ends with the budget (at least a second after it starts): a store that
		// does not answer (a stalled connection, and no read timeout) cannot hold it longer.
		deadline := end
		if least := time.Now().Add(time.Second); deadline.Before(least) {
			deadline = least
		}
		actx, cancel := context.WithDeadline(ctx, deadline)
		err := op(actx)
		cancel()
		if err == nil || permanent(err) || ctx.Err() != nil || time.Now().Add(wait).After(end) {
			return err
		}
		if pause.For(ctx, wait) != nil {
			return err
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// Defaults the store-backed Dedupers share.
const (
	// DefaultLease is how long a claim holds before another replica may take it over: longer
	// than a merchant's function takes, short enough that a replica that died holding a
	// claim delays the provider's next delivery only a little.
	DefaultLease = 2 * time.Minute
	// DefaultDoneTTL is how long a handled callback is remembered: longer than any
	// provider's retry schedule.
	DefaultDoneTTL = 24 * time.Hour
	// DefaultPollInterval is the longest a waiting claim sleeps between looks.
	DefaultPollInterval = 100 * time.Millisecond
	// DefaultWriteRetry is how long Done and Release keep trying when the store does not answer.
	DefaultWriteRetry = 10 * time.Second
)
