package webhook

import (
	"container/list"
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/paygate-go/paygate"
)

// Deduper remembers which callbacks were handled, so that a provider's repeated delivery of
// one (providers retry until they see their Ack, and sometimes after) is acknowledged without
// calling the merchant's function again, and so that concurrent deliveries of the same
// callback call it once.
//
// The handler uses it like this, for each verified (and, with WithConfirm, confirmed) callback
// with a non-empty [Key]:
//
//	claimed, err := d.Claim(ctx, key)
//	err != nil  → 500, fn not called (the provider retries)
//	!claimed    → already handled: the provider's Ack, fn not called
//	claimed     → fn runs; then exactly one of
//	              d.Done(ctx, key)     when fn returned nil (before the Ack is written)
//	              d.Release(ctx, key)  when fn failed or panicked
//
// A callback is therefore marked handled only after fn succeeded: a crash or an error in fn
// never loses one. Done and Release get a context that is not cancelled when the provider
// hangs up, so the record is written even then.
//
// Implementations must be safe for concurrent use and honour this contract:
//
//   - Claim returns (true, nil) when the caller now holds key and must handle the callback;
//     (false, nil) when key was already marked Done. While another caller holds key, Claim
//     waits, honouring ctx, until that caller calls Done (then it returns false) or Release
//     (then it tries to claim again). An implementation that cannot wait may return an
//     error instead: the duplicate is then answered 500 and the provider delivers it again
//     later, by which time the first delivery has been marked.
//   - Done marks key handled and releases the hold; it may also be called for a key that is
//     not held. If it fails it returns an error (logged by the handler; the provider has
//     already been answered with its Ack) and must leave key claimable, not held.
//   - Release gives the hold up without marking key handled.
//
// [NewMemoryDeduper] is an in-process implementation. A merchant running several processes
// behind a load balancer, or wanting deduplication to survive restarts, uses
// redisstore.NewDeduper or pgstore.NewDeduper, or checks its own implementation with
// webhook/dedupetest.Run.
type Deduper interface {
	// Claim takes key for the caller. See the interface documentation.
	Claim(ctx context.Context, key string) (claimed bool, err error)
	// Done marks key handled and releases the caller's hold.
	Done(ctx context.Context, key string) error
	// Release gives up the caller's hold without marking key handled.
	Release(ctx context.Context, key string) error
}

// ErrClaimLost is the cause of a [Holder]'s context once the caller's claim was lost.
var ErrClaimLost = errors.New("webhook: the deduper's claim was lost while the callback was being handled")

// Holder is implemented by a Deduper whose claims can be lost while held: those of
// redisstore and pgstore are leases in a shared store, renewed while held (from Claim until
// Done or Release), and lost when a renewal finds another caller's claim, or cannot reach the
// store before the lease ends — another replica may then take the key over.
//
// The handler runs fn under Hold's context: when the claim is lost, fn's context is
// cancelled with cause ErrClaimLost. If fn then returns an error, the provider is answered
// 500 (OutcomeClaimLost) and the callback is released, not marked handled. If fn returns nil
// it did the work: the callback is marked handled and acknowledged as usual, since leaving it
// unmarked would have the provider's next delivery run fn again.
type Holder interface {
	// Hold returns a context derived from ctx that is cancelled, with cause ErrClaimLost,
	// once the caller's claim of key is lost, and a function freeing its resources, to be
	// called before Done or Release.
	Hold(ctx context.Context, key string) (context.Context, context.CancelFunc)
}

// RunOnce runs fn at most once per key among every caller sharing d, as [Handler] does: it
// claims key (a key already handled returns ran false and no error, one another caller holds
// is waited for), runs fn under the claim — with a [Holder], under a context cancelled with
// ErrClaimLost once the claim is lost — and then marks key handled (Done) when fn returned
// nil, or gives the claim up (Release) when it failed or panicked, with a context that
// outlives ctx. An fn that fails after its claim was lost has ErrClaimLost joined to its
// error. A failing Claim is err with ran false; markErr is Done's or Release's own failure.
func RunOnce(ctx context.Context, d Deduper, key string, fn func(context.Context) error) (ran bool, markErr, err error) {
	claimed, err := d.Claim(ctx, key)
	if err != nil || !claimed {
		return false, nil, err
	}
	fctx := ctx
	done := false
	defer func() { // also when fn panics: every successful Claim ends in one Done or Release
		rctx := context.WithoutCancel(ctx)
		if done {
			markErr = d.Done(rctx, key)
		} else {
			markErr = d.Release(rctx, key)
		}
	}()
	if h, ok := d.(Holder); ok {
		var stop context.CancelFunc
		fctx, stop = h.Hold(ctx, key)
		defer stop() // runs before Done or Release, as Hold asks
	}
	err = fn(fctx)
	if cause := context.Cause(fctx); err != nil && errors.Is(cause, ErrClaimLost) && !errors.Is(err, ErrClaimLost) {
		err = errors.Join(cause, err)
	}
	done = err == nil
	return true, nil, err
}

// Key is the identity under which a Deduper remembers a callback of one merchant account:
// the provider's name, the kind, the normalized status and the merchant's order number, as
//
//	provider|kind|status|OrderID
//
// The status is part of it, so that a "processing" callback and a later "succeeded" one for
// the same order are both handled. A status paygate does not know is written with the
// provider's raw value, quoted ("unknown\"HOLD\""), so that two different unknown statuses of
// one order are not taken for duplicates of each other. The provider's order number is not
// part of it: every provider sends the merchant's order number, and a body re-split by a
// forger to drop or change the provider's number must not make one callback look like two.
// The order number comes last, so that any text in it keeps the key unambiguous. A callback
// without the merchant's order number has no identity: Key returns "" and the handler does
// not deduplicate it. [Handler] uses [GatewayKey], which adds the merchant account.
func Key(provider string, cb *paygate.Callback) string {
	if cb.OrderID == "" {
		return ""
	}
	status := string(cb.Status)
	if cb.Status == paygate.StatusUnknown {
		status += strconv.Quote(cb.RawStatus)
	}
	return provider + "|" + string(cb.Kind) + "|" + status + "|" + cb.OrderID
}

