package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/sandbox"
)

// sandboxFlags are the inputs of the sandbox command.
type sandboxFlags struct {
	provider, addr, adminAddr, config     string
	merchantID, apiKey, secret, secretEnv string
	configDir                             string
	set                                   map[string]bool // the flags given on the command line
}

var sandboxCmd = &command{
	name:     "sandbox",
	synopsis: "[--provider NAME] [--addr HOST:PORT] [--admin-addr HOST:PORT] [--config FILE | --merchant-id ID --api-key KEY --secret-env VAR] [--config-dir DIR]",
	summary:  "run fakes of the providers' APIs and a dashboard on local ports, for testing without an account",
	example:  "paygate sandbox --config-dir ./sandbox-configs",
	about: `The fakes check signatures, required fields and limits as the providers document them and
keep orders in memory. Each pay-in's payment link opens a hosted checkout page with Pay, Fail
and Cancel buttons.

Without --provider (and without --config), all five fakes run, each on its own port (--addr is
the first, default 127.0.0.1:8081; the others follow), and the dashboard runs on --admin-addr
(default 127.0.0.1:8080): every order and callback delivery, buttons to succeed, fail, cancel,
reverse or succeed late, to resend, duplicate, drop or delay a callback, switches that make a
provider's next create lose its answer, answer an HTML 502 page or answer too late, and a JSON
API under /api/ with the same actions. One config per provider is printed on standard output,
generated secrets included, as one YAML document per provider separated by ---: save each
document in its own file (paygate.LoadConfig and --config read one document, and refuse a
file of several), or give --config-dir DIR, which writes each to DIR/paygate.PROVIDER.yaml.

With --provider (or --config), one fake runs on --addr (default 127.0.0.1:8080) and the
dashboard only with --admin-addr. Credentials come from --config (whose base_url is ignored), or
from the flags; a missing merchant id defaults to M10001, a missing secret or API key is
generated; a secret or API key is printed only when the command generated it.

Callback deliveries and settlements are logged on standard error; the command runs until
interrupted (Ctrl+C or SIGTERM). The admin routes of earlier versions still work:

  curl -X POST 'http://127.0.0.1:8080/settle?order_id=ORDER_1001&status=succeeded'
  curl 'http://127.0.0.1:8080/orders/ORDER_1001'

status is one of pending, processing, succeeded, failed, cancelled, reversed (add
&provider=NAME when several fakes know the number). The settle answer is 200 when the callback
was acknowledged (or the order has no notify URL, which the answer says), 202 when it was not
(the sandbox retries on the provider's schedule), 404 for an unknown order.
`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var f sandboxFlags
		fs.StringVar(&f.provider, "provider", "", "provider to fake: "+strings.Join(sandbox.Providers(), ", ")+" (default: the config file's, or all)")
		fs.StringVar(&f.addr, "addr", "", "address to listen on; port 0 picks a free one (default 127.0.0.1:8080, or :8081 and up for all)")
		fs.StringVar(&f.adminAddr, "admin-addr", "", "address of the dashboard and admin API (default: 127.0.0.1:8080 for all, none for one)")
		fs.StringVar(&f.config, "config", "", "config file with the merchant credentials (JSON or YAML, ${NAME} expanded)")
		fs.StringVar(&f.configDir, "config-dir", "", "also write each provider's client config to DIR/paygate.PROVIDER.yaml")
		fs.StringVar(&f.merchantID, "merchant-id", "", "merchant id the fake accepts (default M10001)")
		fs.StringVar(&f.apiKey, "api-key", "", "API key the fake accepts, for the providers that use one (default: generated)")
		fs.StringVar(&f.secretEnv, "secret-env", "", "name of the environment variable holding the signing secret")
		fs.StringVar(&f.secret, "secret", "", "signing secret the fake accepts (default: generated)")
		return func(ctx context.Context, c *cli, args []string) error {
			f.set = map[string]bool{}
			fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
			return f.run(ctx, c, args)
		}
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
		apiKey, secret = credential{cfg.APIKey, "as given"}, credential{cfg.Secret, "as given"}
	}
	if !slices.Contains(sandbox.Providers(), f.provider) {
		return cfg, apiKey, secret, usagef("the sandbox has no fake of %q (known: %s)", f.provider, strings.Join(sandbox.Providers(), ", "))
	}
	if f.apiKey != "" && !sandbox.UsesAPIKey(f.provider) {
		return cfg, apiKey, secret, usagef("--api-key: %s uses no API key", f.provider)
	}
	cfg.MerchantID = cmp.Or(cfg.MerchantID, "M10001")
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
	if f.provider == "" && f.config == "" {
		if f.set["merchant-id"] || f.set["api-key"] || f.set["secret"] || f.set["secret-env"] {
			return usagef("credential flags need --provider: each of the five fakes has its own")
		}
		return f.runAll(ctx, c)
	}
	cfg, apiKey, secret, err := f.resolve()
	if err != nil {
		return err
	}
	addr := f.addr
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	logger := slog.New(slog.NewTextHandler(c.stderr, nil))
	srv, err := sandbox.New(cfg.Provider, cfg, sandbox.WithAddr(addr), sandbox.WithLogger(logger))
	if err != nil {
		return err
	}
	defer srv.Close()

	var admin *adminServer
	if f.adminAddr != "" {
		if admin, err = startAdmin(ctx, f.adminAddr, sandbox.NewDashboard(srv)); err != nil {
			return err
		}
		defer admin.close()
	}

	var b strings.Builder
	writeSandboxConfig(&b, cfg, srv.URL(), apiKey, secret)
	if admin != nil {
		fmt.Fprintf(&b, "# dashboard:        %s/\n", admin.url)
		fmt.Fprintf(&b, "# settle an order: curl -X POST '%s/settle?order_id=ORDER&status=succeeded'\n", admin.url)
		fmt.Fprintf(&b, "# show an order:   curl '%s/orders/ORDER'\n", admin.url)
	} else {
		b.WriteString("# orders stay pending: run with --admin-addr to settle them\n")
	}
	if err := f.writeConfigFile(cfg.Provider, b.String()); err != nil {
		return err
	}
	b.WriteString("# Ctrl+C stops the sandbox\n")
	_, _ = fmt.Fprint(c.stdout, b.String())
	return wait(ctx, c)
}

