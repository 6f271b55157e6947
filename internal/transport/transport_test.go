package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/paygate-go/paygate"
)

func newMocked(t *testing.T) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	s := paygate.Resolve(
		paygate.WithHTTPClient(&http.Client{Transport: mock}),
		paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}),
	)
	return New(Options{Provider: "test", BaseURL: "https://provider.example"}, s), mock
}

// TestRetryPolicy is the one rule: reads retry on transport errors, 429 and 5xx; creates are
// sent once, and an uncertain answer is ErrOutcomeUnknown.
func TestRetryPolicy(t *testing.T) {
	reset := errors.New("connection reset by peer")
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name      string
		create    bool
		responder httpmock.Responder
		calls     int
		unknown   bool
		wantErr   bool
	}{
		{"read 503 retried", false, httpmock.NewStringResponder(503, "busy"), 3, false, false},
		{"read 429 retried", false, httpmock.NewStringResponder(429, "slow down"), 3, false, false},
		{"read 400 not retried", false, httpmock.NewStringResponder(400, "{}"), 1, false, false},
		{"read reset retried", false, httpmock.NewErrorResponder(reset), 3, false, true},
		{"read 200 once", false, httpmock.NewStringResponder(200, "{}"), 1, false, false},
		{"create 503 once, unknown", true, httpmock.NewStringResponder(503, "busy"), 1, true, true},
		{"create 429 once", true, httpmock.NewStringResponder(429, "slow down"), 1, false, false},
		{"create reset once, unknown", true, httpmock.NewErrorResponder(reset), 1, true, true},
		{"create refused before sending retried", true, httpmock.NewErrorResponder(refused), 3, false, true},
		{"create 200 once", true, httpmock.NewStringResponder(200, "{}"), 1, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mock := newMocked(t)
			mock.RegisterResponder(http.MethodPost, "https://provider.example/api/x", tt.responder)
			_, err := c.Do(context.Background(), &Request{Op: "op", Method: http.MethodPost, Path: "/api/x",
				Body: []byte(`{}`), Create: tt.create, OrderID: "ORDER1"})
			require.Equal(t, tt.calls, mock.GetTotalCallCount())
			require.Equal(t, tt.wantErr, err != nil, "%v", err)
			require.Equal(t, tt.unknown, errors.Is(err, paygate.ErrOutcomeUnknown), "%v", err)
			if tt.unknown {
				require.Contains(t, err.Error(), `"ORDER1"`)
				require.Contains(t, err.Error(), "query it before retrying")
			}
		})
	}
}

