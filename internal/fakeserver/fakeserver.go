// Package fakeserver is the engine the providers' fakes share: a loopback HTTP server, the
// orders and the balance it keeps, signed callback delivery on the provider's schedule, the
// faults a tester can arm for the next create, and the hosted checkout page. A provider's fake
// (package caipaytest and its siblings) supplies only what is the provider's own: its routes,
// its callback, its acknowledgement rule and its retry schedule.
//
// The fakes must stay an independent check on the clients: this package and the fakes never
// import a client package nor the clients' engine.
package fakeserver

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/option"
	"github.com/paygate-go/paygate/internal/wire"
)

// Order is an order a fake keeps.
type Order struct {
	Provider        string // the faked provider's name
	Kind            paygate.Kind
	Currency        paygate.Currency
	OrderID         string // the merchant's order number
	ProviderOrderID string // the number the fake assigned
	Amount          decimal.Decimal
	Fee             decimal.Decimal
	Status          paygate.Status
	NotifyURL       string
	ReturnURL       string // where the hosted checkout sends the customer back, when the request named one
	UTR             string
	Fields          map[string]string // the request's fields as received, without its signature and credentials (token, access_key)
	Created         time.Time
	Completed       time.Time
}

// Delivery is one attempt to deliver a callback.
type Delivery struct {
	OrderID    string // the order's Key
	Kind       paygate.Kind
	Status     paygate.Status // the order status the callback carried
	Attempt    int            // 1 for the first of a sending, then the provider's retries
	StatusCode int            // 0 when the receiver could not be reached or the callback was dropped
	Acked      bool
	Answer     string        // the start of the merchant's answer (at most 1 KiB)
	Latency    time.Duration // from sending the request to reading the answer
	Note       string        // why it was sent: "", "retry", "resend", "duplicate", "delayed 10s", "dropped"
	Dropped    bool          // held back by DropNext: nothing was sent
	Err        error
	At         time.Time
}

// Fake is one provider's API as its fake serves it.
type Fake interface {
	// Routes are the provider's endpoints and payment pages.
	Routes() []Route
	// Callback returns the signed callback for o in its current state.
	Callback(o *Order) (http.Header, []byte, error)
	// Acked reports whether the merchant's answer acknowledges the callback as the provider
	// requires it.
	Acked(status int, body []byte) bool
	// Schedule is the provider's retry delays after the first attempt, in minutes of provider
	// time (scaled by WithMinute).
	Schedule() []int
}

// Route is one endpoint of a fake.
type Route struct {
	Pattern string // a net/http ServeMux pattern with its method: "POST /api/pay"
	Handler http.HandlerFunc
	// Create marks an endpoint that creates an order: the fault armed by SetFault applies to
	// the next request to one.
	Create bool
	// Checkout, when set, makes the route the order's hosted checkout page: it returns the
	// provider order number the request names (from the path or the query), and Handler is
	// not used.
	Checkout func(*http.Request) string
}

// Spec describes one provider's fake.
type Spec struct {
	Provider string // the registered name: "caipay"
	Title    string // the name as the provider's brand writes it: "CaiPay"
	// APIKey reports whether the provider's requests carry Config.APIKey.
	APIKey bool
	// Currency is the currency of the provider's orders.
	Currency paygate.Currency
	// New builds the fake over the books it keeps its orders in.
	New func(b *Books) Fake
}

// registry holds the Specs the fake packages registered, by provider name. It is written
// only while packages initialize, so reading it needs no lock.
var registry = map[string]Spec{}

// Register makes s known to Lookup and Providers by its Provider name and returns it. Each
// fake package registers its spec where it declares it, as database/sql drivers register
// themselves; package sandbox imports them all. It is for package initialization only;
// registering a name twice panics.
func Register(s Spec) Spec {
	if _, dup := registry[s.Provider]; dup {
		panic("fakeserver: provider " + s.Provider + " registered twice")
	}
	registry[s.Provider] = s
	return s
}

