package sandbox_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/caipay" // registers the providers with paygate.New
	_ "github.com/paygate-go/paygate/cashgit"
	_ "github.com/paygate-go/paygate/cashy"
	_ "github.com/paygate-go/paygate/deekpay"
	"github.com/paygate-go/paygate/paygatetest"
	_ "github.com/paygate-go/paygate/paypro"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

// world is a cluster of every fake, its dashboard on a test server, and a merchant whose
// webhook.Handler takes each provider's callbacks.
type world struct {
	cluster  *sandbox.Cluster
	dash     *httptest.Server
	merchant *httptest.Server
	gws      map[string]paygate.Gateway

	mu  sync.Mutex
	got []*paygate.Callback // callbacks the merchant's function accepted
}

func newWorld(t *testing.T, opts ...sandbox.Option) *world {
	t.Helper()
	c, err := sandbox.NewCluster(nil, append([]sandbox.Option{sandbox.WithMinute(time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	w := &world{cluster: c, gws: map[string]paygate.Gateway{}}
	w.dash = httptest.NewServer(c.Dashboard())
	t.Cleanup(w.dash.Close)
	mux := http.NewServeMux()
	for _, s := range c.Servers() {
		cfg := s.Config()
		cfg.Timeout = 2 * time.Second
		gw, err := paygate.New(cfg)
		require.NoError(t, err)
		w.gws[s.Provider()] = gw
		// CaiPay and PayPro callbacks are confirmed by a query where webhook supports it; the
		// sandbox answers those queries too.
		mux.Handle("/callbacks/"+s.Provider(), webhook.Handler(gw, func(_ context.Context, cb *paygate.Callback) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.got = append(w.got, cb)
			return nil
		}))
	}
	w.merchant = httptest.NewServer(mux)
	t.Cleanup(w.merchant.Close)
	return w
}

// callbacks returns the callbacks the merchant accepted so far.
func (w *world) callbacks() []*paygate.Callback {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*paygate.Callback(nil), w.got...)
}

// payIn creates a pay-in through the SDK with the merchant's notify URL.
func (w *world) payIn(t *testing.T, provider string) *paygate.PayInResult {
	t.Helper()
	res, err := w.tryPayIn(t, provider)
	require.NoError(t, err)
	return res
}

func (w *world) tryPayIn(t *testing.T, provider string) (*paygate.PayInResult, error) {
	t.Helper()
	fx := paygatetest.Fixtures(w.gws[provider].Capabilities().Currency)
	req := fx.PayIn()
	req.OrderID = paygatetest.OrderID("SB")
	req.Amount = paygate.MustParseMoney(fx.Amount, fx.Currency)
	req.NotifyURL = w.merchant.URL + "/callbacks/" + provider
	res, err := w.gws[provider].PayIn(context.Background(), req)
	if res == nil {
		res = &paygate.PayInResult{OrderID: req.OrderID}
	}
	return res, err
}

// payOut creates a pay-out through the SDK with the merchant's notify URL.
func (w *world) payOut(t *testing.T, provider string) *paygate.PayOutResult {
	t.Helper()
	fx := paygatetest.Fixtures(w.gws[provider].Capabilities().Currency)
	req := fx.PayOut()
	req.OrderID = paygatetest.OrderID("SO")
	req.Amount = paygate.MustParseMoney(fx.Amount, fx.Currency)
	req.NotifyURL = w.merchant.URL + "/callbacks/" + provider
	res, err := w.gws[provider].PayOut(context.Background(), req)
	require.NoError(t, err)
	return res
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get fetches u and returns the status and body.
func get(t *testing.T, u string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// post sends a form (or, with contentType set, a body) to u and returns the answer.
func post(t *testing.T, u, contentType, body string) (*http.Response, string) {
	t.Helper()
	if contentType == "" {
		contentType = "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, u, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}
