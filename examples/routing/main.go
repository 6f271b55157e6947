// Command routing sends pay-ins through a router over three providers, one of which is down:
// the pay-ins flow to the other two, the down provider's circuit opens, and every order is
// found again by Query and settled by its provider's callback. Each provider is faked by the
// in-process sandbox.
//
//	go run ./examples/routing
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
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/providers" // registers every provider with paygate.New
	"github.com/paygate-go/paygate/router"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

func main() {
	if err := run(os.Stdout, 20); err != nil {
		fmt.Fprintln(os.Stderr, "routing:", err)
		os.Exit(1)
	}
}

// run sends n pay-ins and reports on w where they went.
func run(w io.Writer, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The merchant's callback endpoint, on loopback: one path per provider (webhook.NewMux).
	var callbacks atomic.Int64
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()

	// Three providers, each faked by a sandbox. DeekPay is down: its server is stopped, so
	// every connection to it is refused (the request never leaves: paygate.ErrNotSent).
	sandboxes := map[string]*sandbox.Server{}
	var routes []router.Route
	for _, name := range []string{"cashgit", "deekpay", "paypro"} {
		cfg := paygate.Config{Provider: name, MerchantID: "M10001", APIKey: "demo-key-" + name, Secret: "demo-secret-" + name}
		sb, err := sandbox.New(name, cfg)
		if err != nil {
			return err
		}
		defer sb.Close()
		sandboxes[name] = sb
		gw, err := paygate.New(sb.Config()) // cfg, pointed at the sandbox
		if err != nil {
			return err
		}
		routes = append(routes, router.Route{Gateway: gw, Weight: 1, NotifyURL: webhook.NotifyURL(base, name)})
	}
	sandboxes["deekpay"].Close()
	fmt.Fprintln(w, "deekpay is down: its server refuses connections")

	log := slog.New(slog.NewTextHandler(io.Discard, nil)) // io.Discard → os.Stderr to watch each decision
	// Three refused connections in a row take a provider out of the rotation for a minute.
	decisions := &counter{}
	r, err := router.New(routes, router.WithSeed(2026), router.WithLogger(log), router.WithObserver(decisions),
		router.WithBreaker(router.BreakerSettings{Timeout: time.Minute,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 3 }}))
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second,
		Handler: webhook.NewMux(func(context.Context, string, *paygate.Callback) error {
			callbacks.Add(1)
			return nil
		}, r.Gateways())}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	took := map[string]int{}
	for i := range n {
		req := &paygate.PayInRequest{
			OrderID:   fmt.Sprintf("RT%d%03d", time.Now().UnixMilli()%1e9, i),
			Amount:    paygate.MustParseMoney("1000", paygate.INR),
			Customer:  paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com", Phone: "9876543210", IP: "203.0.113.7"},
			ReturnURL: "https://merchant.example/thanks",
			Remark:    "routing",
		}
		res, err := r.PayIn(ctx, req)
		if err != nil {
			return fmt.Errorf("pay-in %s: %w", req.OrderID, err)
		}
		took[res.Provider]++
		// The customer pays; the provider's callback reaches the merchant.
		if err := sandboxes[res.Provider].Settle(res.OrderID, paygate.StatusSucceeded); err != nil {
			return fmt.Errorf("settle %s at %s: %w", res.OrderID, res.Provider, err)
		}
		// The router's order index sends the query to the provider that took the order.
		o, err := r.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: res.OrderID})
		if err != nil {
			return fmt.Errorf("query %s: %w", res.OrderID, err)
		}
		if o.Provider != res.Provider || o.Status != paygate.StatusSucceeded {
			return fmt.Errorf("query %s: %s says %s", res.OrderID, o.Provider, o.Status)
		}
	}
	if took["deekpay"] != 0 {
		return errors.New("a pay-in went to the provider that is down")
	}
	names := make([]string, 0, len(took))
	for name := range took {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "%s took %d pay-ins\n", name, took[name])
	}
	st, err := r.CircuitState(ctx, "deekpay")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "deekpay: %d refused connections, then %d skips while its circuit is open\n",
		decisions.n["failover/not_sent"], decisions.n["skipped/circuit_open"])
	fmt.Fprintf(w, "deekpay's circuit is %s\n", st)
	fmt.Fprintf(w, "%d callbacks handled\n", callbacks.Load())
	if callbacks.Load() != int64(n) {
		return fmt.Errorf("%d callbacks for %d pay-ins", callbacks.Load(), n)
	}
	return nil
}

// counter is a paygate.Observer that counts the router's decisions by decision and reason.
type counter struct {
	paygate.NopObserver
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) Route(_ context.Context, e paygate.RouteEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[e.Decision+"/"+e.Reason]++
}