// TestCancelledContextStopsAtOnce: a call whose context has ended before it starts sends
// nothing, and says so: ErrNotSent (the same create may safely go elsewhere), still matching
// the context's error, for a create as for a read.
func TestCancelledContextStopsAtOnce(t *testing.T) {
	c, mock := newMocked(t)
	mock.RegisterResponder(http.MethodGet, "https://provider.example/q", httpmock.NewStringResponder(503, ""))
	mock.RegisterResponder(http.MethodPost, "https://provider.example/pay", httpmock.NewStringResponder(200, "{}"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	deadline, stop := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer stop()
	for _, tc := range []struct {
		ctx  context.Context
		want error
	}{{ctx, context.Canceled}, {deadline, context.DeadlineExceeded}} {
		for _, req := range []*Request{
			{Op: "query", Method: http.MethodGet, Path: "/q"},
			{Op: "payin", Method: http.MethodPost, Path: "/pay", Body: []byte(`{}`), Create: true, OrderID: "ORDER1"},
		} {
			_, err := c.Do(tc.ctx, req)
			require.ErrorIs(t, err, tc.want, req.Op)
			require.ErrorIs(t, err, paygate.ErrNotSent, req.Op)
			require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown, req.Op)
			require.Equal(t, paygate.OutcomeNotSent, paygate.ClassifyOutcome(err), req.Op)
		}
	}
	require.Zero(t, mock.GetTotalCallCount())
}

func TestBodyLimit(t *testing.T) {
	c, mock := newMocked(t)
	mock.RegisterResponder(http.MethodGet, "https://provider.example/big",
		httpmock.NewBytesResponder(200, make([]byte, MaxResponseBytes+1)))
	mock.RegisterResponder(http.MethodGet, "https://provider.example/full",
		httpmock.NewBytesResponder(200, make([]byte, MaxResponseBytes)))
	_, err := c.Do(context.Background(), &Request{Op: "query", Method: http.MethodGet, Path: "/big"})
	require.ErrorIs(t, err, paygate.ErrMalformedResponse)
	require.ErrorContains(t, err, "over 1048576 bytes")
	require.Equal(t, 1, mock.GetTotalCallCount(), "an oversized answer is not asked for again")
	resp, err := c.Do(context.Background(), &Request{Op: "query", Method: http.MethodGet, Path: "/full"})
	require.NoError(t, err)
	require.Len(t, resp.Body, MaxResponseBytes)
}

// TestBackoff: the wait before attempt n+1 doubles from MinWait up to MaxWait, its second half
// random, never under MinWait.
func TestBackoff(t *testing.T) {
	p := paygate.RetryPolicy{MaxAttempts: 10, MinWait: 200 * time.Millisecond, MaxWait: 5 * time.Second}
	tests := []struct {
		n        int
		min, max time.Duration
	}{
		{1, 200 * time.Millisecond, 200 * time.Millisecond},
		{2, 200 * time.Millisecond, 400 * time.Millisecond},
		{3, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, 1600 * time.Millisecond, 3200 * time.Millisecond},
		{6, 2500 * time.Millisecond, 5 * time.Second},
		{40, 2500 * time.Millisecond, 5 * time.Second},
	}
	for _, tt := range tests {
		for range 200 {
			d := backoff(p, tt.n)
			require.GreaterOrEqual(t, d, tt.min, "attempt %d", tt.n)
			require.Less(t, d, tt.max+1, "attempt %d", tt.n)
		}
	}
	require.Zero(t, backoff(paygate.RetryPolicy{MaxAttempts: 2}, 1), "no waits configured: none")
	short := paygate.RetryPolicy{MaxAttempts: 3, MinWait: 100 * time.Millisecond}
	require.Equal(t, 100*time.Millisecond, backoff(short, 2), "a MaxWait under MinWait is MinWait")
}

// TestBackoffEndsWithContext: a context that ends during the wait between attempts ends Do at
// once with the context's error, and no further attempt is sent.
func TestBackoffEndsWithContext(t *testing.T) {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodGet, "https://provider.example/q", httpmock.NewStringResponder(503, "busy"))
	c := New(Options{Provider: "test", BaseURL: "https://provider.example"}, paygate.Resolve(
		paygate.WithHTTPClient(&http.Client{Transport: mock}),
		paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 3, MinWait: time.Hour, MaxWait: time.Hour})))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, &Request{Op: "query", Method: http.MethodGet, Path: "/q"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, 1, mock.GetTotalCallCount())
}

func TestRateLimitWaitsWithinContext(t *testing.T) {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodGet, "https://provider.example/q", httpmock.NewStringResponder(200, "{}"))
	c := New(Options{Provider: "test", BaseURL: "https://provider.example", RateLimit: 1, Burst: 1},
		paygate.Resolve(paygate.WithHTTPClient(&http.Client{Transport: mock})))
	_, err := c.Do(context.Background(), &Request{Op: "query", Method: http.MethodGet, Path: "/q"})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, &Request{Op: "query", Method: http.MethodGet, Path: "/q"})
	require.Error(t, err, "the second request in the same second waits past the deadline")
	require.Equal(t, 1, mock.GetTotalCallCount())
}

