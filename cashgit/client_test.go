package cashgit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
)

// roundTrip is an http.RoundTripper that answers in-process and records the URLs asked for.
type roundTrip struct {
	mu   sync.Mutex
	urls []string
	body string
}

func (rt *roundTrip) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.urls = append(rt.urls, r.URL.String())
	rt.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(rt.body)), Request: r}, nil
}

func TestNewConfig(t *testing.T) {
	base := paygate.Config{MerchantID: testAppID, Secret: testSecret}
	with := func(edit func(c *paygate.Config)) paygate.Config {
		c := base
		c.Options = map[string]string{}
		edit(&c)
		return c
	}
	bad := []struct {
		name string
		cfg  paygate.Config
		want string
	}{
		{"no appid", with(func(c *paygate.Config) { c.MerchantID = "" }), "MerchantID"},
		{"no secret", with(func(c *paygate.Config) { c.Secret = "" }), "Secret"},
		{"unknown sign style", with(func(c *paygate.Config) { c.Options["sign_style"] = "sha256" }), "sign_style"},
		{"sandbox not a boolean", with(func(c *paygate.Config) { c.Options["sandbox"] = "yes please" }), "sandbox"},
		{"rate limit text", with(func(c *paygate.Config) { c.Options["rate_limit"] = "fast" }), "rate_limit"},
		{"rate limit negative", with(func(c *paygate.Config) { c.Options["rate_limit"] = "-1" }), "rate_limit"},
		{"rate limit NaN", with(func(c *paygate.Config) { c.Options["rate_limit"] = "NaN" }), "rate_limit"},
		{"rate limit infinite", with(func(c *paygate.Config) { c.Options["rate_limit"] = "Inf" }), "rate_limit"},
		{"rate limit exponent", with(func(c *paygate.Config) { c.Options["rate_limit"] = "1e3" }), "rate_limit"},
		{"rate limit with unit", with(func(c *paygate.Config) { c.Options["rate_limit"] = "10/s" }), "rate_limit"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			c, err := cashgit.New(tc.cfg)
			require.Error(t, err)
			require.Nil(t, c)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), testSecret)
		})
	}
	for _, v := range []string{"0", "0.5", "2", "10", "25.5", ""} {
		t.Run("rate limit "+v, func(t *testing.T) {
			_, err := cashgit.New(with(func(c *paygate.Config) { c.Options["rate_limit"] = v }))
			require.NoError(t, err)
		})
	}
}

// TestBaseURL: production by default, the test host with sandbox=true, BaseURL above both.
func TestBaseURL(t *testing.T) {
	cases := []struct {
		name    string
		baseURL string
		sandbox string
		want    string
	}{
		{"default", "", "", "https://cashgit.com/api/balance/query"},
		{"sandbox false", "", "false", "https://cashgit.com/api/balance/query"},
		{"sandbox", "", "true", "https://test.cashgit.com/api/balance/query"},
		{"explicit with slash", "https://gw.example.net/cg/", "true", "https://gw.example.net/cg/api/balance/query"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := &roundTrip{body: balanceOK}
			c, err := cashgit.New(paygate.Config{MerchantID: testAppID, Secret: testSecret, BaseURL: tc.baseURL,
				Options: map[string]string{"sandbox": tc.sandbox}}, paygate.WithHTTPClient(&http.Client{Transport: rt}))
			require.NoError(t, err)
			_, err = c.Balance(context.Background())
			require.NoError(t, err)
			require.Equal(t, []string{tc.want}, rt.urls)
		})
	}
	require.Equal(t, "https://cashgit.com", cashgit.ProductionURL)
	require.Equal(t, "https://test.cashgit.com", cashgit.SandboxURL)
}

// TestRegistered: a blank import registers "cashgit" with paygate.New.
func TestRegistered(t *testing.T) {
	require.Contains(t, paygate.Providers(), cashgit.Name)
	gw, err := paygate.New(paygate.Config{Provider: "cashgit", MerchantID: testAppID, Secret: testSecret})
	require.NoError(t, err)
	_, ok := gw.(*cashgit.Client)
	require.True(t, ok, "paygate.New returns a *cashgit.Client, got %T", gw)
	_, err = paygate.New(paygate.Config{Provider: "cashgit", MerchantID: testAppID})
	require.Error(t, err, "New's refusal is passed on")
}

