// Package storetest holds what the tests of several replicas share: a fake gateway whose
// callbacks are tiny JSON objects, the merchant's function counting its calls, replicas on
// loopback servers, a provider delivering duplicates concurrently and redelivering what is
// not acknowledged, a replica in another OS process, and a TCP proxy that cuts a store off.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/pause"
	"github.com/paygate-go/paygate/webhook"
)

// Gateway is a fake paygate.Gateway whose callbacks are {"order":"…","status":"paid"},
// unsigned, acknowledged with 200 "ok".
type Gateway struct{}

var _ paygate.Gateway = Gateway{}

// Name implements paygate.Gateway.
func (Gateway) Name() string { return "fake" }

// Capabilities implements paygate.Gateway.
func (Gateway) Capabilities() paygate.Capabilities { return paygate.Capabilities{Callbacks: true} }

// PayIn implements paygate.Gateway.
func (Gateway) PayIn(context.Context, *paygate.PayInRequest) (*paygate.PayInResult, error) {
	return nil, paygate.ErrUnsupported
}

// PayOut implements paygate.Gateway.
func (Gateway) PayOut(context.Context, *paygate.PayOutRequest) (*paygate.PayOutResult, error) {
	return nil, paygate.ErrUnsupported
}

// Balance implements paygate.Gateway.
func (Gateway) Balance(context.Context) (*paygate.Balance, error) { return nil, paygate.ErrUnsupported }

// Query implements paygate.Gateway.
func (Gateway) Query(context.Context, *paygate.QueryRequest) (*paygate.Order, error) {
	return nil, paygate.ErrUnsupported
}

// ParseCallback implements paygate.Gateway.
func (Gateway) ParseCallback(_ http.Header, body []byte) (*paygate.Callback, error) {
	var m struct{ Order, Status string }
	if err := json.Unmarshal(body, &m); err != nil || m.Order == "" {
		return nil, fmt.Errorf("%w: want {\"order\":…}", paygate.ErrMalformedCallback)
	}
	st := paygate.StatusUnknown
	if m.Status == "paid" {
		st = paygate.StatusSucceeded
	}
	return &paygate.Callback{
		Kind: paygate.KindPayIn, OrderID: m.Order, Status: st, RawStatus: m.Status,
		Raw: json.RawMessage(body),
		Ack: paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: "ok"},
	}, nil
}

// Body is the callback of order.
func Body(order string) []byte { return []byte(`{"order":"` + order + `","status":"paid"}`) }

// Order is the order ID of callback n.
func Order(n int) string { return fmt.Sprintf("order-%03d", n) }

// Recorder is the merchant's function: it counts its calls per order and notices two calls
// for one order at once.
type Recorder struct {
	// Delay is how long each call takes.
	Delay time.Duration

	calls   counts
	mu      sync.Mutex
	running map[string]int
	overlap []string
}

// Func returns the function to give webhook.Handler. onCall, when set, runs inside each call
// after it is counted.
func (r *Recorder) Func(onCall func(ctx context.Context, order string)) func(ctx context.Context, cb *paygate.Callback) error {
	return func(ctx context.Context, cb *paygate.Callback) error {
		r.calls.add(cb.OrderID)
		r.mu.Lock()
		if r.running == nil {
			r.running = make(map[string]int)
		}
		r.running[cb.OrderID]++
		if r.running[cb.OrderID] > 1 {
			r.overlap = append(r.overlap, cb.OrderID)
		}
		r.mu.Unlock()
		defer func() {
			r.mu.Lock()
			r.running[cb.OrderID]--
			r.mu.Unlock()
		}()
		if onCall != nil {
			onCall(ctx, cb.OrderID)
		}
		if r.Delay > 0 {
			time.Sleep(r.Delay)
		}
		return nil
	}
}

// Calls returns the calls per order so far.
func (r *Recorder) Calls() map[string]int { return r.calls.snapshot() }

// counts are calls per order, safe for concurrent use. The zero value is ready to use.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counts) add(order string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = make(map[string]int)
	}
	c.n[order]++
}

// snapshot returns a copy of the counts so far.
func (c *counts) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.n))
	maps.Copy(out, c.n)
	return out
}

// Overlaps returns the orders whose function ran twice at once in this process.
func (r *Recorder) Overlaps() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.overlap...)
}