// wait runs until ctx ends or the process is interrupted.
func wait(ctx context.Context, c *cli) error {
	ctx, stop := untilInterrupted(ctx)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(c.stderr, "paygate sandbox: stopping")
	return nil
}

// runAll runs every provider's fake and the dashboard.
func (f *sandboxFlags) runAll(ctx context.Context, c *cli) error {
	addr, adminAddr := f.addr, f.adminAddr
	if addr == "" {
		addr = "127.0.0.1:8081"
	}
	if adminAddr == "" {
		adminAddr = "127.0.0.1:8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--addr %q: %v", addr, err)
	}
	first, err := strconv.Atoi(port)
	if err != nil || first < 0 || first > 65535-len(sandbox.Providers()) {
		return usagef("--addr %q: the port must be a number", addr)
	}
	logger := slog.New(slog.NewTextHandler(c.stderr, nil))
	var servers []*sandbox.Server
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()
	var b strings.Builder
	b.WriteString("# paygate sandbox: one YAML document per provider, separated by ---. Save each in its own\n" +
		"# file (a config file holds one document; a file of several is refused), or run with\n" +
		"# --config-dir DIR, which writes DIR/paygate.PROVIDER.yaml.\n")
	for i, p := range sandbox.Providers() {
		cfg := paygate.Config{Provider: p, MerchantID: "M10001", Secret: randomHex(16)}
		if sandbox.UsesAPIKey(p) {
			cfg.APIKey = randomHex(8)
		}
		at := addr
		if first != 0 {
			at = net.JoinHostPort(host, strconv.Itoa(first+i))
		}
		s, err := sandbox.New(p, cfg, sandbox.WithAddr(at), sandbox.WithLogger(logger))
		if err != nil {
			return err
		}
		servers = append(servers, s)
		var one strings.Builder
		writeSandboxConfig(&one, cfg, s.URL(), credential{value: cfg.APIKey}, credential{value: cfg.Secret})
		if err := f.writeConfigFile(p, one.String()); err != nil {
			return err
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		if f.configDir != "" {
			fmt.Fprintf(&b, "# written to %s\n", filepath.Join(f.configDir, "paygate."+p+".yaml"))
		}
		b.WriteString(one.String())
	}
	admin, err := startAdmin(ctx, adminAddr, sandbox.NewDashboard(servers...))
	if err != nil {
		return err
	}
	defer admin.close()
	fmt.Fprintf(&b, "---\n# dashboard: %s/   (JSON API: %s/api)\n# Ctrl+C stops the sandbox\n", admin.url, admin.url)
	_, _ = fmt.Fprint(c.stdout, b.String())
	return wait(ctx, c)
}

// writeConfigFile writes text to --config-dir's paygate.PROVIDER.yaml, when given.
func (f *sandboxFlags) writeConfigFile(provider, text string) error {
	if f.configDir == "" {
		return nil
	}
	if err := os.MkdirAll(f.configDir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(f.configDir, "paygate."+provider+".yaml"), []byte(text), 0o600)
}

// writeSandboxConfig writes, as YAML a client can load, how to reach the fake.
func writeSandboxConfig(b *strings.Builder, cfg paygate.Config, url string, apiKey, secret credential) {
	fmt.Fprintf(b, "# paygate sandbox: a fake %s API at %s\n", cfg.Provider, url)
	b.WriteString("# config for a client (paygate.LoadConfig, paygate payin --config FILE):\n")
	fmt.Fprintf(b, "provider: %s\nbase_url: %s\nmerchant_id: %s\n", quote(cfg.Provider), quote(url), quote(cfg.MerchantID))
	for _, cr := range []struct {
		name string
		credential
	}{{"api_key", apiKey}, {"secret", secret}} {
		switch {
		case cr.value == "":
		case cr.origin == "":
			fmt.Fprintf(b, "%s: %s\n", cr.name, quote(cr.value))
		default:
			fmt.Fprintf(b, "# %s: %s\n", cr.name, cr.origin)
		}
	}
	if len(cfg.Options) > 0 {
		b.WriteString("options:\n")
		for _, k := range slices.Sorted(maps.Keys(cfg.Options)) {
			if paygate.IsSecretOption(k) {
				fmt.Fprintf(b, "  # %s: as in the config file\n", k)
				continue
			}
			fmt.Fprintf(b, "  %s: %s\n", quote(k), quote(cfg.Options[k]))
		}
	}
}

// quote writes s as a YAML double-quoted scalar (JSON string syntax is valid YAML).
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// adminServer is the listener of the dashboard and the admin API.
type adminServer struct {
	url  string
	http *http.Server
	done chan struct{}
}

func startAdmin(ctx context.Context, addr string, h http.Handler) (*adminServer, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin listener: %w", err)
	}
	a := &adminServer{url: "http://" + ln.Addr().String(), done: make(chan struct{}),
		http: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
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