// Lookup returns the Spec registered for provider.
func Lookup(provider string) (Spec, bool) {
	s, ok := registry[provider]
	return s, ok
}

// Providers returns the registered provider names, sorted.
func Providers() []string { return slices.Sorted(maps.Keys(registry)) }

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
func WithBalance(d decimal.Decimal) Option { return func(s *Server) { s.books.balance = d } }

// WithMerchantName sets the merchant name the hosted checkout shows (default "Sandbox Merchant").
func WithMerchantName(name string) Option { return func(s *Server) { s.merchant = name } }

// WithSlowAnswer sets how long the slow-answer fault holds a create's answer back when the
// client does not hang up first (default two minutes, past any sensible client timeout).
func WithSlowAnswer(d time.Duration) Option { return func(s *Server) { s.slow = d } }

// Fault is a misbehaviour armed for a provider's next create request.
type Fault string

// The faults a tester can arm with SetFault.
const (
	FaultNone Fault = ""
	// FaultAnswerLost creates the order, then closes the connection without answering.
	FaultAnswerLost Fault = "answer_lost"
	// FaultBadGateway answers an HTML 502 page, as a proxy in front of the provider does; no
	// order is created.
	FaultBadGateway Fault = "bad_gateway"
	// FaultSlow creates the order and holds the answer back until the client hangs up (or
	// WithSlowAnswer's duration passes).
	FaultSlow Fault = "slow"
)

// Faults lists the faults SetFault accepts, FaultNone excepted.
func Faults() []Fault { return []Fault{FaultAnswerLost, FaultBadGateway, FaultSlow} }

// Server is a running fake of one provider.
type Server struct {
	spec     Spec
	cfg      paygate.Config
	addr     string
	minute   time.Duration
	slow     time.Duration
	merchant string
	log      *slog.Logger
	fake     Fake
	books    *Books

	ln     net.Listener
	http   *http.Server
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	deliveries []Delivery
	fault      Fault
	held       map[ref]hold // the next callback of an order, dropped or delayed
}

// String describes the server without its merchant's credentials: provider, URL and
// merchant id.
func (s *Server) String() string {
	return "sandbox.Server{provider: " + s.spec.Provider + ", url: " + s.URL() + ", merchant_id: " + s.cfg.MerchantID + "}"
}

// Format prints the server as String does, under every verb, so that no fmt verb can print
// the secret and API key held in its fields.
func (s *Server) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// GoString is String, for callers of GoString itself (fmt's %#v uses Format).
func (s *Server) GoString() string { return s.String() }

// ref names one order.
type ref struct {
	kind    paygate.Kind
	orderID string
}

// hold is what happens to an order's next callback: dropped (delay 0) or delayed.
type hold struct {
	drop  bool
	delay time.Duration
}

