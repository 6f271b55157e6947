package paygate

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paygate-go/paygate/internal/option"
	"github.com/paygate-go/paygate/internal/registry"
)

// Config selects a provider and carries the merchant's credentials. Secret, APIKey and any
// option whose name mentions a secret, key or token (IsSecretOption) are redacted from String,
// GoString and slog output.
type Config struct {
	Provider   string            `json:"provider" yaml:"provider"`
	BaseURL    string            `json:"base_url" yaml:"base_url"`
	MerchantID string            `json:"merchant_id" yaml:"merchant_id"` // tenantId, merchantNo, appid, MerchantId
	APIKey     string            `json:"api_key" yaml:"api_key"`         // CaiPay token, DeekPay access_key
	Secret     string            `json:"secret" yaml:"secret"`           // signing secret; never logged
	Timeout    time.Duration     `json:"timeout" yaml:"timeout"`         // in files a duration string: "30s"
	Options    map[string]string `json:"options" yaml:"options"`         // provider-specific knobs
}

// DefaultTimeout bounds one HTTP attempt when Config.Timeout is zero. A negative
// Config.Timeout is refused by New (a *ConfigError naming timeout).
const DefaultTimeout = 30 * time.Second

const redacted = "[REDACTED]"

// Option returns the provider-specific option name, or def when it is unset.
func (c Config) Option(name, def string) string {
	if v, ok := c.Options[name]; ok && v != "" {
		return v
	}
	return def
}

// configFields are the Config fields Require knows, by config key.
var configFields = map[string]struct {
	goName string
	get    func(Config) string
}{
	"base_url":    {"BaseURL", func(c Config) string { return c.BaseURL }},
	"merchant_id": {"MerchantID", func(c Config) string { return c.MerchantID }},
	"api_key":     {"APIKey", func(c Config) string { return c.APIKey }},
	"secret":      {"Secret", func(c Config) string { return c.Secret }},
}

// Require reports every one of the config keys ("base_url", "merchant_id", "api_key",
// "secret") that c leaves empty, at once: one *ConfigError of provider per key, joined. It is
// nil when all are set. Provider constructors call it so that a new user learns every missing
// field in one run.
func (c Config) Require(provider string, keys ...string) error {
	var errs []error
	for _, k := range keys {
		f, ok := configFields[k]
		if !ok {
			errs = append(errs, ConfigErr(provider, k, "is not a key Require knows"))
			continue
		}
		if f.get(c) == "" {
			errs = append(errs, ConfigErr(provider, k, "Config.%s is required", f.goName))
		}
	}
	return errors.Join(errs...)
}

// BoolOption reads a boolean option ("true", "1", "false", "0"); unset is def. Any other
// value is a *ConfigError of c.Provider naming options.<name>.
func (c Config) BoolOption(name string, def bool) (bool, error) {
	v := c.Option(name, "")
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def, &ConfigError{Provider: c.Provider, Field: "options." + name, Reason: fmt.Sprintf("%q is not a boolean; write true or false", truncate(v, 20))}
	}
	return b, nil
}

