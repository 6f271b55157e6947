package router

import (
	"context"
	"sync"

	"github.com/paygate-go/paygate"
)

// Store is the router's order index: which provider holds each order, so that a Query goes
// back to it. Implementations must be safe for concurrent use; redisstore.RouterStore and
// pgstore.RouterStore share the index between replicas and keep it across restarts.
type Store interface {
	// SetProvider records that provider holds the order (kind, orderID), replacing any
	// earlier record. The router calls it before each attempt of a create, so an order whose
	// create ended in paygate.ErrOutcomeUnknown is found where it may exist.
	SetProvider(ctx context.Context, kind paygate.Kind, orderID, provider string) error
	// Provider returns the provider recorded for (kind, orderID), or "" and nil when none is.
	Provider(ctx context.Context, kind paygate.Kind, orderID string) (string, error)
}

// MemoryStore is a Store in this process's memory, for one replica and for tests. It forgets
// everything when the process ends and keeps every order until then.
type MemoryStore struct {
	mu sync.RWMutex
	m  map[memoryKey]string
}

type memoryKey struct {
	kind    paygate.Kind
	orderID string
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[memoryKey]string{}} }

// SetProvider implements Store.
func (s *MemoryStore) SetProvider(_ context.Context, kind paygate.Kind, orderID, provider string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[memoryKey{kind, orderID}] = provider
	return nil
}

// Provider implements Store.
func (s *MemoryStore) Provider(_ context.Context, kind paygate.Kind, orderID string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[memoryKey{kind, orderID}], nil
}