// New starts spec's fake whose merchant credentials are cfg's (MerchantID, APIKey, Secret):
// requests must be signed with them, and callbacks are signed with them.
func New(spec Spec, cfg paygate.Config, opts ...Option) (*Server, error) {
	s := &Server{
		spec: spec, cfg: cfg, addr: "127.0.0.1:0", minute: time.Second, slow: 2 * time.Minute,
		merchant: "Sandbox Merchant", log: slog.New(slog.DiscardHandler), held: map[ref]hold{},
		// A merchant's redirect is its answer (Cashy counts 301 and 302 as acknowledged): never
		// follow it.
		client: &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
	s.books = NewBooks(spec.Provider, spec.Currency, cfg, decimal.RequireFromString("100000.00"))
	option.Apply(s, opts)
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	s.ln = ln
	s.books.url = "http://" + ln.Addr().String()
	s.fake = spec.New(s.books)
	mux := http.NewServeMux()
	for _, rt := range s.fake.Routes() {
		h := rt.Handler
		switch {
		case rt.Checkout != nil:
			h = s.checkoutPage(rt.Checkout)
		case rt.Create:
			h = s.faulty(h)
		}
		mux.HandleFunc(rt.Pattern, h)
	}
	s.checkoutRoutes(mux)
	// A generous header timeout: tests run thousands of clients at once under the race
	// detector, where a loaded loopback can take seconds to deliver a request line.
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: time.Minute}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

// URL is the base URL to put in Config.BaseURL.
func (s *Server) URL() string { return s.books.url }

// Provider is the faked provider's name.
func (s *Server) Provider() string { return s.spec.Provider }

// Title is the provider's name as its brand writes it.
func (s *Server) Title() string { return s.spec.Title }

// Config is the merchant configuration the fake accepts, with BaseURL set to URL. Show it with
// its String method: that masks the secrets.
func (s *Server) Config() paygate.Config {
	c := s.cfg
	c.Provider, c.BaseURL = s.spec.Provider, s.URL()
	return c
}

// UsesAPIKey reports whether the provider's requests carry Config.APIKey.
func (s *Server) UsesAPIKey() bool { return s.spec.APIKey }

// MerchantName is the name the hosted checkout shows.
func (s *Server) MerchantName() string { return s.merchant }

// Close stops the server, any callback retries and any delayed callbacks.
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

// ErrNoNotifyURL is returned by Settle and the other callback actions for an order created
// without a notify URL: the order is moved, but no callback can be sent.
var ErrNoNotifyURL = errors.New("sandbox: the order has no notify URL, so no callback was sent")

// Order returns a copy of the order with merchant order number orderID.
func (s *Server) Order(orderID string) (Order, error) {
	return s.OrderOf("", orderID)
}

// OrderOf returns a copy of the order of kind (either, when kind is empty) with merchant order
// number orderID.
func (s *Server) OrderOf(kind paygate.Kind, orderID string) (Order, error) {
	s.books.mu.Lock()
	defer s.books.mu.Unlock()
	o, err := s.books.lookup(kind, orderID)
	if err != nil {
		return Order{}, err
	}
	return o.copy(), nil
}

// Orders returns a copy of every order, newest first.
func (s *Server) Orders() []Order {
	s.books.mu.Lock()
	defer s.books.mu.Unlock()
	var out []Order
	for _, byID := range s.books.orders {
		for _, o := range byID {
			out = append(out, o.copy())
		}
	}
	slices.SortFunc(out, func(a, b Order) int {
		return cmp.Or(b.Created.Compare(a.Created), strings.Compare(b.ProviderOrderID, a.ProviderOrderID))
	})
	return out
}

func (o *Order) copy() Order {
	c := *o
	c.Fields = maps.Clone(o.Fields)
	return c
}

// Settle moves an order to st and delivers its callback to the order's notify URL. It returns
// after the first delivery: nil when acknowledged, ErrNotAcknowledged (and retries go on in
// the background) when not. An order without a notify URL is moved and Settle returns
// ErrNoNotifyURL. When the order's next callback is held back (DropNext, DelayNext), Settle
// returns nil at once.
func (s *Server) Settle(orderID string, st paygate.Status) error {
	return s.SettleOf("", orderID, st)
}

// SettleOf is Settle for the order of kind (either, when kind is empty).
func (s *Server) SettleOf(kind paygate.Kind, orderID string, st paygate.Status) error {
	snap, err := s.books.settle(kind, orderID, st)
	if err != nil {
		return err
	}
	return s.send(snap, "")
}

// SucceedLate fails the order and delivers that callback, then moves it to succeeded and
// delivers that one: the provider changing its mind, as happens with late bank confirmations.
func (s *Server) SucceedLate(kind paygate.Kind, orderID string) error {
	if err := s.SettleOf(kind, orderID, paygate.StatusFailed); err != nil && !errors.Is(err, ErrNotAcknowledged) {
		return err
	}
	snap, err := s.books.settle(kind, orderID, paygate.StatusSucceeded)
	if err != nil {
		return err
	}
	return s.send(snap, "late")
}

// Resend delivers the order's callback for its current status again.
func (s *Server) Resend(kind paygate.Kind, orderID string) error {
	o, err := s.OrderOf(kind, orderID)
	if err != nil {
		return err
	}
	return s.send(o, "resend")
}

// SendTwice delivers the order's callback for its current status twice, one after the other,
// as providers do when their first attempt timed out on their side.
func (s *Server) SendTwice(kind paygate.Kind, orderID string) error {
	o, err := s.OrderOf(kind, orderID)
	if err != nil {
		return err
	}
	if o.NotifyURL == "" {
		return fmt.Errorf("%w (order %q)", ErrNoNotifyURL, orderID)
	}
	first, err := s.deliver(&o, 1, "duplicate")
	if err != nil {
		return err
	}
	second, err := s.deliver(&o, 1, "duplicate")
	if err != nil {
		return err
	}
	if !first || !second {
		return ErrNotAcknowledged
	}
	return nil
}

// DropNext makes the order's next callback never leave: it is recorded as dropped and not
// retried. Resend sends it afterwards.
func (s *Server) DropNext(kind paygate.Kind, orderID string) error {
	return s.hold(kind, orderID, hold{drop: true})
}

// DelayNext holds the order's next callback back for d before its first attempt.
func (s *Server) DelayNext(kind paygate.Kind, orderID string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("sandbox: delay %s must be positive", d)
	}
	return s.hold(kind, orderID, hold{delay: d})
}