// Secrets returns the current secret followed by the previous ones of
// Options["previous_secrets"] (comma-separated), for verifying callbacks across a rotation.
func (c Config) Secrets() []string {
	out := []string{c.Secret}
	for _, s := range strings.Split(c.Options["previous_secrets"], ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// redactedCopy returns c with every secret replaced.
func (c Config) redactedCopy() Config {
	r := c
	if r.APIKey != "" {
		r.APIKey = redacted
	}
	if r.Secret != "" {
		r.Secret = redacted
	}
	if len(c.Options) > 0 {
		r.Options = make(map[string]string, len(c.Options))
		for k, v := range c.Options {
			if IsSecretOption(k) {
				v = redacted
			}
			r.Options[k] = v
		}
	}
	return r
}

// IsSecretOption reports whether an option's name says it holds a secret: it mentions a
// secret, key, token or password, ignoring case. Such options are redacted from Config's
// String, GoString and slog output, and their values are never quoted in errors.
func IsSecretOption(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"secret", "key", "token", "password"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// String formats the config with its secrets redacted.
func (c Config) String() string {
	r := c.redactedCopy()
	var b strings.Builder
	fmt.Fprintf(&b, "paygate.Config{Provider:%s BaseURL:%s MerchantID:%s APIKey:%s Secret:%s Timeout:%s Options:map[",
		r.Provider, r.BaseURL, r.MerchantID, r.APIKey, r.Secret, r.Timeout)
	for i, k := range slices.Sorted(maps.Keys(r.Options)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k + ":" + r.Options[k])
	}
	b.WriteString("]}")
	return b.String()
}

// GoString is String, so %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format makes every fmt verb (%v, %+v, %#v, %s) print the redacted form.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue makes slog print the redacted form.
func (c Config) LogValue() slog.Value {
	r := c.redactedCopy()
	attrs := []slog.Attr{
		slog.String("provider", r.Provider),
		slog.String("base_url", r.BaseURL),
		slog.String("merchant_id", r.MerchantID),
		slog.String("api_key", r.APIKey),
		slog.String("secret", r.Secret),
		slog.Duration("timeout", r.Timeout),
	}
	for _, k := range slices.Sorted(maps.Keys(r.Options)) {
		attrs = append(attrs, slog.String("options."+k, r.Options[k]))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON writes the config with its secrets redacted, like String: slog's JSONHandler
// marshals a Config nested in a slice or struct with encoding/json, bypassing LogValue.
// Timeout is written as a duration string, as in config files.
func (c Config) MarshalJSON() ([]byte, error) {
	type plain Config
	v := struct {
		plain
		Timeout string `json:"timeout,omitempty"`
	}{plain: plain(c.redactedCopy())}
	if c.Timeout != 0 {
		v.Timeout = c.Timeout.String()
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads a Config strictly, as ParseConfig does (without ${NAME} references):
// an unknown key is an error naming the nearest known one, and Timeout is a duration string
// with a unit ("30s"); a bare number is refused. The options are not checked against the
// provider's declarations here (New does that).
func (c *Config) UnmarshalJSON(b []byte) error {
	cfg, err := parseJSON(b, false, false)
	if err != nil {
		return err
	}
	*c = cfg
	return nil
}

// envRef matches a ${NAME} reference, the escape $${ that stands for a literal ${, or a ${
// that is neither (leftmost alternative first).
var envRef = regexp.MustCompile(`\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{`)

// LoadConfig reads a Config from a JSON (.json) or YAML (.yaml, .yml, anything else) file of
// one provider's config. References of the form ${NAME} in values are replaced by the
// environment variable NAME, so secrets can stay out of the file; "$${" writes a literal "${".
// See ParseConfig for the rules.
func LoadConfig(path string) (Config, error) {
	raw, err := os.ReadFile(path) //nolint:gosec // the caller names its own config file
	if err != nil {
		return Config{}, fmt.Errorf("paygate: load config: %w", err)
	}
	return ParseConfig(raw, strings.EqualFold(filepath.Ext(path), ".json"))
}

// ParseConfig parses a Config as LoadConfig does; isJSON chooses JSON over YAML.
//
// Parsing is strict. An unknown key is an error naming the nearest known one ("unknown key;
// did you mean `base_url`?"); an option the provider does not declare (see [OptionSpec]) is
// refused the same way once the provider's package is imported. timeout is a duration with a
// unit ("30s", "1m30s", "500ms"); a bare number, zero or a negative duration is refused. Every
// error is a *ConfigError (it matches ErrInvalidConfig) naming the key and the line, and never
// quotes a secret; all the problems of a file are reported at once.
//
// ${NAME} references are replaced in the values once the file is parsed, so a reference in a
// comment is ignored and a variable's value is never read as YAML or JSON. "$${" stands for a
// literal "${" (a secret that contains one); any other "${" (${A-B}, an unclosed ${A) is an
// error naming the key, not a literal that would become the secret. An unset variable is an
// error naming it, except in a key whose name says it holds a secret (secret, api_key,
// previous_secrets, see [IsSecretOption]): there the error names the key only, as "${…}" may
// be part of the secret.
//
// A YAML file holds one document: a second one (after ---) is refused, not dropped. Explicit
// tags other than !!str, !!int, !!float, !!bool and !!null (!!binary, !custom) are refused
// naming the key, as is a tag that does not fit its value (!!int abc): values are read as
// text, so any other tag would change nothing silently.
func ParseConfig(raw []byte, isJSON bool) (Config, error) {
	if isJSON {
		return parseJSON(raw, true, true)
	}
	return parseYAML(raw)
}

// expandEnv replaces the ${NAME} references of s, and each "$${" by "${", adding the names of
// unset variables to missing; a "${" that is neither (${A-B}, an unclosed ${A) sets malformed
// and stays as written.
func expandEnv(s string, missing *[]string, malformed *bool) string {
	return envRef.ReplaceAllStringFunc(s, func(m string) string {
		switch m {
		case "$${":
			return "${"
		case "${":
			*malformed = true
			return m
		}
		name := m[2 : len(m)-1]
		v, ok := os.LookupEnv(name)
		if !ok && !slices.Contains(*missing, name) {
			*missing = append(*missing, name)
		}
		return v
	})
}

// Factory builds a Gateway from a Config; each provider package registers one.
type Factory func(cfg Config, opts ...Option) (Gateway, error)

var factories = registry.New[Factory]("paygate: Register")

// Register makes a provider available to New under name. Provider packages call it from init;
// registering a name twice panics.
func Register(name string, f Factory) {
	if f == nil {
		panic("paygate: Register of nil factory for " + name)
	}
	factories.Add(name, f)
}

// Providers returns the registered provider names, sorted.
func Providers() []string { return factories.Names() }

// New builds the Gateway named by cfg.Provider. The provider's package must be imported
// (blank-import github.com/paygate-go/paygate/providers for all of them).
func New(cfg Config, opts ...Option) (Gateway, error) {
	f, ok := factories.Get(cfg.Provider)
	if !ok {
		known := Providers()
		list := strings.Join(known, ", ")
		if list == "" {
			list = "none registered; import github.com/paygate-go/paygate/providers"
		}
		if cfg.Provider == "" {
			return nil, &ConfigError{Field: "provider", Reason: "Config.Provider is required (known: " + list + ")"}
		}
		hint := ""
		if n := nearest(cfg.Provider, known); n != "" {
			hint = "; did you mean `" + n + "`?"
		}
		return nil, &ConfigError{Field: "provider", Reason: fmt.Sprintf("unknown provider %q%s (known: %s)", truncate(cfg.Provider, 40), hint, list)}
	}
	gw, err := f(cfg, opts...) // paygate's providers report every problem of cfg at once
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckOptions(cfg.Provider); err != nil { // a factory that did not check them
		return nil, err
	}
	return gw, nil
}

// RetryPolicy bounds the retries of reads (queries, balance). Creating an order is never
// retried once its request may have left.
type RetryPolicy struct {
	MaxAttempts int           // attempts in all, the first included; 1 turns retries off
	MinWait     time.Duration // first back-off
	MaxWait     time.Duration // back-off ceiling
}

// DefaultRetry is 3 attempts backing off from 200 ms to 5 s with jitter.
var DefaultRetry = RetryPolicy{MaxAttempts: 3, MinWait: 200 * time.Millisecond, MaxWait: 5 * time.Second}

// Settings are the resolved Options, read by provider packages.
type Settings struct {
	HTTPClient *http.Client
	Logger     *slog.Logger
	Retry      RetryPolicy
	Clock      func() time.Time
	Nonce      func() string // nil: the provider's own random nonce
	Limiter    Limiter       // nil: the provider's in-process limit, if it has one
	Observer   Observer      // nil: nothing is reported
}

// Option configures a Gateway.
type Option func(*Settings)

// WithHTTPClient makes the Gateway send through c's Transport and Jar. c itself is not changed,
// and its Timeout is not used: Config.Timeout bounds each attempt, response body included.
// A pay-in's or pay-out's body is given to the Transport as one it cannot rewind, so that
// net/http (HTTP/1 or HTTP/2) never sends it twice; a Transport must not buffer a body to
// re-send it on its own (a retrying RoundTripper), or a payment may be made twice.
func WithHTTPClient(c *http.Client) Option { return func(s *Settings) { s.HTTPClient = c } }

// WithLogger makes the Gateway log through l. Secrets and signatures are never logged.
func WithLogger(l *slog.Logger) Option { return func(s *Settings) { s.Logger = l } }

// WithRetry replaces DefaultRetry for reads.
func WithRetry(p RetryPolicy) Option { return func(s *Settings) { s.Retry = p } }

// WithClock replaces time.Now, for timestamps in requests and callback freshness checks.
func WithClock(now func() time.Time) Option { return func(s *Settings) { s.Clock = now } }

// WithNonce replaces the random nonce generator (DeekPay nonce, Cashy nonceStr).
func WithNonce(f func() string) Option { return func(s *Settings) { s.Nonce = f } }

// Resolve applies opts over the defaults.
func Resolve(opts ...Option) Settings {
	s := Settings{Retry: DefaultRetry}
	option.Apply(&s, opts)
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Clock == nil {
		s.Clock = time.Now
	}
	if s.Retry.MaxAttempts < 1 {
		s.Retry.MaxAttempts = 1
	}
	return s
}
