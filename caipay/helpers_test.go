package caipay_test

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/caipay"
)

const (
	// testToken is the token of the callback samples in CaiPay's API document, used as the test
	// client's APIKey.
	testToken  = "4f44347e81987f3325ef8c0f3df366b7b1f365883929127a9e207ba0bc94a46f3e5d9f2d71870a1d0050f43f1806126f"
	testTenant = "1919668884792586242"
	testSecret = "caipay-test-secret-7f3a"
	// docSignKey is the signKey printed in CaiPay's API document's callback samples (secret
	// unknown).
	docSignKey = "4aa177240e759e3c7cd5e4a3549e1fec"
)

// fastRetry keeps retried reads quick.
var fastRetry = paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})

// md5hex is the reference MD5, straight from the standard library.
func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// seen is one request as the server received it.
type seen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// fakeAPI is an httptest server that records every request and answers with handler.
type fakeAPI struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newAPI(t *testing.T, handler http.HandlerFunc) *fakeAPI {
	t.Helper()
	a := &fakeAPI{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.reqs = append(a.reqs, seen{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		a.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(a.Close)
	return a
}

// calls is how many requests reached the server.
func (a *fakeAPI) calls() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.reqs)
}

// last is the last request the server received.
func (a *fakeAPI) last(t *testing.T) seen {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	require.NotEmpty(t, a.reqs, "no request reached the server")
	return a.reqs[len(a.reqs)-1]
}

// answer replies with status and body, as JSON.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func testConfig(baseURL string) paygate.Config {
	return paygate.Config{Provider: caipay.Name, BaseURL: baseURL, MerchantID: testTenant, APIKey: testToken, Secret: testSecret}
}

// newClient is a client of a; opts come after the fast retry policy.
func newClient(t *testing.T, a *fakeAPI, opts ...paygate.Option) *caipay.Client {
	t.Helper()
	c, err := caipay.New(testConfig(a.URL), append([]paygate.Option{fastRetry}, opts...)...)
	require.NoError(t, err)
	return c
}

func inr(s string) paygate.Money { return paygate.MustParseMoney(s, paygate.INR) }

func payInRequest(orderID, amount string, direct bool) *paygate.PayInRequest {
	return &paygate.PayInRequest{
		OrderID: orderID, Amount: inr(amount), NotifyURL: "https://merchant.example/cb",
		Customer: paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com", Phone: "9876543210"},
		Direct:   direct,
	}
}

func payOutRequest() *paygate.PayOutRequest {
	return &paygate.PayOutRequest{
		OrderID: "TEST123456789", Amount: inr("100"), NotifyURL: "https://merchant.example/cb",
		Beneficiary: paygate.Beneficiary{Name: "Asha Rao", AccountNumber: "123456789012", IFSC: "SBIN0001234",
			Email: "asha.rao@gmail.com", Phone: "9876543210"},
	}
}

// testdata reads a file of internal/testdata/caipay.
func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "caipay", name))
	require.NoError(t, err)
	return b
}

// roundTrip is an http.RoundTripper from a function: no network at all.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// respond is an HTTP response with a JSON body.
func respond(status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body))}
}
