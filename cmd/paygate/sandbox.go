package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/sandbox"
)

// sandboxFlags are the inputs of the sandbox command.
type sandboxFlags struct {
	provider, addr, adminAddr, config     string
	merchantID, apiKey, secret, secretEnv string
}

var sandboxCmd = &command{
	name:     "sandbox",
	synopsis: "--provider NAME [--addr HOST:PORT] [--admin-addr HOST:PORT] [--config FILE | --merchant-id ID --api-key KEY --secret-env VAR]",
	summary:  "run a fake of a provider's API on a local port, for testing without an account",
	example:  "paygate sandbox --provider cashgit --addr 127.0.0.1:8080 --admin-addr 127.0.0.1:8081",
	about: `The fake checks signatures, required fields and limits as the provider documents them and
keeps orders in memory. It prints, on standard output, a config to point a client at it (a
secret or API key is printed only when the command generated it), logs callback deliveries and
settlements on standard error, and runs until interrupted (Ctrl+C or SIGTERM).

Credentials come from --config (whose base_url is ignored), or from the flags; a missing
merchant id defaults to M10001, a missing secret or API key is generated.

Orders stay pending until settled. With --admin-addr, a second listener settles them and
delivers the provider's signed callback to the order's notify URL:

  curl -X POST 'http://127.0.0.1:8081/settle?order_id=ORDER_1001&status=succeeded'
  curl 'http://127.0.0.1:8081/orders/ORDER_1001'

status is one of pending, processing, succeeded, failed, cancelled, reversed. The settle
answer is 200 when the callback was acknowledged (or the order has no notify URL), 202 when it
was not (the sandbox retries on the provider's schedule), 404 for an unknown order.
`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var f sandboxFlags
		fs.StringVar(&f.provider, "provider", "", "provider to fake: "+strings.Join(sandbox.Providers(), ", ")+" (default: the config file's)")
		fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on; port 0 picks a free one")
		fs.StringVar(&f.adminAddr, "admin-addr", "", "address of the admin listener that settles orders (default: none)")
		fs.StringVar(&f.config, "config", "", "config file with the merchant credentials (JSON or YAML, ${NAME} expanded)")
		fs.StringVar(&f.merchantID, "merchant-id", "", "merchant id the fake accepts (default M10001)")
		fs.StringVar(&f.apiKey, "api-key", "", "API key the fake accepts, for caipay (token) and deekpay (access_key) (default: generated)")
		fs.StringVar(&f.secretEnv, "secret-env", "", "name of the environment variable holding the signing secret")
		fs.StringVar(&f.secret, "secret", "", "signing secret the fake accepts (default: generated)")
		return func(ctx context.Context, c *cli, args []string) error { return f.run(ctx, c, args) }
	},
}

// credential says where a printed credential came from: its value is printed only when the
// command made it up.
type credential struct {
	value, origin string // origin empty: generated or defaulted, so printed
}

// resolve builds the sandbox's config from --config or the credential flags.
func (f *sandboxFlags) resolve() (cfg paygate.Config, apiKey, secret credential, err error) {
	if f.config != "" {
		if f.merchantID != "" || f.apiKey != "" || f.secret != "" || f.secretEnv != "" {
			return cfg, apiKey, secret, usagef("give --config or the credential flags, not both")
		}
		if cfg, err = paygate.LoadConfig(f.config); err != nil {
			return cfg, apiKey, secret, err
		}
		switch {
		case f.provider == "":
			f.provider = cfg.Provider
		case cfg.Provider != "" && cfg.Provider != f.provider:
			return cfg, apiKey, secret, usagef("--provider %s contradicts the config file's provider %s", f.provider, cfg.Provider)
		}
		from := "as in " + f.config
		apiKey, secret = credential{cfg.APIKey, from}, credential{cfg.Secret, from}
	} else {
		s, err := secretFrom(f.secret, f.secretEnv, false)
		if err != nil {
			return cfg, apiKey, secret, err
		}
		cfg = paygate.Config{MerchantID: f.merchantID, APIKey: f.apiKey, Secret: s}
		if cfg.MerchantID == "" {
			cfg.MerchantID = "M10001"
		}
		apiKey, secret = credential{cfg.APIKey, "as given"}, credential{cfg.Secret, "as given"}
	}
	if f.provider == "" {
		return cfg, apiKey, secret, usagef("--provider is required")
	}
	if !slices.Contains(sandbox.Providers(), f.provider) {
		return cfg, apiKey, secret, usagef("the sandbox has no fake of %q (known: %s)", f.provider, strings.Join(sandbox.Providers(), ", "))
	}
	cfg.Provider, cfg.BaseURL = f.provider, ""
	if cfg.Secret == "" {
		cfg.Secret = randomHex(16)
		secret = credential{value: cfg.Secret}
	}
	if cfg.APIKey == "" && sandbox.UsesAPIKey(f.provider) {
		cfg.APIKey = randomHex(8)
		apiKey = credential{value: cfg.APIKey}
	}
	return cfg, apiKey, secret, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func (f *sandboxFlags) run(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	cfg, apiKey, secret, err := f.resolve()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(c.stderr, nil))
	srv, err := sandbox.New(cfg.Provider, cfg, sandbox.WithAddr(f.addr), sandbox.WithLogger(logger))
	if err != nil {
		return err
	}
	defer srv.Close()

	var admin *adminServer
	if f.adminAddr != "" {
		if admin, err = startAdmin(ctx, f.adminAddr, srv, logger); err != nil {
			return err
		}
		defer admin.close()
	}

	printSandboxConfig(c, cfg, srv.URL(), apiKey, secret, admin)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(c.stderr, "paygate sandbox: stopping")
	return nil
}

