// Package sandbox is an in-process fake of each provider's HTTP API, for evaluating paygate
// without an account and for merchants' own test suites. A Server listens on 127.0.0.1,
// checks signatures, required fields and limits as the provider documents them, answers with
// the provider's envelopes and error codes, keeps orders (a duplicate order number is the
// provider's error), and on Settle delivers the provider's signed callback to the order's
// notify URL, retrying on the provider's documented schedule.
package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/wire"
)

// Order is an order the sandbox keeps.
type Order struct {
	Kind            paygate.Kind
	OrderID         string // the merchant's order number
	ProviderOrderID string // the number the fake assigned
	Amount          decimal.Decimal
	Fee             decimal.Decimal
	Status          paygate.Status
	NotifyURL       string
	UTR             string
	Fields          map[string]string // the request's fields as received (signature excluded)
	Created         time.Time
	Completed       time.Time
}

// Delivery is one attempt to deliver a callback.
type Delivery struct {
	OrderID    string
	Attempt    int // 1 for the first
	StatusCode int // 0 when the receiver could not be reached
	Acked      bool
	Err        error
	At         time.Time
}

// fake is one provider's API. Each provider's file registers a constructor in init.
type fake interface {
	// routes registers the provider's endpoints.
	routes(mux *http.ServeMux)
	// callback returns the signed callback for o in its current state.
	callback(o *Order) (http.Header, []byte, error)
	// acked reports whether the merchant's answer acknowledges the callback as the provider
	// requires it.
	acked(status int, body []byte) bool
	// schedule is the provider's documented retry delays after the first attempt, in minutes
	// of provider time (scaled by WithMinute).
	schedule() []int
}

var fakes = map[string]func(*Server) fake{} // written only by init functions

// Option configures a Server.
type Option func(*Server)

// WithAddr listens on addr (default "127.0.0.1:0", a random port).
func WithAddr(addr string) Option { return func(s *Server) { s.addr = addr } }

// WithMinute sets how long one provider minute of the callback retry schedule lasts (default
// one second, so a whole schedule stays short; tests set milliseconds).
func WithMinute(d time.Duration) Option { return func(s *Server) { s.minute = d } }

// WithLogger logs requests and deliveries.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithBalance sets the starting available balance (default 100000.00).
func WithBalance(d decimal.Decimal) Option { return func(s *Server) { s.balance = d } }

// Server is a running fake of one provider.
type Server struct {
	provider string
	cfg      paygate.Config
	addr     string
	minute   time.Duration
	log      *slog.Logger
	fake     fake

	ln     net.Listener
	http   *http.Server
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	seq    atomic.Int64

	mu         sync.Mutex
	orders     map[paygate.Kind]map[string]*Order // by kind, then merchant order number
	balance    decimal.Decimal
	frozen     decimal.Decimal
	deliveries []Delivery
}

// Providers returns the names the sandbox can fake.
func Providers() []string { return slices.Sorted(maps.Keys(fakes)) }