func (s *Server) hold(kind paygate.Kind, orderID string, h hold) error {
	o, err := s.OrderOf(kind, orderID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.held[ref{o.Kind, o.Key()}] = h
	s.mu.Unlock()
	return nil
}

// Held reports what happens to the order's next callback: "dropped", "delayed 10s", or "".
func (s *Server) Held(kind paygate.Kind, orderID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.held[ref{kind, orderID}]
	switch {
	case !ok:
		return ""
	case h.drop:
		return "dropped"
	}
	return "delayed " + h.delay.String()
}

// send delivers o's callback, honouring a hold, and retries on the provider's schedule in the
// background when the first attempt is not acknowledged.
func (s *Server) send(o Order, note string) error {
	if o.NotifyURL == "" {
		return fmt.Errorf("%w (order %q is now %s)", ErrNoNotifyURL, o.Key(), o.Status)
	}
	s.mu.Lock()
	r := ref{o.Kind, o.Key()}
	h, held := s.held[r]
	delete(s.held, r)
	s.mu.Unlock()
	switch {
	case held && h.drop:
		s.record(Delivery{OrderID: o.Key(), Kind: o.Kind, Status: o.Status, Attempt: 1, Note: "dropped",
			Dropped: true, At: time.Now()})
		s.log.Info("sandbox callback dropped", "provider", s.spec.Provider, "order", o.OrderID)
		return nil
	case held:
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			select {
			case <-s.ctx.Done():
				return
			case <-time.After(h.delay):
			}
			if ok, err := s.deliver(&o, 1, "delayed "+h.delay.String()); !ok && err == nil {
				s.retry(o)
			}
		}()
		return nil
	}
	ok, err := s.deliver(&o, 1, note)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.retry(o)
	}()
	return ErrNotAcknowledged
}

func (s *Server) retry(o Order) {
	for i, minutes := range s.fake.Schedule() {
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(time.Duration(minutes) * s.minute):
		}
		if ok, err := s.deliver(&o, i+2, "retry"); ok || err != nil {
			return
		}
	}
}

// deliver builds o's callback afresh (a provider signs each attempt: DeekPay's timestamp must
// be recent), POSTs it to o's notify URL and records the attempt.
func (s *Server) deliver(o *Order, attempt int, note string) (bool, error) {
	header, body, err := s.fake.Callback(o)
	if err != nil {
		return false, fmt.Errorf("sandbox: build callback: %w", err)
	}
	d := Delivery{OrderID: o.Key(), Kind: o.Kind, Status: o.Status, Attempt: attempt, Note: note, At: time.Now()}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, o.NotifyURL, bytes.NewReader(body))
	if err == nil {
		req.Header = header.Clone()
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
		var resp *http.Response
		resp, err = s.client.Do(req)
		if err == nil {
			ack, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
			_ = resp.Body.Close()
			d.StatusCode, d.Answer = resp.StatusCode, string(ack)
			d.Acked = s.fake.Acked(resp.StatusCode, ack)
		}
	}
	d.Latency, d.Err = time.Since(d.At), err
	s.log.Info("sandbox callback", "provider", s.spec.Provider, "order", o.OrderID, "attempt", attempt,
		"status", d.StatusCode, "acked", d.Acked)
	s.record(d)
	return d.Acked, nil
}

