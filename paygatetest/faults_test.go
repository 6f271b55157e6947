package paygatetest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// fault is one way a provider's server misbehaves.
type fault struct {
	name    string
	handler func(w http.ResponseWriter, r *http.Request, release <-chan struct{})
	// malformed: the answer arrived but could not be read (reads: ErrMalformedResponse).
	malformed bool
}

var faults = []fault{
	{name: "timeout before headers", handler: func(_ http.ResponseWriter, r *http.Request, release <-chan struct{}) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}},
	{name: "reset mid-body", handler: func(w http.ResponseWriter, _ *http.Request, _ <-chan struct{}) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"code\":")
		_ = buf.Flush()
		if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
			_ = tc.SetLinger(0) // RST, not FIN
		}
		_ = conn.Close()
	}},
	{name: "truncated JSON", malformed: true, handler: func(w http.ResponseWriter, _ *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"code":200,"msg":"SUCCESS","data":{"orderNo":"P1","amount":"1`))
	}},
	{name: "HTML error page", malformed: true, handler: func(w http.ResponseWriter, _ *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>" + strings.Repeat(" ", 600) + "</body></html>"))
	}},
	{name: "200 with empty body", malformed: true, handler: func(w http.ResponseWriter, _ *http.Request, _ <-chan struct{}) {
		w.WriteHeader(http.StatusOK)
	}},
	{name: "body over 1 MiB", malformed: true, handler: func(w http.ResponseWriter, _ *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"code":200,"data":"`))
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range 40 { // 2.5 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(`"}`))
	}},
	{name: "101 switching protocols, connection held open", malformed: true, handler: func(w http.ResponseWriter, _ *http.Request, release <-chan struct{}) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: json\r\n\r\n{\"code\":")
		_ = buf.Flush()
		go func() { <-release; _ = conn.Close() }()
		_, _ = io.Copy(io.Discard, conn) // until the client hangs up
	}},
	{name: "slow body past the deadline", handler: func(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"code":`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}},
}

// operation is one Gateway call the fault tests drive.
type operation struct {
	name   string
	create bool
	call   func(ctx context.Context, gw paygate.Gateway, fx paygatetest.Fixture) error
}

func operations(caps paygate.Capabilities) []operation {
	amount := func(fx paygatetest.Fixture) paygate.Money { return paygate.MustParseMoney(fx.Amount, fx.Currency) }
	ops := []operation{
		{name: "payin", create: true, call: func(ctx context.Context, gw paygate.Gateway, fx paygatetest.Fixture) error {
			req := fx.PayIn()
			req.OrderID, req.Amount, req.NotifyURL = paygatetest.OrderID("F"), amount(fx), "https://merchant.example/cb"
			_, err := gw.PayIn(ctx, req)
			return err
		}},
		{name: "query", call: func(ctx context.Context, gw paygate.Gateway, _ paygatetest.Fixture) error {
			_, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "F1234567", ProviderOrderID: "P1234567"})
			return err
		}},
	}
	if caps.PayOut {
		ops = append(ops, operation{name: "payout", create: true, call: func(ctx context.Context, gw paygate.Gateway, fx paygatetest.Fixture) error {
			req := fx.PayOut()
			req.OrderID, req.Amount, req.NotifyURL = paygatetest.OrderID("F"), amount(fx), "https://merchant.example/cb"
			_, err := gw.PayOut(ctx, req)
			return err
		}})
	}
	if caps.Balance {
		ops = append(ops, operation{name: "balance", call: func(ctx context.Context, gw paygate.Gateway, _ paygatetest.Fixture) error {
			_, err := gw.Balance(ctx)
			return err
		}})
	}
	return ops
}

// TestFaults drives every operation of every provider against a misbehaving loopback server.
// Every failure is a typed error; a create is never re-sent and is ErrOutcomeUnknown; no
// goroutine outlives the test (TestMain runs goleak).
func TestFaults(t *testing.T) {
	for _, name := range sandbox.Providers() {
		t.Run(name, func(t *testing.T) {
			for _, f := range faults {
				t.Run(f.name, func(t *testing.T) { runFault(t, name, f) })
			}
		})
	}
}

func runFault(t *testing.T, provider string, f fault) {
	var hits sync.Map // path → *atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := hits.LoadOrStore(r.URL.Path, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		f.handler(w, r, release)
	}))
	defer srv.Close()
	defer close(release)

	// The faults that stall need a short deadline to end; the others get a generous one, so a
	// loaded machine cannot turn a malformed answer into a timeout.
	timeout := 5 * time.Second
	if !f.malformed {
		timeout = 300 * time.Millisecond
	}
	gw := newGateway(t, provider, srv.URL, timeout)
	defer closeIdle(gw)
	fx := paygatetest.Fixtures(gw.Capabilities().Currency)
	for _, op := range operations(gw.Capabilities()) {
		t.Run(op.name, func(t *testing.T) {
			hits.Clear()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := op.call(ctx, gw, fx)
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), "paygate: "+provider), "error names the provider: %v", err)
			require.LessOrEqual(t, len(err.Error()), 1024, "errors quote bodies boundedly")
			if op.create {
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%v", err)
				total := int64(0)
				hits.Range(func(_, v any) bool { total += v.(*atomic.Int64).Load(); return true })
				require.Equal(t, int64(1), total, "a create reaches the server exactly once")
				return
			}
			requireTyped(t, err)
			if f.malformed {
				require.ErrorIs(t, err, paygate.ErrMalformedResponse, "%v", err)
			}
		})
	}
}

// requireTyped asserts err is one of paygate's error types.
func requireTyped(t *testing.T, err error) {
	t.Helper()
	var (
		ce *paygate.CallError
		re *paygate.ResponseError
		pe *paygate.ProviderError
	)
	require.True(t, errors.As(err, &ce) || errors.As(err, &re) || errors.As(err, &pe), "untyped error %T: %v", err, err)
}

// newGateway builds provider's Gateway against baseURL with fast retries and no rate limit.
func newGateway(t testing.TB, provider, baseURL string, timeout time.Duration, opts ...paygate.Option) paygate.Gateway {
	t.Helper()
	cfg := testConfig(provider)
	cfg.BaseURL, cfg.Timeout = baseURL, timeout
	opts = append([]paygate.Option{paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})}, opts...)
	gw, err := paygate.New(cfg, opts...)
	require.NoError(t, err)
	return gw
}

func testConfig(provider string) paygate.Config {
	options := map[string]string{}
	if provider == "cashgit" { // the one provider with a client-side rate limit; others refuse the option
		options["rate_limit"] = "0"
	}
	return paygate.Config{Provider: provider, MerchantID: "M10001", APIKey: "test-api-key-" + provider,
		Secret: "test-secret-" + provider, Options: options}
}

func closeIdle(gw paygate.Gateway) {
	if c, ok := gw.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
