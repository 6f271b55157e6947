package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// TestRedirectsAreNeverFollowed: a signed, money-moving request goes only to the configured
// host. A 3xx is an error naming the target host; on a create it is outcome-unknown.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		elsewhere.Add(1)
		_, _ = w.Write([]byte(`{"code":200}`))
	}))
	defer other.Close()
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, create := range []bool{false, true} {
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				http.Redirect(w, r, other.URL+"/steal", code)
			}))
			c := New(Options{Provider: "test", BaseURL: srv.URL}, paygate.Resolve(fastRetry))
			_, err := c.Do(context.Background(), &Request{Op: "op", Method: http.MethodPost, Path: "/api/x",
				Body: []byte(`{}`), Create: create, OrderID: "ORDER1"})
			srv.Close()
			c.CloseIdleConnections()
			require.Error(t, err)
			var re *paygate.ResponseError
			require.ErrorAs(t, err, &re)
			require.Equal(t, code, re.HTTPStatus)
			require.Contains(t, err.Error(), "127.0.0.1", "names the target host")
			require.Equal(t, create, errors.Is(err, paygate.ErrOutcomeUnknown), "%v", err)
			require.Zero(t, elsewhere.Load(), "never sent to the redirect target")
			require.EqualValues(t, 1, hits.Load(), "a redirect is not retried")
		}
	}
}

// TestInformationalStatusIsNoAnswer: only a 2xx can be a success, and a 1xx given as the final
// answer (101 Switching Protocols, never asked for) is not even read: it is an error at once
// (on a create: outcome-unknown, the request left), not retried, whatever follows it. net/http
// hands a 101 with Connection: Upgrade the connection itself as its body and stops watching
// the context: reading it would outlast every timeout.
func TestInformationalStatusIsNoAnswer(t *testing.T) {
	const upgrade = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: json\r\nContent-Type: application/json\r\n\r\n"
	answers := []struct {
		name string
		raw  string
		hold bool // the connection is left open after raw
	}{
		{"101 upgrade, connection held open", upgrade + `{"code":`, true},
		{"101 upgrade, a success body, closed", upgrade + `{"code":200,"data":{"orderNo":"P1"}}`, false},
		{"101 without upgrade", "HTTP/1.1 101 Switching Protocols\r\nContent-Type: application/json\r\n\r\n{\"code\":200}", false},
	}
	for _, a := range answers {
		for _, create := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/create=%t", a.name, create), func(t *testing.T) {
				var hits atomic.Int64
				release := make(chan struct{})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					hits.Add(1)
					conn, buf, err := w.(http.Hijacker).Hijack()
					if err != nil {
						return
					}
					defer conn.Close()
					_, _ = buf.WriteString(a.raw)
					_ = buf.Flush()
					if a.hold {
						go func() { <-release; _ = conn.Close() }()
						_, _ = io.Copy(io.Discard, conn) // until the client hangs up
					}
				}))
				t.Cleanup(srv.Close)
				t.Cleanup(func() { close(release) })
				c := New(Options{Provider: "test", BaseURL: srv.URL, Timeout: time.Second}, paygate.Resolve(fastRetry))
				t.Cleanup(c.CloseIdleConnections)
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				done := make(chan error, 1)
				go func() {
					_, err := c.Do(ctx, &Request{Op: "op", Method: http.MethodPost, Path: "/api/x",
						Body: []byte(`{}`), Create: create, OrderID: "ORDER1"})
					done <- err
				}()
				var err error
				select {
				case err = <-done:
				case <-time.After(4 * time.Second):
					t.Fatal("Do is still reading the 101 past its timeout and its context's deadline")
				}
				var re *paygate.ResponseError
				require.ErrorAs(t, err, &re)
				require.Equal(t, http.StatusSwitchingProtocols, re.HTTPStatus)
				require.NotErrorIs(t, err, context.DeadlineExceeded, "refused at once, not timed out")
				require.Equal(t, create, errors.Is(err, paygate.ErrOutcomeUnknown), "%v", err)
				require.EqualValues(t, 1, hits.Load(), "not retried")
			})
		}
	}
}

