package webhook_test

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/sandbox"
)

// serve starts h on a real server on 127.0.0.1, closed when the test ends. The server's own
// error log (a panicking handler) is silenced.
func serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// reply is what the server answered.
type reply struct {
	status int
	header http.Header
	body   string
}

// send makes one request; it is safe to call from any goroutine. A nil body with chunked
// sends an empty body; chunked hides the length so the server must count.
func send(ctx context.Context, srv *httptest.Server, method, path string, header http.Header, body []byte, chunked bool) (reply, error) {
	var rd io.Reader = bytes.NewReader(body)
	if chunked {
		rd = io.MultiReader(rd) // not a type http.NewRequest can measure
	}
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, rd)
	if err != nil {
		return reply{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}, nil
}

// post sends a callback and fails the test if it cannot.
func post(t testing.TB, srv *httptest.Server, path string, header http.Header, body []byte) reply {
	t.Helper()
	r, err := send(t.Context(), srv, http.MethodPost, path, header, body, false)
	require.NoError(t, err)
	return r
}

// requireAck checks that r is exactly ack.
func requireAck(t testing.TB, ack paygate.Ack, r reply) {
	t.Helper()
	code := ack.StatusCode
	if code == 0 {
		code = http.StatusOK
	}
	require.Equal(t, code, r.status, "ack status (body %q)", r.body)
	if ack.ContentType != "" {
		require.Equal(t, ack.ContentType, r.header.Get("Content-Type"), "ack content type")
	}
	require.Equal(t, ack.Body, r.body, "ack body")
}

// recorder counts and keeps the callbacks fn is given; fail decides the error of call n
// (1-based).
type recorder struct {
	mu        sync.Mutex
	cbs       []*paygate.Callback
	providers []string
	fail      func(n int, cb *paygate.Callback) error
	delay     time.Duration
}

func (r *recorder) fn(ctx context.Context, cb *paygate.Callback) error {
	return r.mux(ctx, "", cb)
}

func (r *recorder) mux(_ context.Context, provider string, cb *paygate.Callback) error {
	r.mu.Lock()
	r.cbs = append(r.cbs, cb)
	r.providers = append(r.providers, provider)
	n, fail := len(r.cbs), r.fail
	r.mu.Unlock()
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	if fail != nil {
		return fail(n, cb)
	}
	return nil
}

func (r *recorder) n() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.cbs)
}

func (r *recorder) last() *paygate.Callback {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cbs) == 0 {
		return nil
	}
	return r.cbs[len(r.cbs)-1]
}

// clock is a settable time source for dedupers, so expiry is tested without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lockedBuffer is a log sink written by server goroutines and read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// atSandbox starts provider's fake for the test and returns it with a Gateway pointed at it.
func atSandbox(t *testing.T, provider string) (*sandbox.Server, paygate.Gateway) {
	t.Helper()
	sb, err := sandbox.New(provider, paygate.Config{Provider: provider, MerchantID: "M10001", APIKey: "test-api-key",
		Secret: "webhook-secret-" + provider})
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	gw, err := paygate.New(sb.Config())
	require.NoError(t, err)
	return sb, gw
}
