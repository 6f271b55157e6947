package paypro_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paypro"
)

const (
	testMerchant = "M10001"
	testSecret   = "pp-test-secret-7f3a"
	// testNow is the clock every test client reads: timestamp "1724142041682", as in the
	// request example of PayPro's documentation (docs.paypro.tech).
	testMillis = "1724142041682"
)

var testNow = time.UnixMilli(1724142041682)

// recorded is one request the test server saw.
type recorded struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// server is an httptest server that records requests and answers with respond.
type server struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []recorded
	respond http.HandlerFunc
}

func newServer(t testing.TB, respond http.HandlerFunc) *server {
	t.Helper()
	s := &server{respond: respond}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
		s.respond(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

func (s *server) last(t *testing.T) recorded {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotEmpty(t, s.reqs, "no request reached the server")
	return s.reqs[len(s.reqs)-1]
}

// jsonReply answers with body as JSON, HTTP 200.
func jsonReply(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

// ok wraps data in PayPro's accepted envelope.
func ok(data string) http.HandlerFunc {
	return jsonReply(`{"msg":"success","code":"0000","timestamp":1729945579983,"success":true,"data":` + data + `}`)
}

var fastRetry = paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})

func testConfig(url string) paygate.Config {
	return paygate.Config{Provider: "paypro", BaseURL: url, MerchantID: testMerchant, Secret: testSecret}
}

func newClient(t testing.TB, s *server, mutate func(*paygate.Config), opts ...paygate.Option) *paypro.Client {
	t.Helper()
	cfg := testConfig(s.URL)
	if mutate != nil {
		mutate(&cfg)
	}
	opts = append([]paygate.Option{paygate.WithHTTPClient(s.Client()), paygate.WithClock(func() time.Time { return testNow }), fastRetry}, opts...)
	c, err := paypro.New(cfg, opts...)
	require.NoError(t, err)
	return c
}

// md5Sign recomputes PayPro's sign by hand: the keys in ASCII order, sign and empty values
// skipped, "k=v" with no separator, the secret appended, lowercase hex MD5.
func md5Sign(fields map[string]string, secret string) string {
	keys := make([]string, 0, len(fields))
	for k, v := range fields {
		if k != "sign" && v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + fields[k])
	}
	sum := md5.Sum([]byte(b.String() + secret))
	return hex.EncodeToString(sum[:])
}

// requireSent checks the request: POST to path, merchantNo header, JSON body with exactly want
// plus timestamp and a sign that verifies. Every value must be a JSON string.
func requireSent(t *testing.T, got recorded, path string, want map[string]string) {
	t.Helper()
	require.Equal(t, http.MethodPost, got.Method)
	require.Equal(t, path, got.Path)
	require.Equal(t, testMerchant, got.Header.Get("merchantNo"))
	require.Contains(t, got.Header.Get("Content-Type"), "application/json")
	var body map[string]string // every value a string: a number would fail to decode here
	require.NoError(t, json.Unmarshal(got.Body, &body), "body %s", got.Body)
	sign := body["sign"]
	require.Len(t, sign, 32)
	require.Equal(t, strings.ToLower(sign), sign, "sign is lowercase hex")
	require.Equal(t, md5Sign(body, testSecret), sign, "sign recomputed by hand")
	delete(body, "sign")
	require.Equal(t, testMillis, body["timestamp"])
	delete(body, "timestamp")
	require.Equal(t, want, body)
}

func money(s string) paygate.Money { return paygate.MustParseMoney(s, paygate.INR) }

func payInRequest() *paygate.PayInRequest {
	return &paygate.PayInRequest{
		OrderID: "00000007", Amount: money("300"),
		Customer:  paygate.Customer{Name: "abc", Email: "abc@gmail.com", Phone: "918234567890", IP: "14.155.28.59"},
		NotifyURL: "https://merchant.example/notify?a=1&b=2", ReturnURL: "http://abc.com/callback_page", Remark: "000000",
	}
}

func payOutRequest() *paygate.PayOutRequest {
	return &paygate.PayOutRequest{
		OrderID: "123231222", Amount: money("300.00"),
		Beneficiary: paygate.Beneficiary{Name: "abc", AccountNumber: "10094038292", IFSC: "IDFB0043121",
			BankCode: "IDFB", Email: "abc@gmail.com", Phone: "+91 82345 67890"},
		NotifyURL: "https://merchant.example/payout", Remark: "000000",
	}
}