// New starts a fake of provider whose merchant credentials are cfg's (MerchantID, APIKey,
// Secret): requests must be signed with them, and callbacks are signed with them.
func New(provider string, cfg paygate.Config, opts ...Option) (*Server, error) {
	mk, ok := fakes[provider]
	if !ok {
		return nil, fmt.Errorf("sandbox: unknown provider %q (known: %v)", provider, Providers())
	}
	s := &Server{
		provider: provider, cfg: cfg, addr: "127.0.0.1:0", minute: time.Second,
		log:     slog.New(slog.DiscardHandler),
		orders:  map[paygate.Kind]map[string]*Order{paygate.KindPayIn: {}, paygate.KindPayOut: {}},
		balance: decimal.RequireFromString("100000.00"),
		// A merchant's redirect is its answer (Cashy counts 301 and 302 as acknowledged): never
		// follow it.
		client: &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
	for _, o := range opts {
		o(s)
	}
	s.fake = mk(s)
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	s.ln = ln
	mux := http.NewServeMux()
	s.fake.routes(mux)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

// URL is the base URL to put in Config.BaseURL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Provider is the faked provider's name.
func (s *Server) Provider() string { return s.provider }

// Close stops the server and any callback retries.
func (s *Server) Close() {
	s.cancel()
	_ = s.http.Close()
	s.wg.Wait()
	s.client.CloseIdleConnections()
}

// ErrNoOrder is returned by Settle and Order for an order number the sandbox does not have.
var ErrNoOrder = errors.New("sandbox: no such order")

// ErrNotAcknowledged is returned by Settle when the first delivery was not acknowledged;
// the sandbox goes on retrying on the provider's schedule.
var ErrNotAcknowledged = errors.New("sandbox: callback not acknowledged, retrying on the provider's schedule")

// Order returns a copy of the order with merchant order number orderID.
func (s *Server) Order(orderID string) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.lookup(orderID)
	if err != nil {
		return Order{}, err
	}
	return *o, nil
}

func (s *Server) lookup(orderID string) (*Order, error) {
	in, out := s.orders[paygate.KindPayIn][orderID], s.orders[paygate.KindPayOut][orderID]
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

// Settle moves an order to st and delivers its callback to the order's notify URL. It returns
// after the first delivery: nil when acknowledged, ErrNotAcknowledged (and retries go on in
// the background) when not. An order without a notify URL is moved and nothing is sent.
func (s *Server) Settle(orderID string, st paygate.Status) error {
	s.mu.Lock()
	o, err := s.lookup(orderID)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	s.move(o, st)
	snapshot := *o
	s.mu.Unlock()
	if snapshot.NotifyURL == "" {
		return nil
	}
	ok, err := s.deliver(&snapshot, 1)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	s.wg.Add(1)
	go s.retry(snapshot)
	return ErrNotAcknowledged
}

// move applies a status change and its effect on the balance. s.mu is held.
func (s *Server) move(o *Order, st paygate.Status) {
	if o.Status == st {
		return
	}
	from := o.Status
	o.Status = st
	if st.Final() {
		o.Completed = time.Now()
		if o.UTR == "" && st == paygate.StatusSucceeded {
			o.UTR = fmt.Sprintf("%012d", 341200000000+s.seq.Add(1))
		}
	}
	net := o.Amount // what the merchant's balance moves by
	if o.Kind == paygate.KindPayIn {
		net = o.Amount.Sub(o.Fee)
	}
	switch {
	case o.Kind == paygate.KindPayIn && from == paygate.StatusSucceeded:
		s.balance = s.balance.Sub(net) // a collection reversed or failed after all: taken back
	case o.Kind == paygate.KindPayIn && st == paygate.StatusSucceeded:
		s.balance = s.balance.Add(net)
	case o.Kind == paygate.KindPayOut && !from.Final() && st.Final():
		s.frozen = s.frozen.Sub(net) // the held amount is released: paid out, or returned
		if st != paygate.StatusSucceeded {
			s.balance = s.balance.Add(net)
		}
	case o.Kind == paygate.KindPayOut && from == paygate.StatusSucceeded:
		s.balance = s.balance.Add(net) // a pay-out reversed after it was paid: returned
	}
}

func (s *Server) retry(o Order) {
	defer s.wg.Done()
	for i, minutes := range s.fake.schedule() {
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(time.Duration(minutes) * s.minute):
		}
		if ok, err := s.deliver(&o, i+2); ok || err != nil {
			return
		}
	}
}

// deliver builds o's callback afresh (a provider signs each attempt: DeekPay's timestamp must
// be recent), POSTs it to o's notify URL and records the attempt.
func (s *Server) deliver(o *Order, attempt int) (bool, error) {
	header, body, err := s.fake.callback(o)
	if err != nil {
		return false, fmt.Errorf("sandbox: build callback: %w", err)
	}
	orderID, url := o.OrderID, o.NotifyURL
	d := Delivery{OrderID: orderID, Attempt: attempt, At: time.Now()}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err == nil {
		req.Header = header.Clone()
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
		var resp *http.Response
		resp, err = s.client.Do(req)
		if err == nil {
			ack, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			_ = resp.Body.Close()
			d.StatusCode = resp.StatusCode
			d.Acked = s.fake.acked(resp.StatusCode, ack)
		}
	}
	d.Err = err
	s.log.Info("sandbox callback", "provider", s.provider, "order", orderID, "attempt", attempt,
		"status", d.StatusCode, "acked", d.Acked)
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.mu.Unlock()
	return d.Acked, nil
}

// Deliveries returns every callback delivery attempt so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// errDuplicate is returned by create for an order number already taken.
var errDuplicate = errors.New("duplicate order number")

// create stores a new order, assigning it a provider order number with prefix. A payout's
// amount is taken from the available balance into frozen; too little balance is an error.
func (s *Server) create(kind paygate.Kind, prefix string, o *Order) (*Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.orders[kind][o.OrderID]; dup {
		return nil, errDuplicate
	}
	if kind == paygate.KindPayOut {
		if s.balance.LessThan(o.Amount) {
			return nil, errInsufficient
		}
		s.balance = s.balance.Sub(o.Amount)
		s.frozen = s.frozen.Add(o.Amount)
	}
	o.Kind = kind
	o.ProviderOrderID = prefix + strconv.FormatInt(time.Now().UnixNano()/1000%1e12, 10) + fmt.Sprintf("%04d", s.seq.Add(1)%10000)
	if o.Status == "" {
		o.Status = paygate.StatusPending
	}
	o.Created = time.Now()
	s.orders[kind][o.OrderID] = o
	c := *o
	return &c, nil
}

var errInsufficient = errors.New("insufficient balance")

// find returns a copy of the order of kind by merchant or provider order number.
func (s *Server) find(kind paygate.Kind, orderID, providerOrderID string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[kind][orderID]; ok && orderID != "" {
		return *o, true
	}
	if providerOrderID != "" {
		for _, o := range s.orders[kind] {
			if o.ProviderOrderID == providerOrderID {
				return *o, true
			}
		}
	}
	return Order{}, false
}

// update applies f to the stored order of kind with merchant order number orderID.
func (s *Server) update(kind paygate.Kind, orderID string, f func(*Order)) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[kind][orderID]
	if !ok {
		return Order{}, false
	}
	f(o)
	return *o, true
}

// funds returns the available and frozen balance.
func (s *Server) funds() (available, frozen decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balance, s.frozen
}

// readBody reads a request body of at most 1 MiB.
func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, 1<<20))
}

// writeJSON answers with v as JSON and HTTP status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := wire.Encode(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// millis is t in Unix milliseconds, 0 for the zero time.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