// GatewayKey is the identity under which [Handler] remembers a callback gw verified: [Key]'s
// parts with the merchant account gw verifies for, quoted, after the provider's name:
//
//	provider|"merchant"|kind|status|OrderID
//
// Each merchant account numbers its orders itself, so one provider's order ORDER1001 of
// account A and ORDER1001 of account B are two orders, and two Handlers (or a Handler and
// the tracker) sharing one Deduper must not take one for a duplicate of the other. The
// merchant account is gw's MerchantID method (paygate.Config.MerchantID: appid, tenantId,
// merchantNo, MerchantId), which every paygate provider's Client and its ForKind gateways
// have. A gateway without one, or with an empty one, gets Key(gw.Name(), cb), as before.
func GatewayKey(gw paygate.Gateway, cb *paygate.Callback) string {
	k := Key(gw.Name(), cb)
	m, ok := gw.(interface{ MerchantID() string })
	if !ok || k == "" || m.MerchantID() == "" {
		return k
	}
	// The quoted merchant cannot be taken for a kind, and ends at its closing quote.
	return gw.Name() + "|" + strconv.Quote(m.MerchantID()) + k[len(gw.Name()):]
}

// Defaults of NewMemoryDeduper.
const (
	// DefaultDedupeTTL is how long a handled callback is remembered when ttl <= 0: longer
	// than any provider's retry schedule.
	DefaultDedupeTTL = 24 * time.Hour
	// DefaultDedupeMax is how many handled callbacks are remembered when maxEntries <= 0.
	DefaultDedupeMax = 100_000
)

// NewMemoryDeduper returns an in-process Deduper, safe for concurrent use, that remembers a
// handled callback for ttl (DefaultDedupeTTL when ttl <= 0) and at most maxEntries handled
// callbacks (DefaultDedupeMax when maxEntries <= 0). Marking one handled first forgets the
// expired entries, then the oldest ones beyond maxEntries. Callbacks being handled (claimed,
// not yet Done or Released) are kept apart and never evicted; they are bounded by the
// requests in flight.
//
// Its memory is its process's: for several processes, or across restarts, see [Deduper] for
// building a persistent one.
func NewMemoryDeduper(ttl time.Duration, maxEntries int) Deduper {
	return newMemoryDeduper(ttl, maxEntries, time.Now)
}

func newMemoryDeduper(ttl time.Duration, maxEntries int, now func() time.Time) *memoryDeduper {
	if ttl <= 0 {
		ttl = DefaultDedupeTTL
	}
	if maxEntries <= 0 {
		maxEntries = DefaultDedupeMax
	}
	return &memoryDeduper{
		ttl:      ttl,
		max:      maxEntries,
		now:      now,
		done:     make(map[string]*list.Element),
		order:    list.New(),
		inflight: make(map[string]chan struct{}),
	}
}

type memoryDeduper struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu       sync.Mutex
	done     map[string]*list.Element // key → element of order
	order    *list.List               // *doneEntry, oldest mark first
	inflight map[string]chan struct{} // held keys; the channel closes on Done or Release
}

type doneEntry struct {
	key string
	at  time.Time
}

// Claim implements Deduper.
func (m *memoryDeduper) Claim(ctx context.Context, key string) (bool, error) {
	for {
		m.mu.Lock()
		if e, ok := m.done[key]; ok {
			if m.now().Sub(e.Value.(*doneEntry).at) < m.ttl {
				m.mu.Unlock()
				return false, nil
			}
			m.forget(e)
		}
		wait, held := m.inflight[key]
		if !held {
			m.inflight[key] = make(chan struct{})
			m.mu.Unlock()
			return true, nil
		}
		m.mu.Unlock()
		select {
		case <-wait: // Done or Release: look again
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// Done implements Deduper.
func (m *memoryDeduper) Done(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e, ok := m.done[key]; ok {
		e.Value.(*doneEntry).at = now
		m.order.MoveToBack(e)
	} else {
		m.done[key] = m.order.PushBack(&doneEntry{key: key, at: now})
	}
	m.evict(now)
	m.release(key) // after marking, so that a woken waiter finds the mark
	return nil
}

// Release implements Deduper.
func (m *memoryDeduper) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.release(key)
	return nil
}

// release wakes the waiters of key. m.mu is held.
func (m *memoryDeduper) release(key string) {
	if ch, ok := m.inflight[key]; ok {
		delete(m.inflight, key)
		close(ch)
	}
}

// evict forgets expired entries, then the oldest beyond max. m.mu is held.
func (m *memoryDeduper) evict(now time.Time) {
	for e := m.order.Front(); e != nil; e = m.order.Front() {
		if m.order.Len() <= m.max && now.Sub(e.Value.(*doneEntry).at) < m.ttl {
			return
		}
		m.forget(e)
	}
}

// forget removes one handled entry. m.mu is held.
func (m *memoryDeduper) forget(e *list.Element) {
	m.order.Remove(e)
	delete(m.done, e.Value.(*doneEntry).key)
}

// len reports the handled and held entries, for tests.
func (m *memoryDeduper) len() (handled, held int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.done), len(m.inflight)
}
