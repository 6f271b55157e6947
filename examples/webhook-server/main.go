// Command webhook-server is a merchant's callback endpoint: a plain net/http server that
// serves every configured gateway's callbacks at /callbacks/{provider} through webhook.NewMux,
// with signature verification, a body limit, deduplication of provider retries, and one log
// line per callback.
//
//	go run ./examples/webhook-server -config cashgit.yaml -config cashy.yaml -addr 127.0.0.1:8080
//	go run ./examples/webhook-server -demo     # every provider against sandboxes, then exit
//
// Point each provider's notify URL at http://HOST/callbacks/NAME.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/providers" // registers every provider with paygate.New
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	var configs files
	flag.Var(&configs, "config", "a provider config file (repeat for several providers)")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	demo := flag.Bool("demo", false, "run every provider against a sandbox, settle one order each, and exit")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var err error
	switch {
	case *demo:
		err = runDemo(logger)
	case len(configs) == 0:
		fmt.Fprintln(os.Stderr, "webhook-server: give -config FILE (one per provider) or -demo")
		os.Exit(2)
	default:
		err = serve(*addr, configs, logger)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook-server:", err)
		os.Exit(1)
	}
}

// store is where a real merchant records the callback, in the same transaction as the
// order's new state. Returning an error makes the provider deliver it again later.
func store(_ context.Context, provider string, cb *paygate.Callback) error {
	fmt.Printf("%-8s %-7s order %s is %s (%s)\n", provider, cb.Kind, cb.OrderID, cb.Status, cb.Amount)
	return nil
}

func newMux(gws []paygate.Gateway, logger *slog.Logger) *http.ServeMux {
	return webhook.NewMux(store, gws,
		webhook.WithDeduper(webhook.NewMemoryDeduper(24*time.Hour, 100_000)),
		webhook.WithMaxBodyBytes(64<<10),
		webhook.WithLogger(logger))
}

func serve(addr string, configs []string, logger *slog.Logger) error {
	var gws []paygate.Gateway
	for _, f := range configs {
		cfg, err := paygate.LoadConfig(f)
		if err != nil {
			return err
		}
		gw, err := paygate.New(cfg, paygate.WithLogger(logger))
		if err != nil {
			return err
		}
		gws = append(gws, gw)
		logger.Info("serving callbacks", "provider", gw.Name(), "path", webhook.Path(gw.Name()))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: addr, Handler: newMux(gws, logger), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("listening", "addr", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// runDemo serves every provider's callbacks on a random port, has each provider's sandbox
// settle one pay-in, and waits for the callbacks.
func runDemo(logger *slog.Logger) error {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var gws []paygate.Gateway
	var sandboxes []*sandbox.Server
	defer func() {
		for _, sb := range sandboxes {
			sb.Close()
		}
	}()
	for _, name := range sandbox.Providers() {
		cfg := paygate.Config{Provider: name, MerchantID: "M10001", APIKey: "demo-api-key", Secret: "demo-secret"}
		sb, err := sandbox.New(name, cfg)
		if err != nil {
			return err
		}
		sandboxes = append(sandboxes, sb)
		cfg.BaseURL = sb.URL()
		gw, err := paygate.New(cfg)
		if err != nil {
			return err
		}
		gws = append(gws, gw)
	}
	srv := &http.Server{Handler: newMux(gws, logger), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i, gw := range gws {
		currency, phone := paygate.INR, "9876543210"
		if gw.Capabilities().Currency == paygate.PKR {
			currency, phone = paygate.PKR, "3001234567"
		}
		req := &paygate.PayInRequest{
			OrderID:   fmt.Sprintf("WH%d%02d", time.Now().UnixMilli()%1e10, i),
			Amount:    paygate.MustParseMoney("250", currency),
			Customer:  paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com", Phone: phone, IP: "203.0.113.7", IDNumber: "3310401123456"},
			NotifyURL: webhook.NotifyURL("http://"+ln.Addr().String(), gw.Name()),
			ReturnURL: "https://merchant.example/thanks",
			Remark:    "webhook demo",
		}
		if _, err := gw.PayIn(ctx, req); err != nil {
			return fmt.Errorf("%s: %w", gw.Name(), err)
		}
		if err := sandboxes[i].Settle(req.OrderID, paygate.StatusSucceeded); err != nil {
			return fmt.Errorf("%s: %w", gw.Name(), err)
		}
	}
	return nil
}