func TestSnippet(t *testing.T) {
	require.Equal(t, "short", Snippet([]byte("short")))
	s := Snippet([]byte(strings.Repeat("é", 300)))
	require.True(t, strings.HasSuffix(s, "…"))
	require.LessOrEqual(t, len(s), SnippetBytes+len("…"))
}

func TestCallerHTTPClientUntouched(t *testing.T) {
	hc := &http.Client{Timeout: 7 * time.Second}
	_ = New(Options{Provider: "test", Timeout: time.Second}, paygate.Resolve(paygate.WithHTTPClient(hc)))
	require.Equal(t, 7*time.Second, hc.Timeout)
}

func TestTransportErrorsHideTheQuery(t *testing.T) {
	c, mock := newMocked(t)
	mock.RegisterNoResponder(httpmock.NewErrorResponder(errors.New("connection reset by peer")))
	_, err := c.Do(context.Background(), &Request{Op: "query", Method: http.MethodGet, Path: "/search",
		Query: map[string][]string{"token": {"TOPSECRETTOKEN"}, "signKey": {"abcdef0123456789"}}})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "TOPSECRETTOKEN")
	require.NotContains(t, err.Error(), "abcdef0123456789")
	require.Contains(t, err.Error(), "/search")
	require.Contains(t, err.Error(), "connection reset by peer")
}

func TestSignEachAttempt(t *testing.T) {
	c, mock := newMocked(t)
	var seen []string
	mock.RegisterResponder(http.MethodGet, "https://provider.example/q", func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Header["nonce"]...)                                             //nolint:staticcheck // checks the case given is kept
		require.Equal(t, []string{"AK"}, r.Header["access_key"], "header case kept as given") //nolint:staticcheck // idem
		return httpmock.NewStringResponse(503, ""), nil
	})
	n := 0
	_, err := c.Do(context.Background(), &Request{Op: "query", Method: http.MethodGet, Path: "/q",
		Header: http.Header{"access_key": {"AK"}},
		Sign: func() http.Header {
			n++
			return http.Header{"nonce": {fmt.Sprint(n)}}
		}})
	require.NoError(t, err)
	require.Equal(t, []string{"1", "2", "3"}, seen, "every attempt signed anew")
}

// TestCreateGETIsNeverReplayed: net/http re-sends a body-less GET on its own when a reused
// keep-alive connection dies after the request was written. A create (CaiPay's pay-in is a
// GET) must reach the provider once, and be outcome-unknown.
func TestCreateGETIsNeverReplayed(t *testing.T) {
	for _, create := range []bool{false, true} {
		var hits atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/warm" {
				_, _ = io.WriteString(w, "{}")
				return
			}
			hits.Add(1)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close() // read the request, then hang up without answering
			}
		}))
		c := New(Options{Provider: "test", BaseURL: srv.URL}, paygate.Resolve(paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 1})))
		ctx := context.Background()
		_, err := c.Do(ctx, &Request{Op: "warm", Method: http.MethodGet, Path: "/warm"}) // a keep-alive connection to reuse
		require.NoError(t, err)
		_, err = c.Do(ctx, &Request{Op: "payin", Method: http.MethodGet, Path: "/payIn",
			Query: map[string][]string{"amount": {"100.00"}}, Create: create, OrderID: "O1"})
		require.Error(t, err)
		if create {
			require.Equal(t, int64(1), hits.Load(), "a create is sent once")
			require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
		} else {
			require.Equal(t, int64(2), hits.Load(), "net/http replays a plain GET: the test reproduces the hazard")
		}
		c.CloseIdleConnections()
		srv.Close()
	}
}

