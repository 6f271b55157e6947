// Command switching runs one piece of merchant code against every provider, each chosen by
// nothing but a config file (configs/*.yaml). Each provider is faked by the in-process sandbox.
//
//	go run ./examples/switching                          # every file of configs/, embedded
//	go run ./examples/switching -config my-account.yaml  # one file of yours
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/providers" // registers every provider with paygate.New
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

//go:embed configs/*.yaml
var configs embed.FS

func main() {
	one := flag.String("config", "", "a config file of yours instead of the embedded configs/*.yaml")
	flag.Parse()
	// Demo credentials, used only where the environment does not provide them.
	setDefault("PAYGATE_DEMO_API_KEY", "demo-api-key")
	setDefault("PAYGATE_DEMO_SECRET", "demo-secret")
	if err := run(*one); err != nil {
		fmt.Fprintln(os.Stderr, "switching:", err)
		os.Exit(1)
	}
}

func run(file string) error {
	if file != "" {
		cfg, err := paygate.LoadConfig(file)
		if err != nil {
			return err
		}
		return runConfig(cfg)
	}
	names, err := fs.Glob(configs, "configs/*.yaml")
	if err != nil {
		return err
	}
	for _, name := range names {
		raw, err := configs.ReadFile(name)
		if err != nil {
			return err
		}
		cfg, err := paygate.ParseConfig(raw, false)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(name), err)
		}
		if err := runConfig(cfg); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(name), err)
		}
	}
	return nil
}

func setDefault(name, value string) {
	if _, ok := os.LookupEnv(name); !ok {
		_ = os.Setenv(name, value)
	}
}

// runConfig points a config at a sandbox of its provider and runs the merchant code.
func runConfig(cfg paygate.Config) error {
	sb, err := sandbox.New(cfg.Provider, cfg)
	if err != nil {
		return err
	}
	defer sb.Close()
	gw, err := paygate.New(sb.Config()) // cfg, pointed at the sandbox
	if err != nil {
		return err
	}
	// The merchant's callback endpoint, on loopback: verifies and acknowledges.
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second,
		Handler: webhook.Handler(gw, func(context.Context, *paygate.Callback) error { return nil })}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	return collect(gw, sb, webhook.NotifyURL("http://"+ln.Addr().String(), gw.Name()))
}

// collect is the merchant's code: it knows paygate.Gateway, not the provider.
func collect(gw paygate.Gateway, sb *sandbox.Server, notifyURL string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	currency := paygate.INR
	phone := "9876543210"
	if gw.Capabilities().Currency == paygate.PKR { // Cashy settles in Pakistani rupees
		currency, phone = paygate.PKR, "3001234567"
	}
	req := &paygate.PayInRequest{
		OrderID:   fmt.Sprintf("SW%d", time.Now().UnixNano()%1e12),
		Amount:    paygate.MustParseMoney("1000", currency),
		Customer:  paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com", Phone: phone, IP: "203.0.113.7", IDNumber: "3310401123456"},
		NotifyURL: notifyURL,
		ReturnURL: "https://merchant.example/thanks",
		Remark:    "switching",
	}
	res, err := gw.PayIn(ctx, req)
	if err != nil {
		return err
	}
	if err := sb.Settle(req.OrderID, paygate.StatusSucceeded); err != nil {
		return err
	}
	o, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: res.OrderID, ProviderOrderID: res.ProviderOrderID})
	if err != nil {
		return err
	}
	balance := "not offered"
	if gw.Capabilities().Balance {
		b, err := gw.Balance(ctx)
		if err != nil {
			return err
		}
		balance = b.Available.String()
	}
	fmt.Printf("%-8s pay-in %s of %s: %s (provider status %q); balance %s\n",
		gw.Name(), o.OrderID, req.Amount, o.Status, o.RawStatus, balance)
	return nil
}
