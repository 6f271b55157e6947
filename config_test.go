package paygate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// stubGateway is the smallest Gateway: it records what New gave its factory.
type stubGateway struct {
	name     string
	cfg      Config
	settings Settings
}

func (g *stubGateway) Name() string { return g.name }

func (g *stubGateway) Capabilities() Capabilities { return Capabilities{} }

func (g *stubGateway) PayIn(context.Context, *PayInRequest) (*PayInResult, error) {
	return nil, ErrUnsupported
}

func (g *stubGateway) PayOut(context.Context, *PayOutRequest) (*PayOutResult, error) {
	return nil, ErrUnsupported
}

func (g *stubGateway) Query(context.Context, *QueryRequest) (*Order, error) {
	return nil, ErrUnsupported
}

func (g *stubGateway) Balance(context.Context) (*Balance, error) {
	return nil, ErrUnsupported
}

func (g *stubGateway) ParseCallback(http.Header, []byte) (*Callback, error) {
	return nil, ErrUnsupported
}

func stubFactory(name string) Factory {
	return func(cfg Config, opts ...Option) (Gateway, error) {
		return &stubGateway{name: name, cfg: cfg, settings: Resolve(opts...)}, nil
	}
}

// The test providers are registered once per test binary, from init as a provider package
// registers itself, so that a run with -count=2 finds them registered and does not panic.
func init() {
	Register("test-provider-x", stubFactory("test-provider-x"))
	Register("test-provider-y", stubFactory("test-provider-y"))
	Register("test-provider-failing", func(Config, ...Option) (Gateway, error) {
		return nil, Invalid("BaseURL", "is required")
	})
	Register("test-provider-known", stubFactory("test-provider-known"))
	Register("test-provider-twice", stubFactory("test-provider-twice"))
}

func TestRegisterNewProviders(t *testing.T) {
	names := Providers()
	require.Contains(t, names, "test-provider-x")
	require.Contains(t, names, "test-provider-y")
	require.IsNonDecreasing(t, names, "sorted")

	clock := func() time.Time { return time.Unix(1700000000, 0) }
	gw, err := New(Config{Provider: "test-provider-x", MerchantID: "m1"}, WithClock(clock))
	require.NoError(t, err)
	require.Equal(t, "test-provider-x", gw.Name())
	stub := gw.(*stubGateway)
	require.Equal(t, "m1", stub.cfg.MerchantID)
	require.Equal(t, time.Unix(1700000000, 0), stub.settings.Clock(), "options reach the factory")

	gw, err = New(Config{Provider: "test-provider-y"})
	require.NoError(t, err)
	require.Equal(t, "test-provider-y", gw.Name())

	_, err = New(Config{Provider: "test-provider-failing"})
	require.ErrorIs(t, err, ErrInvalidRequest, "the factory's error is returned as it is")
}