func (s *Server) record(d Delivery) {
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.mu.Unlock()
}

// Deliveries returns every callback delivery attempt so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// DeliveriesOf returns the delivery attempts of one order, oldest first.
func (s *Server) DeliveriesOf(kind paygate.Kind, orderID string) []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Delivery
	for _, d := range s.deliveries {
		if d.OrderID == orderID && (kind == "" || d.Kind == kind) {
			out = append(out, d)
		}
	}
	return out
}

// SetFault arms f for the provider's next create request (FaultNone disarms).
func (s *Server) SetFault(f Fault) error {
	if f != FaultNone && !slices.Contains(Faults(), f) {
		return fmt.Errorf("sandbox: unknown fault %q (known: %v)", f, Faults())
	}
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
	return nil
}

// Fault is the fault armed for the next create, FaultNone when none is.
func (s *Server) Fault() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fault
}

// takeFault disarms and returns the armed fault.
func (s *Server) takeFault() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fault
	s.fault = FaultNone
	return f
}

// faulty applies the armed fault to a create endpoint.
func (s *Server) faulty(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch s.takeFault() {
		case FaultNone:
			next(w, r)
		case FaultBadGateway:
			s.log.Info("sandbox fault", "provider", s.spec.Provider, "fault", FaultBadGateway)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, badGatewayPage)
		case FaultAnswerLost:
			rec := newRecorder()
			next(rec, r)
			s.log.Info("sandbox fault", "provider", s.spec.Provider, "fault", FaultAnswerLost)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler) // closes the connection without an answer
		case FaultSlow:
			rec := newRecorder()
			next(rec, r)
			s.log.Info("sandbox fault", "provider", s.spec.Provider, "fault", FaultSlow)
			select {
			case <-r.Context().Done():
				return
			case <-s.ctx.Done():
				return
			case <-time.After(s.slow):
			}
			rec.copyTo(w)
		}
	}
}

const badGatewayPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// recorder keeps an answer to send later, or never.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, code: http.StatusOK} }

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }

func (r *recorder) copyTo(w http.ResponseWriter) {
	maps.Copy(w.Header(), r.header)
	w.WriteHeader(r.code)
	_, _ = w.Write(r.body.Bytes())
}

// CashyPatch makes a supplementary (PATCH) payment of paid against the pay-in orderID, on a
// fake whose provider makes them (Cashy does, when a customer pays another amount than the
// order's or pays twice). It returns the new order number and the result of the first
// delivery, as Settle does.
func (s *Server) CashyPatch(orderID string, paid decimal.Decimal) (string, error) {
	p, ok := s.fake.(Patcher)
	if !ok {
		return "", fmt.Errorf("sandbox: %s makes no supplementary payments", s.spec.Provider)
	}
	id, err := p.Patch(orderID, paid)
	if err != nil {
		return "", err
	}
	return id, s.SettleOf(paygate.KindPayIn, id, paygate.StatusSucceeded)
}

// Patcher is a fake whose provider makes supplementary payments against a pay-in: Patch
// creates the new pending pay-in and returns its merchant order number.
type Patcher interface {
	Patch(orderID string, paid decimal.Decimal) (string, error)
}

// ReadBody reads a request body of at most 1 MiB.
func ReadBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, 1<<20))
}

// WriteJSON answers with v as JSON and HTTP status code.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	b, err := wire.Encode(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// Millis is t in Unix milliseconds, 0 for the zero time.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