// TestRateLimit: with rate_limit "2", two calls go at once and a third that would have to
// wait past its context's deadline fails at once with context.DeadlineExceeded, unsent.
func TestRateLimit(t *testing.T) {
	p := newProvider(t, replyJSON(http.StatusOK, balanceOK))
	c := client(t, p.srv.URL, map[string]string{"rate_limit": "2"})
	for range 2 {
		_, err := c.Balance(ctxTimeout(t, 2*time.Second))
		require.NoError(t, err)
	}
	start := time.Now()
	_, err := c.Balance(ctxTimeout(t, 50*time.Millisecond))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
	var ns *paygate.NotSentError
	require.ErrorAs(t, err, &ns)
	require.Equal(t, "balance", ns.Op)
	require.Equal(t, 2, p.calls(), "the third call never reached the provider")
	// It would wait about 500 ms for a token; refused at once, it returns long before.
	require.Less(t, time.Since(start), 400*time.Millisecond, "a wait that cannot end in time fails at once")

	// A create refused by the limiter was not sent: not outcome-unknown.
	_, err = c.PayIn(ctxTimeout(t, 50*time.Millisecond), payInRequest())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
	require.Equal(t, 2, p.calls())

	// Given time, the call waits for its turn within the caller's context.
	_, err = c.Balance(ctxTimeout(t, 2*time.Second))
	require.NoError(t, err)
	require.Equal(t, 3, p.calls())
}

func TestRateLimitCancelledWhileWaiting(t *testing.T) {
	p := newProvider(t, replyJSON(http.StatusOK, balanceOK))
	c := client(t, p.srv.URL, map[string]string{"rate_limit": "1"})
	_, err := c.Balance(context.Background())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = c.Balance(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, p.calls())
}

// TestRateLimitDefault: 10 requests per second unless configured. Calls in a row soon find
// the burst spent and a wait that outlasts their deadline: refused at once, not sent. (On a
// loaded machine the burst refills a little while the first calls run, and a call may be slow
// on the wire, so which call is refused is not fixed; that one is, well within three bursts.)
func TestRateLimitDefault(t *testing.T) {
	p := newProvider(t, replyJSON(http.StatusOK, balanceOK))
	c, err := cashgit.New(paygate.Config{MerchantID: testAppID, Secret: testSecret, BaseURL: p.srv.URL})
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	var refused error
	for range 3 * cashgit.DefaultRateLimit {
		// 80 ms: shorter than the 100 ms a spent burst makes a call wait.
		if _, err := c.Balance(ctxTimeout(t, 80*time.Millisecond)); errors.Is(err, paygate.ErrNotSent) {
			refused = err
			break
		}
	}
	require.ErrorIs(t, refused, paygate.ErrNotSent, "the limiter refused a call")
	require.ErrorIs(t, refused, context.DeadlineExceeded)
	require.GreaterOrEqual(t, p.calls(), cashgit.DefaultRateLimit)
	require.Less(t, p.calls(), 3*cashgit.DefaultRateLimit)
}

// TestRateLimitOff: rate_limit "0" disables the limiter.
func TestRateLimitOff(t *testing.T) {
	p := newProvider(t, replyJSON(http.StatusOK, balanceOK))
	c := client(t, p.srv.URL, map[string]string{"rate_limit": "0"})
	for range 25 {
		// 80 ms: shorter than the 100 ms the default limit would hold the eleventh call.
		_, err := c.Balance(ctxTimeout(t, 80*time.Millisecond))
		require.NotErrorIs(t, err, paygate.ErrNotSent, "no call is held back")
	}
	require.Positive(t, p.calls())
}