// TestCreateGETWireUnchanged: the non-replayable body of a create GET puts nothing on the wire.
func TestCreateGETWireUnchanged(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		require.Empty(t, body)
		require.Empty(t, r.TransferEncoding)
		require.Empty(t, r.Header.Get("Content-Length"))
		require.Equal(t, "100.00", r.URL.Query().Get("amount"))
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()
	c := New(Options{Provider: "test", BaseURL: srv.URL}, paygate.Resolve())
	defer c.CloseIdleConnections()
	resp, err := c.Do(context.Background(), &Request{Op: "payin", Method: http.MethodGet, Path: "/payIn",
		Query: map[string][]string{"amount": {"100.00"}}, Create: true})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestTimeoutPerAttempt: Options.Timeout bounds each attempt, the response body included, and
// a timed-out read is retried while a timed-out create is outcome-unknown. The error is
// paygate.ErrProviderTimeout, not context.DeadlineExceeded, which says the caller's context
// ended (ClassifyOutcome's "canceled"; a router's "the caller gave up", which spares the
// provider's circuit); when the caller's deadline is what passed, it is DeadlineExceeded. It
// had kept only the transport error's text: it no longer matched net.Error (Timeout) nor
// *url.Error, as every other transport failure of a read does.
func TestTimeoutPerAttempt(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path == "/body" { // headers now, the body never
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"partial":`)
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	s := paygate.Resolve(paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	c := New(Options{Provider: "test", BaseURL: srv.URL, Timeout: 250 * time.Millisecond}, s)
	t.Cleanup(c.CloseIdleConnections)

	tests := []struct {
		name     string
		path     string
		create   bool
		deadline time.Duration // the caller's; zero: none
		calls    int32
	}{
		{"read stalled before headers, retried", "/headers", false, 0, 2},
		{"read stalled in the body, retried", "/body", false, 0, 2},
		{"create stalled, sent once", "/headers", true, 0, 1},
		{"read stalled past the caller's deadline", "/body", false, 50 * time.Millisecond, 1},
		{"create stalled past the caller's deadline", "/headers", true, 50 * time.Millisecond, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls.Store(0)
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			_, err := c.Do(ctx, &Request{Op: "op", Method: http.MethodPost, Path: tt.path,
				Body: []byte(`{}`), Create: tt.create, OrderID: "ORDER1"})
			require.Equal(t, tt.deadline > 0, errors.Is(err, context.DeadlineExceeded), "%v", err)
			require.Equal(t, tt.deadline == 0, errors.Is(err, paygate.ErrProviderTimeout), "%v", err)
			require.Equal(t, tt.create, errors.Is(err, paygate.ErrOutcomeUnknown), "%v", err)
			require.Equal(t, tt.calls, calls.Load())
			if tt.deadline == 0 {
				// Still the transport's error for errors.As: a net.Error whose Timeout is true
				// and, where net/http gives one (no headers came), a *url.Error.
				var ne net.Error
				require.True(t, errors.As(err, &ne) && ne.Timeout(), "%v", err)
				if tt.path == "/headers" {
					var ue *url.Error
					require.ErrorAs(t, err, &ue)
				}
				require.Contains(t, err.Error(), "no answer from the provider within Config.Timeout (250ms)")
			}
		})
	}
}

// TestJSONBodyHeaders: a JSON body is sent with Content-Type and Accept application/json, and
// a provider's own Content-Type is kept as given.
func TestJSONBodyHeaders(t *testing.T) {
	c, mock := newMocked(t)
	var got []http.Header
	mock.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		got = append(got, r.Header.Clone())
		return httpmock.NewStringResponse(200, "{}"), nil
	})
	_, err := c.Do(context.Background(), &Request{Op: "op", Method: http.MethodPost, Path: "/a", Body: []byte(`{}`)})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &Request{Op: "op", Method: http.MethodPost, Path: "/b", Body: []byte(`a=1`),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	require.NoError(t, err)
	require.Equal(t, "application/json", got[0].Get("Content-Type"))
	require.Equal(t, "application/json", got[0].Get("Accept"))
	require.Equal(t, "application/x-www-form-urlencoded", got[1].Get("Content-Type"))
	require.Empty(t, got[1].Get("Accept"))
}

// resettingH2 is an HTTPS provider speaking HTTP/2 that reads each request whole, counts it,
// and then resets its stream with PROTOCOL_ERROR: a provider that took the order and then
// broke. net/http's HTTP/2 client takes that reset for one it may retry, and re-sends a
// request it can rewind. The test client trusts its certificate through roots.
func resettingH2(t *testing.T, hits *atomic.Int32) (baseURL string, roots *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{NextProtos: []string{"h2"}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes cut short by Close
	srv.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){
		"h2": func(_ *http.Server, conn *tls.Conn, _ http.Handler) {
			preface := make([]byte, len(http2.ClientPreface))
			if _, err := io.ReadFull(conn, preface); err != nil {
				return
			}
			fr := http2.NewFramer(conn, conn)
			if fr.WriteSettings() != nil {
				return
			}
			for {
				f, err := fr.ReadFrame()
				if err != nil {
					return
				}
				switch f := f.(type) {
				case *http2.SettingsFrame:
					if !f.IsAck() {
						_ = fr.WriteSettingsAck()
					}
				case *http2.HeadersFrame, *http2.DataFrame:
					if f.Header().Flags.Has(http2.FlagDataEndStream) { // the same bit in HEADERS
						hits.Add(1)
						_ = fr.WriteRSTStream(f.Header().StreamID, http2.ErrCodeProtocol)
					}
				}
			}
		},
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots = x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return srv.URL, roots
}

// TestCreateNeverReplayedOverHTTP2: a create whose HTTP/2 stream is reset after the provider
// read it reaches the provider once and is outcome-unknown, through paygate's own transport
// and through a caller's (WithHTTPClient), HTTP/2 negotiated by net/http or spoken by
// golang.org/x/net/http2. net/http would otherwise re-send it at once, again and again.
func TestCreateNeverReplayedOverHTTP2(t *testing.T) {
	clients := []struct {
		name string
		make func(roots *x509.CertPool) []paygate.Option // nil: paygate's own transport
	}{
		{"paygate's transport", nil},
		{"caller's net/http transport", func(roots *x509.CertPool) []paygate.Option {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}
			return []paygate.Option{paygate.WithHTTPClient(&http.Client{Transport: tr})}
		}},
		{"caller's x/net/http2 transport", func(roots *x509.CertPool) []paygate.Option {
			tr := &http2.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
			return []paygate.Option{paygate.WithHTTPClient(&http.Client{Transport: tr})}
		}},
	}
	requests := []struct {
		name string
		req  Request
	}{
		{"POST with a body", Request{Op: "payout", Method: http.MethodPost, Path: "/payout", Body: []byte(`{"amount":"100.00"}`)}},
		{"GET without a body", Request{Op: "payin", Method: http.MethodGet, Path: "/payIn", Query: url.Values{"amount": {"100.00"}}}},
	}
	for _, cl := range clients {
		for _, rq := range requests {
			t.Run(cl.name+"/"+rq.name, func(t *testing.T) {
				var hits atomic.Int32
				base, roots := resettingH2(t, &hits)
				opts := []paygate.Option{paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond})}
				if cl.make != nil {
					opts = append(opts, cl.make(roots)...)
				}
				c := New(Options{Provider: "test", BaseURL: base, Timeout: time.Second}, paygate.Resolve(opts...))
				t.Cleanup(c.CloseIdleConnections)
				if cl.make == nil {
					c.hc.Transport.(*attemptTransport).base.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: roots}
				}
				req := rq.req
				req.Create, req.OrderID = true, "ORDER1"
				_, err := c.Do(context.Background(), &req)
				require.EqualValues(t, 1, hits.Load(), "the create reached the provider once")
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%v", err)
				require.NotErrorIs(t, err, context.DeadlineExceeded, "the reset ends the call, not the timeout")
			})
		}
	}
}
