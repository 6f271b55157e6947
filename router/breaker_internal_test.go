package router

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/stretchr/testify/require"
)

// gatedStore is an in-memory gobreaker.SharedDataStore whose GetData waits while gate is set.
type gatedStore struct {
	mu     sync.Mutex
	locked map[string]bool
	data   map[string][]byte
	gate   chan struct{}
}

func (s *gatedStore) Lock(k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locked[k] {
		return context.DeadlineExceeded
	}
	s.locked[k] = true
	return nil
}

func (s *gatedStore) Unlock(k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.locked, k)
	return nil
}

func (s *gatedStore) GetData(k string) ([]byte, error) {
	s.mu.Lock()
	g := s.gate
	s.mu.Unlock()
	if g != nil {
		<-g
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data[k], nil
}

func (s *gatedStore) SetData(k string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[k] = v
	return nil
}

// TestAbandonedAllowDoesNotHideAProbe: replica A's allow is abandoned (its caller's context
// ended while the store answered) and taken back by undo; replica B's probe then goes in the
// same half-open round; then A's caller reports its own (excluded) outcome with done. The one
// request of A was excluded twice: counted() > 0 only stopped the count going below zero, so the
// second exclusion took B's probe off the count and a second probe was let through while B's was
// in flight (MaxRequests 1). The same happened with undo and done in the other order. An
// allow decided on the local state now has its done recorded there only.
func TestAbandonedAllowDoesNotHideAProbe(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxRequest uint32
	}{
		{"MaxRequests 1", 1},
		{"MaxRequests 2", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &gatedStore{locked: map[string]bool{}, data: map[string][]byte{}}
			var mu sync.Mutex
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			cfg := BreakerSettings{MaxRequests: tc.maxRequest, Timeout: 30 * time.Second,
				ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 1 }}
			log := slog.New(slog.DiscardHandler)
			a := newBreaker("p", cfg, clock, store, log)
			b := newBreaker("p", cfg, clock, store, log)
			ctx := context.Background()

			gen, err := b.allow(ctx)
			require.NoError(t, err)
			b.done(ctx, gen, sick) // open
			mu.Lock()
			now = now.Add(31 * time.Second)
			mu.Unlock()
			require.Equal(t, gobreaker.StateHalfOpen, a.State(ctx))

			// A's allow: the store is slow, A's caller's context ends: A decides locally.
			gate := make(chan struct{})
			store.mu.Lock()
			store.gate = gate
			store.mu.Unlock()
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			genA, err := a.allow(cctx)
			require.NoError(t, err)
			store.mu.Lock()
			store.gate = nil
			store.mu.Unlock()
			close(gate)
			require.Eventually(t, func() bool { return a.pending.Load() == 0 }, time.Second, time.Millisecond)

			// B's probes fill the round (undo took A's request back).
			for range tc.maxRequest {
				_, err = b.allow(ctx)
				require.NoError(t, err)
			}
			// A's caller reports its request: excluded (its context had ended).
			a.done(ctx, genA, excluded)

			_, err = b.allow(ctx)
			require.ErrorIs(t, err, ErrCircuitOpen,
				"%d probe(s) of B in flight, yet another is let through (A's one request excluded twice)", tc.maxRequest)
		})
	}
}