// Replica starts a loopback server running webhook.Handler over d and fn, closed when the
// test ends, and returns its URL.
func Replica(t testing.TB, d webhook.Deduper, fn func(context.Context, *paygate.Callback) error) string {
	t.Helper()
	srv := httptest.NewServer(webhook.Handler(Gateway{}, fn, webhook.WithDeduper(d)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Stats counts what a provider saw while delivering.
type Stats struct {
	Acked       int64 // deliveries that ended acknowledged
	Failed      int64 // answers 500 (each was delivered again)
	Transport   int64 // attempts without an answer (each was delivered again)
	Other       int64 // other answers (each was delivered again)
	Unfinished  int64 // deliveries still unacknowledged when ctx ended
	RetriesMade int64
}

// Delivery describes what Deliver sends.
type Delivery struct {
	Callbacks int           // distinct callbacks: Order(0) … Order(Callbacks-1)
	Copies    int           // deliveries of each, all concurrent
	Spread    time.Duration // each delivery starts at a random time within Spread
	Pause     time.Duration // before delivering again what was not acknowledged (default 20 ms)
}

// Deliver sends every delivery concurrently to a random URL of urls, delivering again (to a
// random URL) whatever is not acknowledged with 200 "ok", as a provider does, until ctx ends.
func Deliver(ctx context.Context, urls []string, d Delivery) Stats {
	if d.Pause <= 0 {
		d.Pause = 20 * time.Millisecond
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	var acked, failed, transport, other, unfinished, retries atomic.Int64
	var wg sync.WaitGroup
	for i := range d.Callbacks * d.Copies {
		wg.Go(func() {
			order := Order(i % d.Callbacks)
			if d.Spread > 0 {
				if pause.For(ctx, rand.N(d.Spread)) != nil { //nolint:gosec // test load, not security
					unfinished.Add(1)
					return
				}
			}
			for attempt := 0; ; attempt++ {
				if attempt > 0 {
					retries.Add(1)
					if pause.For(ctx, d.Pause) != nil {
						unfinished.Add(1)
						return
					}
				}
				code, body, err := post(ctx, client, urls[rand.N(len(urls))], Body(order)) //nolint:gosec // test load, not security
				switch {
				case err != nil:
					transport.Add(1)
				case code == http.StatusOK && body == "ok":
					acked.Add(1)
					return
				case code == http.StatusInternalServerError:
					failed.Add(1)
				default:
					other.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return Stats{Acked: acked.Load(), Failed: failed.Load(), Transport: transport.Load(), Other: other.Load(),
		Unfinished: unfinished.Load(), RetriesMade: retries.Load()}
}

// Post delivers one callback body to url and returns the answer.
func Post(ctx context.Context, url string, body []byte) (int, string, error) {
	return post(ctx, http.DefaultClient, url, body)
}

func post(ctx context.Context, c *http.Client, url string, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	return resp.StatusCode, string(b), nil
}

// ErrNotOnce describes a count other than one.
var ErrNotOnce = errors.New("not exactly once")

// ExactlyOnce returns an error naming every callback of 0…n-1 whose calls in calls (summed
// over processes) are not exactly one, or any call for another order.
func ExactlyOnce(n int, calls ...map[string]int) error {
	total := map[string]int{}
	for _, c := range calls {
		for k, v := range c {
			total[k] += v
		}
	}
	var errs []error
	for i := range n {
		if c := total[Order(i)]; c != 1 {
			errs = append(errs, fmt.Errorf("%w: %s called %d times", ErrNotOnce, Order(i), c))
		}
		delete(total, Order(i))
	}
	for k, v := range total {
		errs = append(errs, fmt.Errorf("%w: unexpected order %s called %d times", ErrNotOnce, k, v))
	}
	return errors.Join(errs...)
}

// LeaseRenewed checks, end to end through webhook.Handler, that a merchant's function four
// times slower than lease keeps its claim: the provider's retry, landing on another replica
// (a second Deduper from newDeduper, over the same store) after twice the lease, is
// acknowledged as a duplicate, and the function ran once, never twice at once.
func LeaseRenewed(t *testing.T, lease time.Duration, newDeduper func() webhook.Deduper) {
	t.Helper()
	rec := &Recorder{Delay: 4 * lease}
	a, b := Replica(t, newDeduper(), rec.Func(nil)), Replica(t, newDeduper(), rec.Func(nil))
	body := Body("order-lease")
	var wg sync.WaitGroup
	codes := make([]int, 2)
	wg.Go(func() { codes[0], _, _ = Post(context.Background(), a, body) })
	time.Sleep(2 * lease) // the provider's retry (after its own timeout) reaches replica b
	wg.Go(func() { codes[1], _, _ = Post(context.Background(), b, body) })
	wg.Wait()
	if want := []int{http.StatusOK, http.StatusOK}; !slices.Equal(codes, want) {
		t.Errorf("answers %v, want %v", codes, want)
	}
	if o := rec.Overlaps(); len(o) > 0 {
		t.Errorf("fn ran twice at once for one callback: %v", o)
	}
	if c := rec.Calls(); c["order-lease"] != 1 {
		t.Errorf("fn called %d times for one callback, want 1", c["order-lease"])
	}
}
