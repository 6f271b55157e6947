package fakeserver

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
)

// Books are the orders and the balance of one fake: what a provider's handlers read and write.
type Books struct {
	provider string
	currency paygate.Currency
	cfg      paygate.Config
	url      string
	seq      atomic.Int64

	mu      sync.Mutex
	orders  map[paygate.Kind]map[string]*Order // by kind, then merchant order number
	balance decimal.Decimal
	frozen  decimal.Decimal
}

// NewBooks returns empty books with balance available, for tests of the bookkeeping alone.
func NewBooks(provider string, currency paygate.Currency, cfg paygate.Config, balance decimal.Decimal) *Books {
	return &Books{provider: provider, currency: currency, cfg: cfg, balance: balance,
		orders: map[paygate.Kind]map[string]*Order{paygate.KindPayIn: {}, paygate.KindPayOut: {}}}
}

// Config is the merchant configuration requests must be signed with.
func (b *Books) Config() paygate.Config { return b.cfg }

// URL is the fake's base URL, for the payment links it hands out.
func (b *Books) URL() string { return b.url }

// ErrDuplicate is returned by Create for an order number already taken.
var ErrDuplicate = errors.New("duplicate order number")

// ErrInsufficient is returned by Create for a pay-out larger than the available balance.
var ErrInsufficient = errors.New("insufficient balance")

// Create stores a new order of kind, assigning it a provider order number with prefix. A
// pay-out's amount is taken from the available balance into frozen; too little balance is
// ErrInsufficient. It returns a copy of the stored order.
func (b *Books) Create(kind paygate.Kind, prefix string, o *Order) (*Order, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := b.orders[kind][o.OrderID]; dup && o.OrderID != "" {
		return nil, ErrDuplicate
	}
	if kind == paygate.KindPayOut {
		if b.balance.LessThan(o.Amount) {
			return nil, ErrInsufficient
		}
		b.balance = b.balance.Sub(o.Amount)
		b.frozen = b.frozen.Add(o.Amount)
	}
	o.Provider, o.Kind, o.Currency = b.provider, kind, b.currency
	o.ProviderOrderID = prefix + strconv.FormatInt(time.Now().UnixNano()/1000%1e12, 10) + fmt.Sprintf("%04d", b.seq.Add(1)%10000)
	if o.Status == "" {
		o.Status = paygate.StatusPending
	}
	o.Created = time.Now()
	b.orders[kind][o.Key()] = o
	c := o.copy()
	return &c, nil
}

// Key is the number the books keep o under: the merchant's order number, or the provider's
// when the request carried none.
func (o Order) Key() string {
	if o.OrderID == "" {
		return o.ProviderOrderID
	}
	return o.OrderID
}

// Find returns a copy of the order of kind by merchant or provider order number.
func (b *Books) Find(kind paygate.Kind, orderID, providerOrderID string) (Order, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o, ok := b.orders[kind][orderID]; ok && orderID != "" {
		return o.copy(), true
	}
	if providerOrderID != "" {
		for _, o := range b.orders[kind] {
			if o.ProviderOrderID == providerOrderID {
				return o.copy(), true
			}
		}
	}
	return Order{}, false
}

// byProviderID returns a copy of the order of either kind with provider order number id.
func (b *Books) byProviderID(id string) (Order, bool) {
	for _, kind := range []paygate.Kind{paygate.KindPayIn, paygate.KindPayOut} {
		if o, ok := b.Find(kind, "", id); ok {
			return o, true
		}
	}
	return Order{}, false
}

// Update applies f to the stored order of kind with merchant order number orderID; f may call
// Move. It returns a copy of the order after f.
func (b *Books) Update(kind paygate.Kind, orderID string, f func(*Order)) (Order, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.orders[kind][orderID]
	if !ok {
		return Order{}, false
	}
	f(o)
	return o.copy(), true
}

// Funds returns the available and frozen balance.
func (b *Books) Funds() (available, frozen decimal.Decimal) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.balance, b.frozen
}

// lookup finds the order of kind (either, when empty) by merchant number. b.mu is held.
func (b *Books) lookup(kind paygate.Kind, orderID string) (*Order, error) {
	if kind != "" {
		if o := b.orders[kind][orderID]; o != nil {
			return o, nil
		}
		return nil, fmt.Errorf("%w: %s %q", ErrNoOrder, kind, orderID)
	}
	in, out := b.orders[paygate.KindPayIn][orderID], b.orders[paygate.KindPayOut][orderID]
	switch {
	case in != nil && out != nil:
		return nil, fmt.Errorf("sandbox: order %q is both a pay-in and a pay-out", orderID)
	case in != nil:
		return in, nil
	case out != nil:
		return out, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrNoOrder, orderID)
}

// settle moves the order to st and returns a copy.
func (b *Books) settle(kind paygate.Kind, orderID string, st paygate.Status) (Order, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, err := b.lookup(kind, orderID)
	if err != nil {
		return Order{}, err
	}
	b.Move(o, st)
	return o.copy(), nil
}

// Move applies a status change to a stored order and its effect on the balance. Call it only
// inside Update (the books are locked there).
func (b *Books) Move(o *Order, st paygate.Status) {
	if o.Status == st {
		return
	}
	from := o.Status
	o.Status = st
	if st.Final() {
		o.Completed = time.Now()
		if o.UTR == "" && st == paygate.StatusSucceeded {
			o.UTR = fmt.Sprintf("%012d", 341200000000+b.seq.Add(1))
		}
	}
	net := o.Amount // what the merchant's balance moves by
	if o.Kind == paygate.KindPayIn {
		net = o.Amount.Sub(o.Fee)
	}
	switch {
	case o.Kind == paygate.KindPayIn && from == paygate.StatusSucceeded:
		b.balance = b.balance.Sub(net) // a collection reversed or failed after all: taken back
	case o.Kind == paygate.KindPayIn && st == paygate.StatusSucceeded:
		b.balance = b.balance.Add(net)
	case o.Kind == paygate.KindPayOut && !from.Final() && st.Final():
		b.frozen = b.frozen.Sub(net) // the held amount is released: paid out, or returned
		if st != paygate.StatusSucceeded {
			b.balance = b.balance.Add(net)
		}
	case o.Kind == paygate.KindPayOut && from == paygate.StatusSucceeded:
		b.balance = b.balance.Add(net) // a pay-out reversed after it was paid: returned
	}
}
