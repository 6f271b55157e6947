package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/webhook"
)

func TestHandlerAnswers(t *testing.T) {
	gw := newFake("fake")
	goodBody := sign(fields("ORD-1", "paid"), gw.secret)
	badAmount := fields("ORD-1", "paid")
	badAmount["amount"] = "1e5"
	big := fields("ORD-1", "paid")
	big["remark"] = strings.Repeat("x", int(webhook.DefaultMaxBodyBytes))

	cases := []struct {
		name     string
		method   string
		body     []byte
		chunked  bool // hide the length: the handler must count
		limit    int64
		status   int
		text     string // the answer's body, exactly
		wantCall bool
	}{
		{name: "good", body: goodBody, status: 200, text: "success", wantCall: true},
		{name: "good without length", body: goodBody, chunked: true, status: 200, text: "success", wantCall: true},
		{name: "forged", body: sign(fields("ORD-1", "paid"), "guess"), status: 401, text: "invalid signature\n"},
		{name: "tampered", body: bytes.Replace(goodBody, []byte(`"100.00"`), []byte(`"900.00"`), 1), status: 401, text: "invalid signature\n"},
		{name: "missing signature", body: encode(fields("ORD-1", "paid")), status: 401, text: "invalid signature\n"},
		{name: "empty body", body: nil, status: 400, text: "malformed callback\n"},
		{name: "truncated JSON", body: goodBody[:len(goodBody)-1], status: 400, text: "malformed callback\n"},
		{name: "JSON array", body: []byte(`[1,2]`), status: 400, text: "malformed callback\n"},
		{name: "not JSON", body: []byte("amount=100&sign=abc"), status: 400, text: "malformed callback\n"},
		{name: "verified but unreadable amount", body: sign(badAmount, gw.secret), status: 400, text: "malformed callback\n"},
		{name: "over the default limit", body: sign(big, gw.secret), status: 413, text: "request body too large\n"},
		{name: "over the limit, declared", body: goodBody, limit: 64, status: 413, text: "request body too large\n"},
		{name: "over the limit, counted", body: goodBody, chunked: true, limit: 64, status: 413, text: "request body too large\n"},
		{name: "exactly at the limit", body: goodBody, chunked: true, limit: int64(len(goodBody)), status: 200, text: "success", wantCall: true},
		{name: "GET", method: http.MethodGet, status: 405, text: "method not allowed\n"},
		{name: "PUT", method: http.MethodPut, body: goodBody, status: 405, text: "method not allowed\n"},
		{name: "HEAD", method: http.MethodHead, status: 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{}
			srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithMaxBodyBytes(c.limit)))
			method := c.method
			if method == "" {
				method = http.MethodPost
			}
			r, err := send(t.Context(), srv, method, "/", http.Header{"Content-Type": {"application/json"}}, c.body, c.chunked)
			require.NoError(t, err)
			require.Equal(t, c.status, r.status)
			if method != http.MethodHead {
				require.Equal(t, c.text, r.body)
			}
			if c.status == http.StatusMethodNotAllowed {
				require.Equal(t, "POST", r.header.Get("Allow"))
			}
			if c.status == http.StatusOK {
				require.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"))
			}
			if !c.wantCall {
				require.Zero(t, rec.n(), "fn must not be called")
				return
			}
			require.Equal(t, 1, rec.n())
			cb := rec.last()
			require.Equal(t, "ORD-1", cb.OrderID)
			require.Equal(t, paygate.StatusSucceeded, cb.Status)
			require.True(t, cb.Amount.Equal(paygate.MustParseMoney("100", paygate.INR)))
		})
	}
}

func TestHandlerAckIsTheProvidersOwn(t *testing.T) {
	acks := []paygate.Ack{
		{StatusCode: 200, ContentType: "application/json", Body: `{"code":200,"success":true}`},
		{StatusCode: 200, ContentType: "text/plain", Body: "OK"},
		{StatusCode: 202, ContentType: "text/html; charset=utf-8", Body: "SUCCESS"},
	}
	for _, ack := range acks {
		t.Run(ack.Body, func(t *testing.T) {
			gw := newFake("fake")
			gw.ack = ack
			srv := serve(t, webhook.Handler(gw, (&recorder{}).fn))
			h, b := gw.good("ORD-1", "paid")()
			requireAck(t, ack, post(t, srv, "/", h, b))
		})
	}
}

// A failed fn is not marked handled: the provider's retry of the identical callback reaches
// fn, and only then is the callback a duplicate.
func TestHandlerMarksHandledOnlyAfterSuccess(t *testing.T) {
	gw := newFake("fake")
	rec := &recorder{fail: func(n int, _ *paygate.Callback) error {
		if n <= 2 {
			return errors.New("insert failed: connection refused")
		}
		return nil
	}}
	d := webhook.NewMemoryDeduper(time.Hour, 100)
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithDeduper(d)))
	h, b := gw.good("ORD-7", "paid")()

	steps := []struct {
		status int
		body   string
		calls  int
	}{
		{500, "callback not handled\n", 1},
		{500, "callback not handled\n", 2},
		{200, "success", 3},
		{200, "success", 3}, // now a duplicate
		{200, "success", 3},
	}
	for i, s := range steps {
		r := post(t, srv, "/", h, b)
		require.Equal(t, s.status, r.status, "delivery %d", i+1)
		require.Equal(t, s.body, r.body, "delivery %d", i+1)
		require.Equal(t, s.calls, rec.n(), "delivery %d", i+1)
	}
	require.Equal(t, "ORD-7", rec.last().OrderID)
	handled, held := webhook.DeduperLen(d)
	require.Equal(t, 1, handled)
	require.Zero(t, held)
}

