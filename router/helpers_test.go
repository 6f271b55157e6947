package router_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	_ "github.com/paygate-go/paygate/providers" // registers the five providers
	"github.com/paygate-go/paygate/sandbox"
)

// inr are the providers that take Indian rupees; cashy takes Pakistani rupees only.
var inr = []string{"caipay", "cashgit", "deekpay", "paypro"}

// faultKind is how a provider's connection misbehaves on the next creates.
type faultKind int

const (
	faultNone        faultKind = iota
	faultDial                  // not sent: the connection is refused (a closed loopback port)
	faultDropAnswer            // ambiguous: the request reaches the provider, the answer is lost
	faultHTML502               // ambiguous: the request reaches the provider, a proxy answers an HTML 502
	faultTimeout               // ambiguous: the request reaches the provider, no answer before the deadline
	faultRateLimited           // definite refusal: the provider answers its rate-limit refusal
)

func (f faultKind) String() string {
	return [...]string{"none", "dial refused", "answer dropped", "HTML 502", "timeout", "rate limited"}[f]
}

// notSent reports whether the fault provably leaves no order behind.
func (f faultKind) notSent() bool { return f == faultDial || f == faultRateLimited }

// faultRT is one provider's http.RoundTripper: it forwards to a real transport unless a fault
// is set, and counts what it was asked to send.
type faultRT struct {
	provider string
	base     *http.Transport
	closed   *http.Transport // dials a loopback port nobody listens on
	fault    atomic.Int64
	requests atomic.Int64 // every request the client handed over
	sent     sync.Map     // merchant order numbers seen in bodies or queries → true
}

func newFaultRT(t testing.TB, provider string) *faultRT {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedAddr := ln.Addr().String()
	require.NoError(t, ln.Close())
	d := &net.Dialer{Timeout: time.Second}
	rt := &faultRT{
		provider: provider,
		base:     &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4},
		closed: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, closedAddr)
		}},
	}
	t.Cleanup(func() { rt.base.CloseIdleConnections(); rt.closed.CloseIdleConnections() })
	return rt
}

func (f *faultRT) set(k faultKind) { f.fault.Store(int64(k)) }

// saw reports whether a request mentioning orderID was handed to this transport.
func (f *faultRT) saw(orderID string) bool { _, ok := f.sent.Load(orderID); return ok }

func (f *faultRT) RoundTrip(req *http.Request) (*http.Response, error) {
	f.requests.Add(1)
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	text := string(body) + " " + req.URL.RawQuery
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return (r < '0' || r > '9') && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z')
	}) {
		if strings.HasPrefix(w, "RT") {
			f.sent.Store(w, true)
		}
	}
	switch faultKind(f.fault.Load()) {
	case faultDial:
		return f.closed.RoundTrip(req)
	case faultDropAnswer:
		resp, err := f.base.RoundTrip(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		return nil, fmt.Errorf("read tcp: connection reset by peer: %w", io.ErrUnexpectedEOF)
	case faultHTML502:
		resp, err := f.base.RoundTrip(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		return synthetic(req, http.StatusBadGateway, "text/html",
			"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"), nil
	case faultTimeout:
		resp, err := f.base.RoundTrip(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		<-req.Context().Done()
		return nil, req.Context().Err()
	case faultRateLimited:
		return synthetic(req, http.StatusTooManyRequests, "application/json", rateLimitBody[f.provider]), nil
	}
	return f.base.RoundTrip(req)
}

// rateLimitBody is each provider's envelope refusing a request for its rate.
var rateLimitBody = map[string]string{
	"caipay":  `{"code":429,"msg":"Too Many Requests","data":null,"ok":false}`,
	"cashgit": `{"code":429,"message":"请求过频","data":null,"timestamp":1733100000}`,
	"deekpay": `{"code":"429","success":false,"msg":"请求过于频繁","msgEn":"Too many requests","data":null}`,
	"paypro":  `{"code":"429","msg":"Too many requests","success":false,"timestamp":"1733100000000","data":null}`,
	"cashy":   `{"code":429,"msg":"Too_Many_Requests"}`,
}

func synthetic(req *http.Request, code int, contentType, body string) *http.Response {
	return &http.Response{StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {contentType}}, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}
}

// provider is one sandbox and a gateway to it through a faultRT.
type provider struct {
	name string
	cfg  paygate.Config
	sb   *sandbox.Server
	rt   *faultRT
	gw   paygate.Gateway
	fx   paygatetest.Fixture
}

func testConfig(name string) paygate.Config {
	options := map[string]string{}
	if name == "cashgit" { // the one provider with a client-side rate limit; others refuse the option
		options["rate_limit"] = "0"
	}
	return paygate.Config{Provider: name, MerchantID: "M10001", APIKey: "test-api-key-" + name,
		Secret: "test-secret-" + name, Options: options}
}

// startSandbox starts name's sandbox for the test.
func startSandbox(t testing.TB, name string) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.New(name, testConfig(name))
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

// connect builds a gateway to sb through a fresh faultRT.
func connect(t testing.TB, sb *sandbox.Server, timeout time.Duration) *provider {
	t.Helper()
	name := sb.Provider()
	cfg := testConfig(name)
	cfg.BaseURL, cfg.Timeout = sb.URL(), timeout
	rt := newFaultRT(t, name)
	gw, err := paygate.New(cfg, paygate.WithHTTPClient(&http.Client{Transport: rt}),
		paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond}))
	require.NoError(t, err)
	return &provider{name: name, cfg: cfg, sb: sb, rt: rt, gw: gw, fx: paygatetest.Fixtures(gw.Capabilities().Currency)}
}