// printSandboxConfig prints, as YAML a client can load, how to reach the fake.
func printSandboxConfig(c *cli, cfg paygate.Config, url string, apiKey, secret credential, admin *adminServer) {
	var b strings.Builder
	fmt.Fprintf(&b, "# paygate sandbox: a fake %s API at %s\n", cfg.Provider, url)
	b.WriteString("# config for a client (paygate.LoadConfig, paygate payin --config FILE):\n")
	fmt.Fprintf(&b, "provider: %s\nbase_url: %s\nmerchant_id: %s\n", quote(cfg.Provider), quote(url), quote(cfg.MerchantID))
	for _, cr := range []struct {
		name string
		credential
	}{{"api_key", apiKey}, {"secret", secret}} {
		switch {
		case cr.value == "":
		case cr.origin == "":
			fmt.Fprintf(&b, "%s: %s\n", cr.name, quote(cr.value))
		default:
			fmt.Fprintf(&b, "# %s: %s\n", cr.name, cr.origin)
		}
	}
	if len(cfg.Options) > 0 {
		b.WriteString("options:\n")
		for _, k := range slices.Sorted(maps.Keys(cfg.Options)) {
			if sensitive(k) {
				fmt.Fprintf(&b, "  # %s: as in the config file\n", k)
				continue
			}
			fmt.Fprintf(&b, "  %s: %s\n", quote(k), quote(cfg.Options[k]))
		}
	}
	if admin != nil {
		fmt.Fprintf(&b, "# settle an order: curl -X POST '%s/settle?order_id=ORDER&status=succeeded'\n", admin.url)
		fmt.Fprintf(&b, "# show an order:   curl '%s/orders/ORDER'\n", admin.url)
	} else {
		b.WriteString("# orders stay pending: run with --admin-addr to settle them\n")
	}
	b.WriteString("# Ctrl+C stops the sandbox\n")
	_, _ = fmt.Fprint(c.stdout, b.String())
}

// quote writes s as a YAML double-quoted scalar (JSON string syntax is valid YAML).
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// sensitive reports whether an option's name says it holds a secret, as paygate.Config's
// redaction decides.
func sensitive(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"secret", "key", "token", "password"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// adminServer is the optional listener that settles orders.
type adminServer struct {
	url  string
	http *http.Server
	done chan struct{}
}

var settleStatuses = []paygate.Status{paygate.StatusPending, paygate.StatusProcessing, paygate.StatusSucceeded,
	paygate.StatusFailed, paygate.StatusCancelled, paygate.StatusReversed}

func startAdmin(ctx context.Context, addr string, srv *sandbox.Server, logger *slog.Logger) (*adminServer, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /settle", func(w http.ResponseWriter, r *http.Request) {
		orderID, st := r.FormValue("order_id"), paygate.Status(r.FormValue("status"))
		if orderID == "" || !slices.Contains(settleStatuses, st) {
			http.Error(w, "want order_id and status (pending, processing, succeeded, failed, cancelled, reversed)", http.StatusBadRequest)
			return
		}
		err := srv.Settle(orderID, st)
		logger.Info("sandbox settle", "order", orderID, "status", st, "err", err)
		switch {
		case err == nil:
			fmt.Fprintf(w, "order %s is %s\n", orderID, st)
		case errors.Is(err, sandbox.ErrNoOrder):
			http.Error(w, err.Error(), http.StatusNotFound)
		case errors.Is(err, sandbox.ErrNotAcknowledged):
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintf(w, "order %s is %s; %v\n", orderID, st, err)
		default:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		o, err := srv.Order(r.PathValue("id"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(o)
	})
	a := &adminServer{url: "http://" + ln.Addr().String(), done: make(chan struct{}),
		http: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
	go func() {
		defer close(a.done)
		_ = a.http.Serve(ln)
	}()
	return a, nil
}

func (a *adminServer) close() {
	_ = a.http.Close()
	<-a.done
}