// A new status for the same order is a new callback.
func TestHandlerDedupesPerStatus(t *testing.T) {
	gw := newFake("fake")
	rec := &recorder{}
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithDeduper(webhook.NewMemoryDeduper(0, 0))))
	for _, st := range []string{"processing", "processing", "paid", "paid", "processing"} {
		h, b := gw.good("ORD-2", st)()
		requireAck(t, gw.ack, post(t, srv, "/", h, b))
	}
	require.Equal(t, 2, rec.n())
}

func TestHandlerConcurrentDuplicates(t *testing.T) {
	cases := []struct {
		name      string
		failFirst bool
		wantCalls int
		want500   int
	}{
		{name: "fn succeeds", wantCalls: 1},
		// The first fn fails: its request is 500, the claim is released, one waiting
		// duplicate handles the callback and the others are acknowledged.
		{name: "first fn fails", failFirst: true, wantCalls: 2, want500: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gw := newFake("fake")
			rec := &recorder{delay: 2 * time.Millisecond}
			if c.failFirst {
				rec.fail = func(n int, _ *paygate.Callback) error {
					if n == 1 {
						return errors.New("transient")
					}
					return nil
				}
			}
			d := webhook.NewMemoryDeduper(time.Hour, 1000)
			srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithDeduper(d)))
			h, b := gw.good("ORD-50", "paid")()

			const n = 50
			replies := make([]reply, n)
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					replies[i], errs[i] = send(context.Background(), srv, http.MethodPost, "/", h, b, false)
				})
			}
			close(start)
			wg.Wait()

			got500 := 0
			for i := range n {
				require.NoError(t, errs[i])
				if replies[i].status == http.StatusInternalServerError {
					got500++
					continue
				}
				requireAck(t, gw.ack, replies[i])
			}
			require.Equal(t, c.want500, got500)
			require.Equal(t, c.wantCalls, rec.n(), "fn calls")
			handled, held := webhook.DeduperLen(d)
			require.Equal(t, 1, handled)
			require.Zero(t, held, "no claim may be left held")
		})
	}
}

// A handled callback is forgotten after the TTL: the provider's next delivery reaches fn.
func TestHandlerDeduperTTL(t *testing.T) {
	gw := newFake("fake")
	clk := newClock()
	rec := &recorder{}
	d := webhook.NewMemoryDeduperClock(time.Minute, 10, clk.Now)
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithDeduper(d)))
	h, b := gw.good("ORD-3", "paid")()

	requireAck(t, gw.ack, post(t, srv, "/", h, b))
	clk.Advance(59 * time.Second)
	requireAck(t, gw.ack, post(t, srv, "/", h, b))
	require.Equal(t, 1, rec.n(), "within the TTL: a duplicate")
	clk.Advance(time.Second)
	requireAck(t, gw.ack, post(t, srv, "/", h, b))
	require.Equal(t, 2, rec.n(), "past the TTL: handled again")
}

// fn panicking must not leave the claim held: the next delivery is handled.
func TestHandlerPanicReleasesClaim(t *testing.T) {
	gw := newFake("fake")
	logs := &lockedBuffer{}
	rec := &recorder{fail: func(n int, _ *paygate.Callback) error {
		if n == 1 {
			panic("bug in the merchant's code")
		}
		return nil
	}}
	d := webhook.NewMemoryDeduper(time.Hour, 10)
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithDeduper(d), webhook.WithLogger(jsonLogger(logs))))
	h, b := gw.good("ORD-4", "paid")()

	r := post(t, srv, "/", h, b)
	require.Equal(t, http.StatusInternalServerError, r.status, "a panic in fn is answered 500: the provider retries")
	requireAck(t, gw.ack, post(t, srv, "/", h, b))
	require.Equal(t, 2, rec.n())
	_, held := webhook.DeduperLen(d)
	require.Zero(t, held)

	lines := logLines(t, logs.String())
	require.Len(t, lines, 2)
	require.Equal(t, webhook.OutcomeHandlerPanic, lines[0]["outcome"])
	require.Equal(t, webhook.OutcomeHandled, lines[1]["outcome"])
}

// A Deduper whose Claim fails is 500 and fn is not called.
func TestHandlerDeduperFailure(t *testing.T) {
	gw := newFake("fake")
	rec := &recorder{}
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithDeduper(failingDeduper{})))
	h, b := gw.good("ORD-5", "paid")()
	r := post(t, srv, "/", h, b)
	require.Equal(t, http.StatusInternalServerError, r.status)
	require.Equal(t, "callback not handled\n", r.body)
	require.Zero(t, rec.n())
}

type failingDeduper struct{}

func (failingDeduper) Claim(context.Context, string) (bool, error) {
	return false, errors.New("dedupe store unreachable")
}
func (failingDeduper) Done(context.Context, string) error    { return nil }
func (failingDeduper) Release(context.Context, string) error { return nil }

// A callback with no order ID has no Key: it is never deduplicated.
func TestHandlerNoKeyNoDedupe(t *testing.T) {
	gw := newFake("fake")
	rec := &recorder{}
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithDeduper(failingDeduper{})))
	f := fields("", "paid")
	f["tradeno"] = ""
	b := sign(f, gw.secret)
	for range 2 {
		requireAck(t, gw.ack, post(t, srv, "/", nil, b))
	}
	require.Equal(t, 2, rec.n())
}

func TestHandlerPanicsOnNil(t *testing.T) {
	require.Panics(t, func() { webhook.Handler(nil, (&recorder{}).fn) })
	require.Panics(t, func() { webhook.Handler(newFake("fake"), nil) })
}
