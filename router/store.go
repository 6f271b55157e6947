package router

import (
	"context"
	"strconv"
	"sync"

	"github.com/paygate-go/paygate"
)

// Store is the router's order index: which provider holds each order, so that a Query goes
// back to it and a repeated create of the same order number goes nowhere else. Implementations
// must be safe for concurrent use; redisstore.RouterStore and pgstore.RouterStore share the
// index between replicas and keep it across restarts.
//
// An order, once a create of it may have reached a provider, stays with that provider: the
// router claims the order for a provider (ClaimProvider) before sending it there, and moves
// the claim (MoveProvider) only when that attempt provably created nothing. Both are atomic,
// so two replicas creating the same order at once agree on one provider.
type Store interface {
	// SetProvider records that provider holds the order (kind, orderID), replacing any
	// earlier record. The router does not call it for creates (they claim); it is for tools
	// that repair the index.
	SetProvider(ctx context.Context, kind paygate.Kind, orderID, provider string) error
	// Provider returns the provider recorded for (kind, orderID), or "" and nil when none is.
	Provider(ctx context.Context, kind paygate.Kind, orderID string) (string, error)
	// ClaimProvider records provider for (kind, orderID) if no provider is recorded, and
	// gives a record of the same provider a new Version (another attempt is going there). It
	// returns the record as it stands after: its Provider is provider when the claim holds,
	// else the provider that already holds the order, unchanged. fresh reports that no record
	// existed before this call: only a fresh claim's create may move the order on (another
	// create of the same provider may be in flight under a record it joined).
	ClaimProvider(ctx context.Context, kind paygate.Kind, orderID, provider string) (c Claim, fresh bool, err error)
	// MoveProvider replaces the record with provider to (a new Version) only if it still is
	// from, Provider and Version alike; to == "" removes it. It returns the record as it stands
	// after: a Claim of to when the move happened (the zero Claim when removed), else whatever
	// is recorded (the zero Claim when nothing is).
	MoveProvider(ctx context.Context, kind paygate.Kind, orderID string, from Claim, to string) (Claim, error)
}

// Claim is one record of the order index: the provider that holds an order, and the record's
// version, an opaque string that changes every time the record is claimed or moved. The
// version lets MoveProvider tell whether another attempt claimed the order in between.
type Claim struct {
	Provider string
	Version  string
}

// MemoryStore is a Store in this process's memory, for one replica and for tests. It forgets
// everything when the process ends and keeps every order until then.
type MemoryStore struct {
	mu  sync.RWMutex
	m   map[memoryKey]Claim
	seq uint64
}

type memoryKey struct {
	kind    paygate.Kind
	orderID string
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[memoryKey]Claim{}} }

// claim returns a new Claim of provider. s.mu is held.
func (s *MemoryStore) claim(provider string) Claim {
	s.seq++
	return Claim{Provider: provider, Version: strconv.FormatUint(s.seq, 10)}
}

// SetProvider implements Store.
func (s *MemoryStore) SetProvider(_ context.Context, kind paygate.Kind, orderID, provider string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[memoryKey{kind, orderID}] = s.claim(provider)
	return nil
}

// Provider implements Store.
func (s *MemoryStore) Provider(_ context.Context, kind paygate.Kind, orderID string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[memoryKey{kind, orderID}].Provider, nil
}

// ClaimProvider implements Store.
func (s *MemoryStore) ClaimProvider(_ context.Context, kind paygate.Kind, orderID, provider string) (Claim, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := memoryKey{kind, orderID}
	old, ok := s.m[k]
	if ok && old.Provider != provider {
		return old, false, nil
	}
	c := s.claim(provider)
	s.m[k] = c
	return c, !ok, nil
}

// MoveProvider implements Store.
func (s *MemoryStore) MoveProvider(_ context.Context, kind paygate.Kind, orderID string, from Claim, to string) (Claim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := memoryKey{kind, orderID}
	c, ok := s.m[k]
	switch {
	case !ok || c != from:
		return c, nil
	case to == "":
		delete(s.m, k)
		return Claim{}, nil
	}
	c = s.claim(to)
	s.m[k] = c
	return c, nil
}