// orderID returns a fresh order number the faultRT recognizes.
func orderID() string { return paygatetest.OrderID("RT") }

func payIn(p *provider, id string) *paygate.PayInRequest {
	req := p.fx.PayIn()
	req.OrderID, req.Amount, req.NotifyURL = id, paygate.MustParseMoney(p.fx.Amount, p.fx.Currency), "https://merchant.example/cb"
	return req
}

func payOut(p *provider, id string) *paygate.PayOutRequest {
	req := p.fx.PayOut()
	req.OrderID, req.Amount, req.NotifyURL = id, paygate.MustParseMoney(p.fx.Amount, p.fx.Currency), "https://merchant.example/cb"
	return req
}

// holds reports whether p's sandbox has the order.
func (p *provider) holds(t testing.TB, id string) bool {
	t.Helper()
	_, err := p.sb.Order(id)
	if errors.Is(err, sandbox.ErrNoOrder) {
		return false
	}
	require.NoError(t, err)
	return true
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// stub is a Gateway without I/O whose creates answer what the test says.
type stub struct {
	name  string
	caps  paygate.Capabilities
	mu    sync.Mutex
	err   error
	calls int
}

func newStub(name string, currency paygate.Currency) *stub {
	return &stub{name: name, caps: paygate.Capabilities{PayIn: true, PayInDirect: true, PayOut: true,
		QueryPayIn: true, QueryPayOut: true, Balance: true, Callbacks: true, Currency: currency}}
}

func (s *stub) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *stub) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *stub) call() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return s.err
}

func (s *stub) Name() string                       { return s.name }
func (s *stub) Capabilities() paygate.Capabilities { return s.caps }
func (s *stub) PayIn(_ context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	if err := s.call(); err != nil {
		return nil, err
	}
	return &paygate.PayInResult{OrderID: req.OrderID, ProviderOrderID: "P" + req.OrderID, Status: paygate.StatusPending, Amount: req.Amount}, nil
}
func (s *stub) PayOut(_ context.Context, req *paygate.PayOutRequest) (*paygate.PayOutResult, error) {
	if err := s.call(); err != nil {
		return nil, err
	}
	return &paygate.PayOutResult{OrderID: req.OrderID, ProviderOrderID: "P" + req.OrderID, Status: paygate.StatusProcessing, Amount: req.Amount}, nil
}
func (s *stub) Query(_ context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
	return &paygate.Order{Kind: req.Kind, OrderID: req.OrderID, Status: paygate.StatusPending}, nil
}
func (s *stub) Balance(context.Context) (*paygate.Balance, error) {
	return &paygate.Balance{Available: paygate.MustParseMoney("10", s.caps.Currency)}, nil
}
func (s *stub) ParseCallback(http.Header, []byte) (*paygate.Callback, error) {
	return nil, paygate.ErrUnsupported
}

// outcomeUnknown is the error of a create whose answer was lost.
func outcomeUnknown(provider string) error {
	return &paygate.OutcomeError{Provider: provider, Op: "payin", Err: io.ErrUnexpectedEOF}
}

// recorder is an Observer that keeps the routing decisions.
type recorder struct {
	paygate.NopObserver
	mu     sync.Mutex
	events []paygate.RouteEvent
}

func (r *recorder) Route(_ context.Context, e paygate.RouteEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) take() []paygate.RouteEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

func pgxpoolNew(cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return pgxpool.NewWithConfig(ctx, cfg)
}
