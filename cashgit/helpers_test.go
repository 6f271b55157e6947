package cashgit_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
)

const (
	testAppID  = "M10001"
	testSecret = "cg-test-secret-7f3a9c"
)

// fastRetry keeps read retries short: two attempts in all.
var fastRetry = paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})

// md5hex is the lowercase hex MD5 of s, computed here independently of package signing.
func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// keyParamSign is the rule of CashGit's API document applied to a canonical string written by
// hand.
func keyParamSign(canonical, secret string) string { return md5hex(canonical + "&key=" + secret) }

// appendSign is the platform's public-code variant: the secret appended without "&key=".
func appendSign(canonical, secret string) string { return md5hex(canonical + secret) }

// canonicalOf builds "k=v&k=v" in byte order of keys, skipping sign and empty values: the
// test's own implementation of the rule, for fuzz targets that cannot hand-write it.
func canonicalOf(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k, v := range fields {
		if k != "sign" && v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + fields[k]
	}
	return strings.Join(parts, "&")
}

// recorded is one request the mock provider received.
type recorded struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// fields decodes the body as a JSON object of strings (CashGit sends every field as a string).
func (r recorded) fields(t *testing.T) map[string]string {
	t.Helper()
	var raw map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &raw), "request body %s", r.Body)
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		s, ok := v.(string)
		require.True(t, ok, "field %s is sent as %T, not a string", k, v)
		out[k] = s
	}
	return out
}

// provider is a loopback fake of CashGit driven by a handler per test; it records every
// request. Its handlers can block: Close releases them.
type provider struct {
	srv     *httptest.Server
	release chan struct{}
	mu      sync.Mutex
	reqs    []recorded
}

func newProvider(t *testing.T, reply func(w http.ResponseWriter, r *http.Request, release <-chan struct{})) *provider {
	t.Helper()
	p := &provider{release: make(chan struct{})}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.reqs = append(p.reqs, recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		p.mu.Unlock()
		reply(w, r, p.release)
	}))
	t.Cleanup(func() {
		close(p.release)
		p.srv.Close()
	})
	return p
}

// replyJSON answers every request with HTTP status and body.
func replyJSON(status int, body string) func(http.ResponseWriter, *http.Request, <-chan struct{}) {
	return func(w http.ResponseWriter, _ *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// replyHTML answers with a gateway's HTML error page.
func replyHTML(status int, page string) func(http.ResponseWriter, *http.Request, <-chan struct{}) {
	return func(w http.ResponseWriter, _ *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, page)
	}
}

// replyNever holds the request until the client gives up or the test ends.
func replyNever(_ http.ResponseWriter, r *http.Request, release <-chan struct{}) {
	select {
	case <-r.Context().Done():
	case <-release:
	}
}

func (p *provider) calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.reqs)
}

func (p *provider) last(t *testing.T) recorded {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	require.NotEmpty(t, p.reqs, "the provider received no request")
	return p.reqs[len(p.reqs)-1]
}

// client returns a CashGit client for base with the test credentials, no rate limit unless
// options set one, and fast retries.
func client(t *testing.T, base string, options map[string]string, opts ...paygate.Option) *cashgit.Client {
	t.Helper()
	o := map[string]string{"rate_limit": "0"}
	for k, v := range options {
		o[k] = v
	}
	c, err := cashgit.New(paygate.Config{Provider: cashgit.Name, MerchantID: testAppID, Secret: testSecret,
		BaseURL: base, Options: o}, append([]paygate.Option{fastRetry}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func inr(s string) paygate.Money { return paygate.MustParseMoney(s, paygate.INR) }

// requireMoney asserts m is exactly want INR.
func requireMoney(t *testing.T, want string, m paygate.Money) {
	t.Helper()
	require.Equal(t, paygate.INR, m.Currency(), "currency of %s", m)
	require.True(t, inr(want).Decimal().Equal(m.Decimal()), "want %s INR, got %s", want, m)
}

// testdata reads a file of internal/testdata/cashgit.
func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../internal/testdata/cashgit/" + name)
	require.NoError(t, err)
	return b
}

// withSign replaces the document's placeholder signature in a sample payload.
func withSign(t testing.TB, sample []byte, sign string) []byte {
	t.Helper()
	const placeholder = `"a1b2c3..."`
	require.Equal(t, 1, bytes.Count(sample, []byte(placeholder)))
	return bytes.Replace(sample, []byte(placeholder), []byte(`"`+sign+`"`), 1)
}

// ctxTimeout is a context that expires after d.
func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// fieldsOf reads a JSON object as the callback rule sees it, independently of package
// signing: strings as their text, numbers and booleans as their JSON text, null as empty,
// objects and arrays as their compact JSON.
func fieldsOf(t testing.TB, body []byte) map[string]string {
	t.Helper()
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &raw))
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		switch v[0] {
		case '"':
			var s string
			require.NoError(t, json.Unmarshal(v, &s))
			out[k] = s
		case 'n':
			out[k] = ""
		case '{', '[':
			var b bytes.Buffer
			require.NoError(t, json.Compact(&b, v))
			out[k] = b.String()
		default:
			out[k] = string(v)
		}
	}
	return out
}
