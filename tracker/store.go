package tracker

import (
	"container/heap"
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paygate-go/paygate"
)

// Item is one tracked order as a Store keeps it. The tracker owns every field but Lease; a
// Store keeps them as they are given (a persistent one encodes the Item with encoding/json)
// and sorts by Due.
type Item struct {
	Provider        string       `json:"provider"`
	Kind            paygate.Kind `json:"kind"`
	OrderID         string       `json:"order_id"`
	ProviderOrderID string       `json:"provider_order_id,omitempty"`
	// OutcomeUnknown marks an order whose create ended in paygate.ErrOutcomeUnknown and that
	// the provider has not yet shown: "not found" may then mean "not created".
	OutcomeUnknown bool `json:"outcome_unknown,omitempty"`
	// Created is when the order was created (or tracking began): the schedule's horizon and
	// the not-created window count from it.
	Created time.Time `json:"created"`
	// Episode names this tracking of the order, set by Track: an order tracked again after
	// its tracking ended (a create sent again after StatusNotCreated) is a new episode, and
	// the events the tracker makes up (not created, gave up) are deduplicated per episode.
	Episode string `json:"episode,omitempty"`
	// Due is when the order should be queried next.
	Due time.Time `json:"due"`
	// Polls counts the queries made so far; the back-off grows with it.
	Polls int `json:"polls,omitempty"`
	// Status and RawStatus are the furthest status the provider reported (or Track was told);
	// Undelivered is set while that status has not yet been handed to the merchant's function.
	Status      paygate.Status `json:"status,omitempty"`
	RawStatus   string         `json:"raw_status,omitempty"`
	Undelivered bool           `json:"undelivered,omitempty"`
	// Lease is the token of the Claim that returned the item, set by the Store; Reschedule
	// must present it. It is not part of the encoded item.
	Lease string `json:"-"`
}

// Key is the item's identity in a Store: provider, kind and the merchant's order number, as
// "provider|kind|orderID" (the order number last, so that any text in it keeps the key
// unambiguous).
func (it *Item) Key() string { return ItemKey(it.Provider, it.Kind, it.OrderID) }

// ItemKey is the Store key of an order.
func ItemKey(provider string, kind paygate.Kind, orderID string) string {
	return provider + "|" + string(kind) + "|" + orderID
}

// ErrLeaseLost is returned by Store.Reschedule when the item is no longer held under the
// caller's lease: the lease ran out and another caller claimed it, or the item was removed.
// The caller drops its copy.
var ErrLeaseLost = errors.New("tracker: lease lost")

// Store keeps the tracked orders, shared by every replica that runs a Tracker on it. It must
// be safe for concurrent use, and honour this contract (package trackertest checks it):
//
//   - Add stores item under its Key, unless an item with that key is already stored: then
//     nothing changes (tracking an order twice keeps its schedule) and Add returns nil.
//   - Claim returns at most max stored items whose Due is at or before now, earliest Due
//     first, and leases each for lease: it gets a fresh Lease token and no Claim returns it
//     again before now+lease, unless Reschedule gives it back first. An item whose lease ran
//     out (its holder died or was too slow) is claimable again, by anyone, under a new token.
//     The items returned carry the Due they had before they were claimed.
//   - Reschedule replaces the stored item by item (its new Due and state) and ends its lease,
//     when item.Lease is the item's current lease token; otherwise it changes nothing and
//     returns an error matching ErrLeaseLost.
//   - Remove forgets the order, whether leased or not; forgetting an absent order is not an
//     error.
//
// The memory store (NewMemoryStore) serves one process; redisstore and pgstore serve
// several. Clocks: Claim compares the callers' clocks (now), so replicas' clocks should agree
// to well within the lease.
type Store interface {
	Add(ctx context.Context, item Item) error
	Claim(ctx context.Context, now time.Time, lease time.Duration, max int) ([]Item, error)
	Reschedule(ctx context.Context, item Item) error
	Remove(ctx context.Context, provider string, kind paygate.Kind, orderID string) error
}

// NewMemoryStore returns a Store in this process's memory: the default of New. Its orders are
// lost when the process ends; give several replicas a shared Store instead.
func NewMemoryStore() Store { return &memoryStore{items: map[string]*memItem{}} }

type memoryStore struct {
	mu    sync.Mutex
	items map[string]*memItem
	queue memQueue // every item, by score
	seq   atomic.Int64
}

type memItem struct {
	item  Item      // Lease empty
	score time.Time // Due, or the end of the lease while leased
	lease string
	index int // in queue
}

// memQueue is a min-heap of items by score, then key.
type memQueue []*memItem

func (q memQueue) Len() int { return len(q) }
func (q memQueue) Less(i, j int) bool {
	if c := q[i].score.Compare(q[j].score); c != 0 {
		return c < 0
	}
	return q[i].item.Key() < q[j].item.Key()
}
func (q memQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *memQueue) Push(x any) {
	e := x.(*memItem)
	e.index = len(*q)
	*q = append(*q, e)
}
func (q *memQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}

func (m *memoryStore) Add(ctx context.Context, item Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := item.Key()
	if _, ok := m.items[k]; ok {
		return nil
	}
	item.Lease = ""
	e := &memItem{item: item, score: item.Due}
	m.items[k] = e
	heap.Push(&m.queue, e)
	return nil
}

func (m *memoryStore) Claim(ctx context.Context, now time.Time, lease time.Duration, maxItems int) ([]Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Item
	until := now.Add(lease)
	for len(out) < maxItems && len(m.queue) > 0 && !m.queue[0].score.After(now) {
		e := m.queue[0]
		e.lease = "m" + strconv.FormatInt(m.seq.Add(1), 36)
		e.score = until // hidden until the lease ends
		heap.Fix(&m.queue, 0)
		it := e.item
		it.Lease = e.lease
		out = append(out, it)
	}
	return out, nil
}

func (m *memoryStore) Reschedule(ctx context.Context, item Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.items[item.Key()]
	if !ok || item.Lease == "" || e.lease != item.Lease {
		return ErrLeaseLost
	}
	item.Lease = ""
	e.item, e.score, e.lease = item, item.Due, ""
	heap.Fix(&m.queue, e.index)
	return nil
}

func (m *memoryStore) Remove(ctx context.Context, provider string, kind paygate.Kind, orderID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := ItemKey(provider, kind, orderID)
	if e, ok := m.items[k]; ok {
		heap.Remove(&m.queue, e.index)
		delete(m.items, k)
	}
	return nil
}