var fastRetry = paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestNotSent: a request that never left (connection refused, DNS failure) is ErrNotSent,
// told apart from one that may have reached the provider.
func TestNotSent(t *testing.T) {
	t.Run("connection refused, create", func(t *testing.T) {
		c := New(Options{Provider: "test", BaseURL: "http://" + closedAddr(t)}, paygate.Resolve(fastRetry))
		_, err := c.Do(context.Background(), &Request{Op: "payin", Method: http.MethodPost, Path: "/api/x",
			Body: []byte(`{}`), Create: true, OrderID: "ORDER1"})
		require.ErrorIs(t, err, paygate.ErrNotSent)
		require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
		var ns *paygate.NotSentError
		require.ErrorAs(t, err, &ns)
		require.Equal(t, "payin", ns.Op)
	})
	t.Run("connection refused, read", func(t *testing.T) {
		c := New(Options{Provider: "test", BaseURL: "http://" + closedAddr(t)}, paygate.Resolve(fastRetry))
		_, err := c.Do(context.Background(), &Request{Op: "query", Method: http.MethodGet, Path: "/q"})
		require.ErrorIs(t, err, paygate.ErrNotSent)
	})
	t.Run("reset after the request was written is not not-sent", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}))
		defer srv.Close()
		c := New(Options{Provider: "test", BaseURL: srv.URL}, paygate.Resolve(fastRetry))
		_, err := c.Do(context.Background(), &Request{Op: "payin", Method: http.MethodPost, Path: "/api/x",
			Body: []byte(`{}`), Create: true, OrderID: "ORDER1"})
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
		require.NotErrorIs(t, err, paygate.ErrNotSent)
	})
}

type countingLimiter struct {
	mu   sync.Mutex
	keys []string
	err  error
}

func (l *countingLimiter) Wait(ctx context.Context, key string) error {
	l.mu.Lock()
	l.keys = append(l.keys, key)
	l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	return ctx.Err()
}