// TestMapStatus: every value of both status tables of CashGit's API document, in either case;
// anything else is StatusUnknown.
func TestMapStatus(t *testing.T) {
	table := map[string]paygate.Status{
		// 代收订单状态
		"pending": paygate.StatusPending, "paid": paygate.StatusSucceeded, "cancelled": paygate.StatusCancelled,
		"expired": paygate.StatusCancelled, "failed": paygate.StatusFailed,
		// 代付订单状态
		"processing": paygate.StatusProcessing, "success": paygate.StatusSucceeded, "rejected": paygate.StatusFailed,
	}
	for raw, want := range table {
		for _, v := range []string{raw, strings.ToUpper(raw), strings.ToUpper(raw[:1]) + raw[1:]} {
			require.Equal(t, want, cashgit.MapStatus(v), v)
		}
	}
	for _, v := range []string{"", "refunded", "canceled", "succeeded", "paid ", "1", "SUCCESSFUL", "reversed"} {
		require.Equal(t, paygate.StatusUnknown, cashgit.MapStatus(v), "%q", v)
	}
}

// TestNoSecretInErrorsOrLogs drives every kind of outcome with a debug logger and checks that
// neither the log lines nor the error texts carry the secret or a full signature.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))

	var signs, texts []string
	var errs []error
	record := func(p *provider) {
		for _, r := range p.reqs {
			var f map[string]any
			_ = json.Unmarshal(r.Body, &f)
			if s, ok := f["sign"].(string); ok {
				signs = append(signs, s)
			}
		}
	}
	newC := func(p *provider, timeout time.Duration) *cashgit.Client {
		c, err := cashgit.New(paygate.Config{MerchantID: testAppID, Secret: testSecret, BaseURL: p.srv.URL, Timeout: timeout,
			Options: map[string]string{"rate_limit": "0", "previous_secrets": "old-secret-1"}},
			paygate.WithLogger(logger), fastRetry)
		require.NoError(t, err)
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	replies := map[string]func(http.ResponseWriter, *http.Request, <-chan struct{}){
		"ok":        replyJSON(http.StatusOK, payInOK),
		"refused":   replyJSON(http.StatusOK, `{"code":401,"message":"认证失败: sign verification failed"}`),
		"html":      replyHTML(http.StatusBadGateway, "<html>bad gateway</html>"),
		"truncated": replyJSON(http.StatusOK, `{"code":200,"data":{`),
		"never":     replyNever,
	}
	for _, reply := range replies {
		p := newProvider(t, reply)
		c := newC(p, 100*time.Millisecond)
		_, err := c.PayIn(context.Background(), payInRequest())
		errs = append(errs, err)
		_, err = c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "PAYOUT_20231201001"})
		errs = append(errs, err)
		_, err = c.SubmitUTR(context.Background(), "ORDER_20231201001", "341234567890", inr("100"))
		errs = append(errs, err)
		p.mu.Lock()
		record(p)
		p.mu.Unlock()
		logger.Debug("client", "client", c, "config", paygate.Config{Secret: testSecret})
		texts = append(texts, fmt.Sprintf("%v %+v %#v %s %d %x", c, c, c, c, c, c))
	}
	c := newC(newProvider(t, replyNever), 0)
	_, err := c.PayIn(context.Background(), &paygate.PayInRequest{OrderID: "x"})
	errs = append(errs, err)
	cbBody := withSign(t, testdata(t, "payin_callback.json"), keyParamSign("amount=100.00", testSecret))
	_, err = c.ParseCallback(nil, cbBody)
	errs = append(errs, err)
	_, err = c.ParseCallback(nil, []byte(`{"sign":"`+testSecret+`"`))
	errs = append(errs, err)

	require.NotEmpty(t, signs)
	mu.Lock()
	text := logs.String()
	mu.Unlock()
	require.Contains(t, text, `"op":"payin"`, "the debug log was written")
	for _, err := range errs {
		if err != nil {
			text += "\n" + err.Error()
		}
	}
	text += strings.Join(texts, "\n")
	for _, secret := range []string{testSecret, "old-secret-1"} {
		require.NotContains(t, text, secret)
	}
	for _, s := range signs {
		require.NotContains(t, text, s, "a full signature")
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// TestClientString: no fmt verb prints the secret a Client holds.
func TestClientString(t *testing.T) {
	c := client(t, "http://127.0.0.1:1", map[string]string{"previous_secrets": "old-secret-1"})
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
		for _, v := range []any{c, *c} {
			out := fmt.Sprintf(verb, v)
			require.NotContains(t, out, testSecret, verb)
			require.NotContains(t, out, "old-secret-1", verb)
			require.Contains(t, out, testAppID, verb)
		}
	}
}
