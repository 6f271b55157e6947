// Command tracker shows paygate's status sync recovering a lost callback: a CashGit sandbox
// settles two pay-ins; the merchant's endpoint drops the first callback (as a proxy or a
// restart would), and the tracker's poll finds that order succeeded and hands it to the same
// function the webhook calls. The second callback arrives, stops that order's polling
// (webhook.WithFinal) and is never handed over twice (one Deduper). It runs in about a second.
//
//	go run ./examples/tracker
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/cashgit" // registers "cashgit"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/webhook"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tracker:", err)
		os.Exit(1)
	}
}

// merchant is the merchant's one function for order changes, from callbacks and polls alike.
type merchant struct {
	out  io.Writer
	mu   sync.Mutex
	done map[string]bool // orders with a final status
}

func (m *merchant) handle(ctx context.Context, provider string, cb *paygate.Callback) error {
	how := "callback"
	if _, polled := tracker.EventFrom(ctx); polled {
		how = "poll"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(m.out, "%s %s %s: %s (by %s)\n", provider, cb.Kind, cb.OrderID, cb.Status, how)
	if cb.Status.Final() {
		m.done[cb.OrderID] = true
	}
	return nil
}

func (m *merchant) println(s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(m.out, s)
}

func (m *merchant) finished(n int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.done) == n
}

func run(out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// The provider: a sandbox whose own callback retries are an hour apart, so only the
	// tracker can recover a lost one here.
	cfg := paygate.Config{Provider: "cashgit", MerchantID: "M10001", Secret: "demo-secret", Options: map[string]string{"rate_limit": "0"}}
	sb, err := sandbox.New("cashgit", cfg, sandbox.WithMinute(time.Hour))
	if err != nil {
		return err
	}
	defer sb.Close()
	gw, err := paygate.New(sb.Config()) // cfg, pointed at the sandbox
	if err != nil {
		return err
	}
	gws := []paygate.Gateway{gw}

	// The merchant: one function, one Deduper, a tracker and a callback endpoint.
	m := &merchant{out: out, done: map[string]bool{}}
	dedupe := webhook.NewMemoryDeduper(24*time.Hour, 100_000)
	var queries atomic.Int64
	tr := tracker.New([]paygate.Gateway{counted{gw, &queries}}, tracker.NewMemoryStore(), m.handle,
		tracker.WithDeduper(dedupe),
		// Seconds instead of minutes, for the demo: the defaults are 1m, 30m and 72h.
		tracker.WithSchedule(tracker.Schedule{First: 300 * time.Millisecond, Every: time.Second, Horizon: time.Minute}),
		tracker.WithInterval(50*time.Millisecond),
		tracker.WithLogger(slog.New(slog.DiscardHandler)))
	mux := webhook.NewMux(m.handle, gws, webhook.WithDeduper(dedupe), webhook.WithFinal(tr.Final))
	var dropped atomic.Bool
	endpoint := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dropped.CompareAndSwap(false, true) { // the first callback is lost on the way
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		mux.ServeHTTP(w, r)
	})
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: endpoint, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- tr.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-ran; err != nil {
			fmt.Fprintln(os.Stderr, "tracker run:", err)
		}
	}()

	notify := webhook.NotifyURL("http://"+ln.Addr().String(), "cashgit")
	for _, id := range []string{"DEMO_LOST_01", "DEMO_OK_0002"} {
		res, err := gw.PayIn(ctx, &paygate.PayInRequest{OrderID: id, Amount: paygate.MustParseMoney("250", paygate.INR), NotifyURL: notify})
		if err != nil {
			return err
		}
		if err := tr.Track(ctx, gw.Name(), paygate.KindPayIn, res.OrderID, tracker.WithStatus(res.Status, res.RawStatus)); err != nil {
			return err
		}
		m.println("sandbox: " + id + " succeeded")
		switch err := sb.Settle(id, paygate.StatusSucceeded); {
		case errors.Is(err, sandbox.ErrNotAcknowledged):
			m.println("sandbox: its callback was lost")
		case err != nil:
			return err
		default:
			m.println("sandbox: its callback was acknowledged")
		}
	}
	for !m.finished(2) {
		select {
		case <-ctx.Done():
			return errors.New("the tracker did not recover the lost callback")
		case <-time.After(20 * time.Millisecond):
		}
	}
	m.println(fmt.Sprintf("queries made by the tracker: %d", queries.Load()))
	return nil
}

// counted counts the tracker's queries.
type counted struct {
	paygate.Gateway
	n *atomic.Int64
}

func (c counted) Query(ctx context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
	c.n.Add(1)
	return c.Gateway.Query(ctx, req)
}
