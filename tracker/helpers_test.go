package tracker_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/cashgit" // registers "cashgit"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/tracker"
)

var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// clock is a settable time source shared by every tracker of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// at sets the clock to t0+d.
func (c *clock) at(d time.Duration) { c.Set(t0.Add(d)) }

// call is one call of the merchant's function.
type call struct {
	provider string
	cb       paygate.Callback
	ev       tracker.Event
	fromTr   bool
}

// recorder is the merchant's function: it keeps its calls; fail decides call n's error.
type recorder struct {
	mu    sync.Mutex
	calls []call
	fail  func(n int, cb *paygate.Callback) error
}

func (r *recorder) fn(ctx context.Context, provider string, cb *paygate.Callback) error {
	ev, ok := tracker.EventFrom(ctx)
	r.mu.Lock()
	r.calls = append(r.calls, call{provider: provider, cb: *cb, ev: ev, fromTr: ok})
	n, fail := len(r.calls), r.fail
	r.mu.Unlock()
	if fail != nil {
		return fail(n, cb)
	}
	return nil
}

func (r *recorder) all() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

// statuses lists "orderID:status" of every call, in order.
func (r *recorder) statuses() []string {
	var out []string
	for _, c := range r.all() {
		out = append(out, c.cb.OrderID+":"+string(c.cb.Status))
	}
	return out
}

// counting counts the queries a Gateway receives, per order.
type counting struct {
	paygate.Gateway
	mu sync.Mutex
	n  map[string]int
}

func count(gw paygate.Gateway) *counting { return &counting{Gateway: gw, n: map[string]int{}} }

func (c *counting) Query(ctx context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
	c.mu.Lock()
	c.n[req.OrderID]++
	c.mu.Unlock()
	return c.Gateway.Query(ctx, req)
}

// MerchantID forwards the wrapped gateway's, as a wrapper must for the tracker and the
// webhook to key an order's statuses alike (webhook.GatewayKey).
func (c *counting) MerchantID() string {
	if m, ok := c.Gateway.(interface{ MerchantID() string }); ok {
		return m.MerchantID()
	}
	return ""
}

func (c *counting) queries(orderID string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[orderID]
}

func (c *counting) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, k := range c.n {
		n += k
	}
	return n
}

// fakeGateway answers queries through answer; everything else is unsupported.
type fakeGateway struct {
	name   string
	mu     sync.Mutex
	answer func(n int, req *paygate.QueryRequest) (*paygate.Order, error)
	n      int
}

func (f *fakeGateway) Name() string { return f.name }
func (f *fakeGateway) Capabilities() paygate.Capabilities {
	return paygate.Capabilities{QueryPayIn: true, QueryPayOut: true, Callbacks: true}
}
func (f *fakeGateway) PayIn(context.Context, *paygate.PayInRequest) (*paygate.PayInResult, error) {
	return nil, paygate.ErrUnsupported
}
func (f *fakeGateway) PayOut(context.Context, *paygate.PayOutRequest) (*paygate.PayOutResult, error) {
	return nil, paygate.ErrUnsupported
}
func (f *fakeGateway) Balance(context.Context) (*paygate.Balance, error) {
	return nil, paygate.ErrUnsupported
}
func (f *fakeGateway) ParseCallback(http.Header, []byte) (*paygate.Callback, error) {
	return nil, paygate.ErrUnsupported
}
func (f *fakeGateway) Query(_ context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
	f.mu.Lock()
	f.n++
	n := f.n
	f.mu.Unlock()
	return f.answer(n, req)
}

// statusSeq answers the statuses in turn, the last one for ever after.
func statusSeq(seq ...paygate.Status) func(int, *paygate.QueryRequest) (*paygate.Order, error) {
	return func(n int, req *paygate.QueryRequest) (*paygate.Order, error) {
		st := seq[min(n, len(seq))-1]
		return &paygate.Order{Provider: "fake", Kind: req.Kind, OrderID: req.OrderID, ProviderOrderID: "P" + req.OrderID,
			Status: st, RawStatus: "RAW_" + string(st), Amount: paygate.MustParseMoney("100", paygate.INR)}, nil
	}
}

// observer keeps the poll outcomes.
type observer struct {
	paygate.NopObserver
	mu       sync.Mutex
	outcomes []string
}

func (o *observer) Poll(_ context.Context, e paygate.PollEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.outcomes = append(o.outcomes, e.Outcome)
}

func (o *observer) all() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.outcomes...)
}

// flaky is a Store that fails every call while down.
type flaky struct {
	tracker.Store
	mu   sync.Mutex
	down bool
}

var errDown = errors.New("store down")

func (f *flaky) setDown(d bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = d
}

func (f *flaky) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errDown
	}
	return nil
}

func (f *flaky) Add(ctx context.Context, it tracker.Item) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.Add(ctx, it)
}

func (f *flaky) Claim(ctx context.Context, now time.Time, lease time.Duration, n int) ([]tracker.Item, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.Claim(ctx, now, lease, n)
}

func (f *flaky) Reschedule(ctx context.Context, it tracker.Item) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.Reschedule(ctx, it)
}

func (f *flaky) Remove(ctx context.Context, p string, k paygate.Kind, id string) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.Remove(ctx, p, k, id)
}

// cashgit starts a CashGit sandbox and a Gateway on it. Its callback retries are an hour of
// real time apart: a test sees the first delivery only.
func cashgit(t testing.TB) (*sandbox.Server, paygate.Gateway) { return providerSandbox(t, "cashgit") }

// deadEnd is a callback receiver that always answers 500: every callback to it is lost.
func deadEnd(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/callbacks/cashgit"
}

// payIn creates a pay-in of 100 INR at the sandbox with its callbacks sent to notify.
func payIn(t testing.TB, gw paygate.Gateway, orderID, notify string) *paygate.PayInResult {
	t.Helper()
	res, err := gw.PayIn(context.Background(), &paygate.PayInRequest{
		OrderID: orderID, Amount: paygate.MustParseMoney("100", paygate.INR), NotifyURL: notify,
		Customer: paygate.Customer{Name: "Asha Rao", Email: "asha@example.com", Phone: "9876543210"},
	})
	require.NoError(t, err)
	return res
}

// poll runs one PollDue at t0+d and returns how many orders it claimed.
func poll(t testing.TB, tr *tracker.Tracker, c *clock, d time.Duration) int {
	t.Helper()
	c.at(d)
	n, err := tr.PollDue(context.Background())
	require.NoError(t, err)
	return n
}

// exact is a schedule without jitter.
var exact = tracker.Schedule{First: time.Minute, Every: 30 * time.Minute, Horizon: 72 * time.Hour, Window: 15 * time.Minute, Jitter: -1}