func TestNewUnknownProvider(t *testing.T) {
	tests := []string{"", "nope", "CASHGIT", "test-provider-x "}
	for _, name := range tests {
		t.Run(name, func(t *testing.T) {
			gw, err := New(Config{Provider: name, Secret: "do-not-print-me"})
			require.Error(t, err)
			require.Nil(t, gw)
			if name == "" {
				require.ErrorContains(t, err, "provider: Config.Provider is required", "not an unknown provider \"\"")
			} else {
				require.Contains(t, err.Error(), fmt.Sprintf("%q", name))
			}
			require.Contains(t, err.Error(), "test-provider-known", "the error lists the known providers")
			require.NotContains(t, err.Error(), "do-not-print-me")
		})
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	require.Contains(t, Providers(), "test-provider-twice")
	require.PanicsWithValue(t, "paygate: Register called twice for test-provider-twice", func() {
		Register("test-provider-twice", stubFactory("test-provider-twice"))
	})
	require.Panics(t, func() { Register("test-provider-nil", nil) })
	require.NotContains(t, Providers(), "test-provider-nil")
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestLoadConfig(t *testing.T) {
	t.Setenv("PAYGATE_TEST_SECRET", "s3cr3t-from-env")
	t.Setenv("PAYGATE_TEST_KEY", "key-from-env")

	want := Config{
		Provider:   "cashgit",
		BaseURL:    "https://test.cashgit.com",
		MerchantID: "cgpay",
		APIKey:     "key-from-env",
		Secret:     "s3cr3t-from-env",
		Timeout:    30 * time.Second,
		Options:    map[string]string{"sign_style": "append", "previous_secrets": "old1,old2"},
	}
	tests := []struct {
		name    string
		file    string
		content string
	}{
		{"json", "paygate.json", `{
  "provider": "cashgit",
  "base_url": "https://test.cashgit.com",
  "merchant_id": "cgpay",
  "api_key": "${PAYGATE_TEST_KEY}",
  "secret": "${PAYGATE_TEST_SECRET}",
  "timeout": "30s",
  "options": {"sign_style": "append", "previous_secrets": "old1,old2"}
}`},
		{"json upper-case extension", "PAYGATE.JSON", `{"provider":"cashgit","base_url":"https://test.cashgit.com",
"merchant_id":"cgpay","api_key":"${PAYGATE_TEST_KEY}","secret":"${PAYGATE_TEST_SECRET}",
"timeout":"30s","options":{"sign_style":"append","previous_secrets":"old1,old2"}}`},
		{"yaml", "paygate.yaml", `provider: cashgit
base_url: https://test.cashgit.com
merchant_id: cgpay
api_key: ${PAYGATE_TEST_KEY}
secret: "${PAYGATE_TEST_SECRET}"
timeout: 30s
options:
  sign_style: append
  previous_secrets: old1,old2
`},
		{"yml", "paygate.yml", `{provider: cashgit, base_url: "https://test.cashgit.com", merchant_id: cgpay,
api_key: "${PAYGATE_TEST_KEY}", secret: "${PAYGATE_TEST_SECRET}", timeout: 30s,
options: {sign_style: append, previous_secrets: "old1,old2"}}`},
		{"no extension is yaml", "paygate", `provider: cashgit
base_url: https://test.cashgit.com
merchant_id: cgpay
api_key: ${PAYGATE_TEST_KEY}
secret: ${PAYGATE_TEST_SECRET}
timeout: 30s
options: {sign_style: append, previous_secrets: "old1,old2"}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(writeFile(t, tt.file, tt.content))
			require.NoError(t, err)
			require.Equal(t, want, cfg)
		})
	}
}

func TestParseConfigTimeout(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		isJSON  bool
		want    time.Duration
		wantErr bool
	}{
		{"json string", `{"timeout":"1m30s"}`, true, 90 * time.Second, false},
		{"json nanoseconds refused", `{"timeout":5000000000}`, true, 0, true},
		{"json null", `{"timeout":null}`, true, 0, false},
		{"json absent", `{"provider":"x"}`, true, 0, false},
		{"json bad string", `{"timeout":"soon"}`, true, 0, true},
		{"json fraction", `{"timeout":1.5}`, true, 0, true},
		{"json bool", `{"timeout":true}`, true, 0, true},
		{"yaml", "timeout: 250ms", false, 250 * time.Millisecond, false},
		{"yaml bad", "timeout: soon", false, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tt.in), tt.isJSON)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, cfg.Timeout)
		})
	}
}

func TestLoadConfigUnsetVariable(t *testing.T) {
	t.Setenv("PAYGATE_TEST_SET", "set-value")
	require.NoError(t, os.Unsetenv("PAYGATE_TEST_SET")) // t.Setenv restores it afterwards
	t.Setenv("PAYGATE_TEST_PRESENT", "present-value")

	content := `{"provider":"caipay","api_key":"${PAYGATE_TEST_PRESENT}","secret":"${PAYGATE_TEST_SET}",
"merchant_id":"literal-merchant-in-file","options":{"previous_secrets":"literal-old-secret"}}`
	for _, name := range []string{"c.json", "c.yaml"} {
		t.Run(name, func(t *testing.T) {
			cfg, err := LoadConfig(writeFile(t, name, content))
			require.Error(t, err)
			require.Equal(t, Config{}, cfg)
			msg := err.Error()
			require.Contains(t, msg, "secret", "the error names the key")
			require.NotContains(t, msg, "PAYGATE_TEST_SET", "not the reference: a secret's value is never quoted, and it may be the secret itself")
			require.NotContains(t, msg, "PAYGATE_TEST_PRESENT")
			require.NotContains(t, msg, "present-value")
			require.NotContains(t, msg, "literal-merchant-in-file")
			require.NotContains(t, msg, "literal-old-secret")
			require.NotContains(t, msg, "caipay")
		})
	}

	_, err := ParseConfig([]byte(`merchant_id: ${PAYGATE_TEST_A_UNSET}${PAYGATE_TEST_B_UNSET}`), false)
	require.ErrorContains(t, err, "PAYGATE_TEST_A_UNSET")
	require.ErrorContains(t, err, "PAYGATE_TEST_B_UNSET")
}

func TestLoadConfigEnvNotReexpanded(t *testing.T) {
	t.Setenv("PAYGATE_TEST_OUTER", "${PAYGATE_TEST_INNER}")
	t.Setenv("PAYGATE_TEST_INNER", "inner")
	cfg, err := ParseConfig([]byte(`secret: "${PAYGATE_TEST_OUTER}"`), false)
	require.NoError(t, err)
	require.Equal(t, "${PAYGATE_TEST_INNER}", cfg.Secret, "a value is used as it is, not expanded again")

	cfg, err = ParseConfig([]byte(`secret: "$HOME-and-$${}"`), false)
	require.NoError(t, err)
	require.Equal(t, "$HOME-and-${}", cfg.Secret, "only ${NAME} is a reference; $${ is a literal ${")
	_, err = ParseConfig([]byte(`secret: "$HOME-and-${}"`), false)
	require.ErrorIs(t, err, ErrInvalidConfig, "a ${ that is no reference is a mistake (TestParseConfigMalformedReference)")
}

func TestLoadConfigMalformed(t *testing.T) {
	const secret = "hunter2-very-secret-value"
	t.Setenv("PAYGATE_TEST_MALFORMED_SECRET", secret)
	tests := []struct {
		name    string
		file    string
		content string
	}{
		{"json literal secret", "bad.json", `{"provider":"caipay","secret":"` + secret + `",}`},
		{"json expanded secret", "bad.json", `{"provider":"caipay","secret":${PAYGATE_TEST_MALFORMED_SECRET}}`},
		{"json wrong type", "bad.json", `{"provider":"caipay","secret":"` + secret + `","options":["` + secret + `"]}`},
		{"yaml literal secret", "bad.yaml", "provider: caipay\nsecret: [" + secret + "\n"},
		{"yaml expanded secret", "bad.yaml", "provider: caipay\nsecret: ${PAYGATE_TEST_MALFORMED_SECRET}\noptions: [" + secret + "\n"},
		{"yaml wrong type", "bad.yaml", "provider: caipay\nsecret: {a: " + secret + "}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(writeFile(t, tt.file, tt.content))
			require.Error(t, err)
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, err.Error(), "hunter2")
			require.ErrorIs(t, err, ErrInvalidConfig)
			require.Contains(t, err.Error(), "line ")
		})
	}

	_, err := LoadConfig(filepath.Join(t.TempDir(), "missing.json"))
	require.Error(t, err)
	require.ErrorIs(t, err, os.ErrNotExist)
}

// secretConfig carries a distinct marker in every field that must never be printed.
func secretConfig() Config {
	return Config{
		Provider:   "cashgit",
		BaseURL:    "https://test.cashgit.com",
		MerchantID: "cgpay",
		APIKey:     "APIKEY-4f44347e81987f33",
		Secret:     "SECRET-76b570d3acb79ef5",
		Timeout:    30 * time.Second,
		Options: map[string]string{
			"previous_secrets": "PREV-0ld1,PREV-0ld2",
			"webhook_token":    "TOKEN-aa11bb22",
			"Signing_Key":      "SIGNKEY-cc33dd44",
			"db_password":      "PASSWORD-ee55ff66",
			"sign_style":       "append",
			"rate_limit":       "10",
		},
	}
}

var secretMarkers = []string{
	"APIKEY-", "4f44347e81987f33",
	"SECRET-", "76b570d3acb79ef5",
	"PREV-", "0ld1", "0ld2",
	"TOKEN-", "aa11bb22",
	"SIGNKEY-", "cc33dd44",
	"PASSWORD-", "ee55ff66",
}

func requireNoSecret(t *testing.T, out string) {
	t.Helper()
	for _, m := range secretMarkers {
		require.NotContains(t, out, m, "secret marker %q leaked in %s", m, out)
	}
	require.Contains(t, out, "cgpay", "the non-secret fields are still printed: %s", out)
	require.Contains(t, out, redacted)
}

func TestConfigRedactedInFmt(t *testing.T) {
	cfg := secretConfig()
	type wrapper struct {
		Name string
		Cfg  Config
		Ptr  *Config
	}
	tests := []struct {
		name string
		out  string
	}{
		{"String", cfg.String()},
		{"GoString", cfg.GoString()},
		{"%v", fmt.Sprintf("%v", cfg)},
		{"%+v", fmt.Sprintf("%+v", cfg)},
		{"%#v", fmt.Sprintf("%#v", cfg)},
		{"%s", fmt.Sprintf("%s", cfg)},
		{"%q", fmt.Sprintf("%q", cfg)},
		{"%x", fmt.Sprintf("%x", cfg)},
		{"%T %v", fmt.Sprintf("%T %v", cfg, cfg)},
		{"Sprint", fmt.Sprint(cfg)},
		{"Sprintln", fmt.Sprintln("config:", cfg)},
		{"pointer %v", fmt.Sprintf("%v", &cfg)},
		{"pointer %+v", fmt.Sprintf("%+v", &cfg)},
		{"pointer %#v", fmt.Sprintf("%#v", &cfg)},
		{"in struct %+v", fmt.Sprintf("%+v", wrapper{Name: "w", Cfg: cfg, Ptr: &cfg})},
		{"in struct %#v", fmt.Sprintf("%#v", wrapper{Name: "w", Cfg: cfg, Ptr: &cfg})},
		{"in slice", fmt.Sprintf("%v", []Config{cfg, cfg})},
		{"in map", fmt.Sprintf("%+v", map[string]Config{"a": cfg})},
		{"in any slice", fmt.Sprintf("%v", []any{cfg, &cfg})},
		{"error wrap %v", fmt.Errorf("bad config %v", cfg).Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireNoSecret(t, tt.out)
		})
	}

	var buf bytes.Buffer
	logger := log.New(&buf, "", 0)
	logger.Printf("config: %v", cfg)
	logger.Println(cfg, &cfg)
	requireNoSecret(t, buf.String())
}

func TestConfigRedactedInSlog(t *testing.T) {
	cfg := secretConfig()
	handlers := map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler {
			return slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})
		},
		"text": func(b *bytes.Buffer) slog.Handler {
			return slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})
		},
	}
	logs := map[string]func(*slog.Logger){
		"Any":           func(l *slog.Logger) { l.Info("loaded", slog.Any("config", cfg)) },
		"pointer":       func(l *slog.Logger) { l.Info("loaded", slog.Any("config", &cfg)) },
		"key-value":     func(l *slog.Logger) { l.Debug("loaded", "config", cfg) },
		"With":          func(l *slog.Logger) { l.With("config", cfg).Warn("retrying") },
		"Group":         func(l *slog.Logger) { l.Info("loaded", slog.Group("gw", slog.Any("config", cfg))) },
		"WithGroup":     func(l *slog.Logger) { l.WithGroup("gw").Error("failed", "config", &cfg) },
		"message %v":    func(l *slog.Logger) { l.Info(fmt.Sprintf("config %v", cfg)) },
		"in error":      func(l *slog.Logger) { l.Error("failed", "err", fmt.Errorf("with %+v", cfg)) },
		"in slice":      func(l *slog.Logger) { l.Info("loaded", "configs", []Config{cfg}) },
		"in struct":     func(l *slog.Logger) { l.Info("loaded", "w", struct{ Cfg Config }{cfg}) },
		"LogValue":      func(l *slog.Logger) { l.Info("loaded", slog.Attr{Key: "config", Value: cfg.LogValue()}) },
		"LogAttrs":      func(l *slog.Logger) { l.LogAttrs(context.Background(), slog.LevelInfo, "x", slog.Any("c", cfg)) },
		"string valued": func(l *slog.Logger) { l.Info("loaded", "config", cfg.String()) },
	}
	for hname, newHandler := range handlers {
		for lname, logIt := range logs {
			t.Run(hname+"/"+lname, func(t *testing.T) {
				var buf bytes.Buffer
				logIt(slog.New(newHandler(&buf)))
				require.NotEmpty(t, buf.String())
				requireNoSecret(t, buf.String())
			})
		}
	}
}

func TestConfigLogValue(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("loaded", "config", secretConfig())
	var line struct {
		Config map[string]any `json:"config"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
	require.Equal(t, "cashgit", line.Config["provider"])
	require.Equal(t, "https://test.cashgit.com", line.Config["base_url"])
	require.Equal(t, "cgpay", line.Config["merchant_id"])
	require.Equal(t, redacted, line.Config["api_key"])
	require.Equal(t, redacted, line.Config["secret"])
	require.Equal(t, redacted, line.Config["options.previous_secrets"])
	require.Equal(t, redacted, line.Config["options.webhook_token"])
	require.Equal(t, redacted, line.Config["options.Signing_Key"])
	require.Equal(t, redacted, line.Config["options.db_password"])
	require.Equal(t, "append", line.Config["options.sign_style"])
	require.Equal(t, "10", line.Config["options.rate_limit"])
}

func TestConfigMarshalJSON(t *testing.T) {
	cfg := secretConfig()
	b, err := json.Marshal(cfg)
	require.NoError(t, err)
	requireNoSecret(t, string(b))
	b, err = json.Marshal(map[string]any{"list": []Config{cfg}, "ptr": &cfg})
	require.NoError(t, err)
	requireNoSecret(t, string(b))

	// The redacted form reads back: every field but the secrets survives.
	b, err = json.Marshal(cfg)
	require.NoError(t, err)
	var back Config
	require.NoError(t, json.Unmarshal(b, &back))
	want := cfg
	want.APIKey, want.Secret = redacted, redacted
	want.Options = map[string]string{
		"previous_secrets": redacted, "webhook_token": redacted, "Signing_Key": redacted,
		"db_password": redacted, "sign_style": "append", "rate_limit": "10",
	}
	require.Equal(t, want, back)
	require.Equal(t, "30s", mustField(t, b, "timeout"))

	b, err = json.Marshal(Config{Provider: "cashy"})
	require.NoError(t, err)
	require.JSONEq(t, `{"provider":"cashy","base_url":"","merchant_id":"","api_key":"","secret":"","options":null}`, string(b))
}

func mustField(t *testing.T, b []byte, name string) any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m[name]
}

func TestConfigStringShape(t *testing.T) {
	cfg := Config{Provider: "caipay", MerchantID: "t1", Secret: "x", Timeout: time.Second,
		Options: map[string]string{"b": "2", "a": "1"}}
	require.Equal(t,
		"paygate.Config{Provider:caipay BaseURL: MerchantID:t1 APIKey: Secret:[REDACTED] Timeout:1s Options:map[a:1 b:2]}",
		cfg.String())

	// Redaction leaves the original untouched.
	orig := secretConfig()
	_ = orig.String()
	_ = orig.LogValue()
	require.Equal(t, secretConfig(), orig)
}

func TestConfigSecrets(t *testing.T) {
	tests := []struct {
		name string
		prev string
		want []string
	}{
		{"none", "", []string{"current"}},
		{"one", "old1", []string{"current", "old1"}},
		{"two with spaces and blanks", " old1 , ,old2,", []string{"current", "old1", "old2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Secret: "current", Options: map[string]string{"previous_secrets": tt.prev}}
			require.Equal(t, tt.want, cfg.Secrets())
		})
	}
	require.Equal(t, []string{"current"}, Config{Secret: "current"}.Secrets())
}

func TestConfigOption(t *testing.T) {
	cfg := Config{Options: map[string]string{"sign_style": "append", "empty": ""}}
	require.Equal(t, "append", cfg.Option("sign_style", "key_param"))
	require.Equal(t, "key_param", cfg.Option("missing", "key_param"))
	require.Equal(t, "d", cfg.Option("empty", "d"), "an empty option is unset")
	require.Equal(t, "d", Config{}.Option("x", "d"))
}

func TestConfigBoolOption(t *testing.T) {
	tests := []struct {
		value   string
		def     bool
		want    bool
		wantErr bool
	}{
		{"true", false, true, false},
		{"1", false, true, false},
		{"TRUE", false, true, false},
		{"false", true, false, false},
		{"0", true, false, false},
		{"", true, true, false},
		{"", false, false, false},
		{"yes", true, true, true},
		{"maybe", false, false, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/%v", tt.value, tt.def), func(t *testing.T) {
			cfg := Config{Options: map[string]string{"flag": tt.value}}
			got, err := cfg.BoolOption("flag", tt.def)
			require.Equal(t, tt.want, got)
			if tt.wantErr {
				require.Error(t, err)
				require.Contains(t, err.Error(), "flag")
				return
			}
			require.NoError(t, err)
		})
	}
	got, err := Config{}.BoolOption("absent", true)
	require.NoError(t, err)
	require.True(t, got)
}

func TestResolve(t *testing.T) {
	s := Resolve()
	require.Equal(t, DefaultRetry, s.Retry)
	require.NotNil(t, s.Logger)
	require.NotNil(t, s.Clock)
	require.Nil(t, s.HTTPClient)
	require.Nil(t, s.Nonce)
	require.WithinDuration(t, time.Now(), s.Clock(), time.Minute)
	s.Logger.Info("discarded") // must not panic

	hc := &http.Client{Timeout: time.Second}
	logger := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	at := time.Date(2024, 12, 2, 12, 7, 6, 0, time.UTC)
	s = Resolve(
		nil, // ignored
		WithHTTPClient(hc),
		WithLogger(logger),
		WithRetry(RetryPolicy{MaxAttempts: 5, MinWait: time.Millisecond, MaxWait: time.Second}),
		WithClock(func() time.Time { return at }),
		WithNonce(func() string { return "nonce-1" }),
	)
	require.Same(t, hc, s.HTTPClient)
	require.Same(t, logger, s.Logger)
	require.Equal(t, RetryPolicy{MaxAttempts: 5, MinWait: time.Millisecond, MaxWait: time.Second}, s.Retry)
	require.Equal(t, at, s.Clock())
	require.Equal(t, "nonce-1", s.Nonce())

	require.Equal(t, 1, Resolve(WithRetry(RetryPolicy{})).Retry.MaxAttempts, "zero attempts means one")
	require.Equal(t, 1, Resolve(WithRetry(RetryPolicy{MaxAttempts: -3})).Retry.MaxAttempts)
	require.Equal(t, 3, DefaultRetry.MaxAttempts, "Resolve does not change DefaultRetry")
}

func TestStatusFinal(t *testing.T) {
	tests := []struct {
		status Status
		final  bool
	}{
		{StatusPending, false},
		{StatusProcessing, false},
		{StatusSucceeded, true},
		{StatusFailed, true},
		{StatusCancelled, true},
		{StatusReversed, true},
		{StatusUnknown, false},
		{Status(""), false},
		{Status("SUCCESS"), false},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			require.Equal(t, tt.final, tt.status.Final())
		})
	}
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		`{"provider":"cashgit","base_url":"https://test.cashgit.com","merchant_id":"cgpay","secret":"x","timeout":"30s"}`,
		`{"timeout":"30s","options":{"previous_secrets":"a,b"}}`,
		`{"timeout":null}`,
		`{"timeout":"soon"}`,
		`{"secret":"${PAYGATE_FUZZ_UNSET}"}`,
		"provider: caipay\nmerchant_id: '1923067572689027074'\napi_key: a41fd77e034d424b97e64ea42f17c544\ntimeout: 30s\n",
		"options: {sign_style: append}\n",
		"timeout: [1, 2]\n",
		"&a [*a]",
		"",
		"null",
		"{",
		"${",
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, raw []byte, isJSON bool) {
		cfg, err := ParseConfig(raw, isJSON)
		if err != nil {
			require.Equal(t, Config{}, cfg)
			require.True(t, strings.HasPrefix(err.Error(), "paygate:"), err.Error())
			return
		}
		_ = cfg.String()
		_ = cfg.LogValue()
		_ = cfg.Secrets()
		if cfg.Secret != "" {
			require.Contains(t, cfg.String(), " Secret:"+redacted+" ", "the secret is never printed")
		}
	})
}