// TestSharedLimiter: a Limiter given with WithLimiter replaces the in-process one, is keyed by
// provider and merchant, fails open with one Warn line, and a wait ended by the context is
// not-sent.
func TestSharedLimiter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{}`)) }))
	defer srv.Close()

	l := &countingLimiter{}
	c := New(Options{Provider: "test", MerchantID: "M1", BaseURL: srv.URL, RateLimit: 0.001, Burst: 1},
		paygate.Resolve(paygate.WithLimiter(l)))
	for range 3 { // the in-process limit (one request per 1000 s) would stall the second
		_, err := c.Do(context.Background(), &Request{Op: "balance", Method: http.MethodPost, Path: "/b", Body: []byte(`{}`)})
		require.NoError(t, err)
	}
	require.Equal(t, []string{"test:M1", "test:M1", "test:M1"}, l.keys)

	var logs bytes.Buffer
	broken := &countingLimiter{err: errors.New("redis: connection refused")}
	c = New(Options{Provider: "test", MerchantID: "M1", BaseURL: srv.URL},
		paygate.Resolve(paygate.WithLimiter(broken), paygate.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))))
	_, err := c.Do(context.Background(), &Request{Op: "balance", Method: http.MethodPost, Path: "/b", Body: []byte(`{}`)})
	require.NoError(t, err, "a limiter failure fails open")
	require.Contains(t, logs.String(), "level=WARN")
	require.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("level=WARN")))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = New(Options{Provider: "test", BaseURL: srv.URL}, paygate.Resolve(paygate.WithLimiter(&countingLimiter{}))).
		Do(ctx, &Request{Op: "payin", Method: http.MethodPost, Path: "/b", Body: []byte(`{}`), Create: true})
	require.ErrorIs(t, err, context.Canceled)
}

type recordingObserver struct {
	paygate.NopObserver
	mu       sync.Mutex
	attempts []paygate.AttemptEvent
}

func (o *recordingObserver) AttemptEnd(_ context.Context, e paygate.AttemptEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.attempts = append(o.attempts, e)
}

// TestObserverAttempts: each HTTP attempt, retries included, is reported with its URL
// template, never the query string.
func TestObserverAttempts(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	o := &recordingObserver{}
	c := New(Options{Provider: "test", BaseURL: srv.URL}, paygate.Resolve(fastRetry, paygate.WithObserver(o)))
	_, err := c.Do(context.Background(), &Request{Op: "query", Method: http.MethodGet, Path: "/api/q",
		Query: map[string][]string{"token": {"SECRET-TOKEN"}}})
	require.NoError(t, err)
	require.Len(t, o.attempts, 3)
	for i, a := range o.attempts {
		require.Equal(t, i, a.ResendCount)
		require.Equal(t, "/api/q", a.URLTemplate)
		require.Equal(t, "127.0.0.1", a.ServerAddress)
		require.Equal(t, "GET", a.Method)
		require.Equal(t, "query", a.Operation)
	}
	require.Equal(t, 503, o.attempts[0].StatusCode)
	require.Equal(t, 200, o.attempts[2].StatusCode)
}

// TestQuotesNoSignatureSent: every signature the request carried, under Options.SignatureKey
// (a header, a query parameter or a field of the JSON body, in any case), on every attempt,
// is removed from any quote of the answer. The answer here echoes every signature it was sent.
func TestQuotesNoSignatureSent(t *testing.T) {
	cases := []struct {
		name string
		req  func(n *atomic.Int64) *Request
	}{
		{"a header signed afresh on every attempt", func(n *atomic.Int64) *Request {
			return &Request{Op: "query", Method: http.MethodPost, Path: "/q", Body: []byte(`{}`),
				Sign: func() http.Header { return http.Header{"Sign": {fmt.Sprintf("hdr-sig-%d+/=", n.Add(1))}} }}
		}},
		{"a header given once", func(*atomic.Int64) *Request {
			return &Request{Op: "query", Method: http.MethodPost, Path: "/q", Body: []byte(`{}`),
				Header: http.Header{"Sign": {"HDRSIG0001"}}}
		}},
		{"a body field", func(*atomic.Int64) *Request {
			return &Request{Op: "query", Method: http.MethodPost, Path: "/q", Body: []byte(`{"id":"1","sign":"BODYSIG001"}`)}
		}},
		{"a query parameter", func(*atomic.Int64) *Request {
			return &Request{Op: "query", Method: http.MethodGet, Path: "/q", Query: url.Values{"sign": {"QSIG+0001/"}}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			var seen []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				var fields map[string]string
				_ = json.Unmarshal(body, &fields)
				mu.Lock()
				defer mu.Unlock()
				for _, s := range []string{r.Header.Get("sign"), r.URL.Query().Get("sign"), fields["sign"]} {
					if s != "" {
						seen = append(seen, s)
					}
				}
				w.WriteHeader(http.StatusBadGateway)
				_, _ = fmt.Fprintf(w, "<pre>sign: %s\n%s</pre>", strings.Join(seen, " "), r.URL.RawQuery)
			}))
			defer srv.Close()
			cl := New(Options{Provider: "test", BaseURL: srv.URL, SignatureKey: "sign"}, paygate.Resolve(fastRetry))
			defer cl.CloseIdleConnections()
			var n atomic.Int64
			resp, err := cl.Do(context.Background(), c.req(&n))
			require.NoError(t, err)
			for _, err := range []error{resp.Malformed(errors.New("bad")), resp.ProviderError("502", "echo: "+strings.Join(seen, " "))} {
				for _, s := range seen {
					require.NotContains(t, err.Error(), s)
					require.NotContains(t, err.Error(), url.QueryEscape(s))
				}
				require.Contains(t, err.Error(), "[REDACTED]")
			}
			var pe *paygate.ProviderError
			require.ErrorAs(t, resp.ProviderError("502", ""), &pe)
			for _, s := range seen {
				require.NotContains(t, string(pe.Raw), s)
			}
		})
	}
}

// TestQuotesNoJSONEscapedSignature: DeekPay's signature is base64 (+, /, =). An answer that
// echoes it inside JSON as PHP's json_encode writes "/" ("\/") or .NET's System.Text.Json
// writes "+" ("\u002B") was quoted with the signature in it, in ResponseError's text (logged
// by the router, the tracker and merchants) and ProviderError.Raw.
func TestQuotesNoJSONEscapedSignature(t *testing.T) {
	const sig = "q9Zr/Xk+2mP7/Lw0Yt4Hc1uN8aE="
	tests := []struct {
		name string
		echo string // the signature as the answer writes it
	}{
		{"php json_encode escapes slashes", strings.ReplaceAll(sig, "/", `\/`)},
		{".NET escapes plus", strings.ReplaceAll(sig, "+", `\u002B`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"code":"5001","msg":"sign mismatch","sign":"` + tt.echo + `"}`
			var decoded map[string]string
			require.NoError(t, json.Unmarshal([]byte(body), &decoded))
			require.Equal(t, sig, decoded["sign"], "the answer carries the signature, JSON-escaped")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte(body))
			}))
			defer srv.Close()
			cl := New(Options{Provider: "test", BaseURL: srv.URL, SignatureKey: "sign"}, paygate.Resolve(fastRetry))
			defer cl.CloseIdleConnections()
			resp, err := cl.Do(context.Background(), &Request{Op: "query", Method: http.MethodPost, Path: "/q", Body: []byte(`{}`),
				Sign: func() http.Header { return http.Header{"Sign": {sig}} }})
			require.NoError(t, err)

			// What a reader of the log line sees: the JSON escapes undone.
			unescape := strings.NewReplacer(`\\`, `\`, `\/`, "/", `\u002B`, "+", `\u002b`, "+").Replace
			unescape2 := func(s string) string { return unescape(unescape(s)) } // %q adds a level
			quoted := resp.Malformed(errors.New("bad")).Error()
			require.NotContains(t, unescape2(quoted), sig, "ResponseError text: %s", quoted)
			var pe *paygate.ProviderError
			require.ErrorAs(t, resp.ProviderError("5001", "sign mismatch"), &pe)
			require.NotContains(t, unescape(string(pe.Raw)), sig, "ProviderError.Raw: %s", pe.Raw)
		})
	}
}

// FuzzScrubValues: whatever the body, scrubbing never panics; redacting escaped strings keeps
// valid JSON valid; and no JSON string (member name or value) of the result, unescaped,
// still carries the value. (The plain replacement may cut a number or a literal: a quote
// need not stay JSON.)
func FuzzScrubValues(f *testing.F) {
	f.Add([]byte(`{"code":"5001","sign":"q9Zr\\/Xk+2mP7\\/Lw0Yt4Hc1uN8aE="}`), "q9Zr/Xk+2mP7/Lw0Yt4Hc1uN8aE=")
	f.Add([]byte(`{"sign":"q9Zr/Xk\\u002B2mP7"}`), "q9Zr/Xk+2mP7")
	f.Add([]byte(`<pre>"a\\"b" "sig\\/1"</pre>`), "sig/1")
	f.Add([]byte(`["\\\\", "x\\u0041yz", {"xAyz\\n": 1}]`), "xAyz")
	f.Fuzz(func(t *testing.T, body []byte, value string) {
		if len(value) < 4 || strings.ContainsAny(value, `\"`) || !json.Valid([]byte(strconv.Quote(value))) {
			return // a credential or signature: no quote, backslash or control character
		}
		out := scrubValues(body, []string{value})
		if !json.Valid(body) {
			return
		}
		require.True(t, json.Valid(redactEscaped(body, []string{value})))
		if !json.Valid(out) {
			return
		}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				require.NotContains(t, v, value, "%s", out)
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				for k, e := range v {
					walk(k)
					walk(e)
				}
			}
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&v))
		walk(v)
	})
}

// TestCreateAnswered5xxIsOutcomeUnknown: a create answered with any 5xx is outcome-unknown,
// whatever its body says — a failing server (or a proxy in front of one) may write what
// looks like a refusal after the order was made. It is sent once, and it is never handed
// back as a Response for an envelope reader to call a definite refusal (which a router would
// send on to another provider: one order paid twice). A read under 5xx is a Response.
func TestCreateAnswered5xxIsOutcomeUnknown(t *testing.T) {
	const refusal = `{"code":"1001","msg":"order refused","success":false}`
	for _, status := range []int{http.StatusInternalServerError, http.StatusNotImplemented, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout, 599} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				hits.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_, _ = w.Write([]byte(refusal))
			}))
			defer srv.Close()
			c := New(Options{Provider: "test", BaseURL: srv.URL}, paygate.Resolve(fastRetry))
			defer c.CloseIdleConnections()

			resp, err := c.Do(context.Background(), &Request{Op: "payin", Method: http.MethodPost, Path: "/api/x",
				Body: []byte(`{}`), Create: true, OrderID: "ORDER1"})
			require.Nil(t, resp)
			require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
			require.NotErrorIs(t, err, paygate.ErrNotSent)
			var oe *paygate.OutcomeError
			require.ErrorAs(t, err, &oe)
			require.Equal(t, "ORDER1", oe.OrderID)
			require.EqualValues(t, 1, hits.Load(), "a create is sent once")

			hits.Store(0)
			resp, err = c.Do(context.Background(), &Request{Op: "query", Method: http.MethodPost, Path: "/api/x", Body: []byte(`{}`)})
			require.NoError(t, err, "a read under 5xx is answered (retried, then handed back)")
			require.Equal(t, status, resp.StatusCode)
			require.EqualValues(t, 3, hits.Load())
		})
	}
}
