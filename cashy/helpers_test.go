package cashy_test

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashy"
)

const (
	testMerchant = "1002001"
	testSecret   = "test-secret-cashy-5f1c"
	testAPIKey   = "test-api-key-cashy-9d2e"
	testNonce    = "1863484722378907648"
)

// testNow is the clock every test client reads.
var testNow = time.Date(2024, 12, 2, 7, 0, 0, 0, time.UTC)

// fastRetry keeps retried reads quick: two attempts, milliseconds apart.
var fastRetry = paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})

// sum is Cashy's Sign computed independently of the package: upper-case hex MD5 of the body
// bytes followed by the secret.
func sum(body []byte, secret string) string {
	h := md5.Sum(append(append([]byte(nil), body...), secret...))
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// seen is one request the test server received.
type seen struct {
	method, path string
	header       http.Header
	body         []byte
}

// server is an httptest server that records requests and answers with reply.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []seen
	reply func(w http.ResponseWriter, r *http.Request)
}

func (s *server) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

// only returns the one request the server saw.
func (s *server) only(t *testing.T) seen {
	t.Helper()
	reqs := s.requests()
	require.Len(t, reqs, 1)
	return reqs[0]
}

// answer replies with status and body.
func answer(status int, contentType, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// ok answers an envelope with HTTP 200.
func ok(body string) func(http.ResponseWriter, *http.Request) {
	return answer(http.StatusOK, "application/json;charset=utf-8", body)
}

// hang blocks until the client gives up.
func hang(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

// setup returns a client for a fresh test server answering with reply.
func setup(t *testing.T, reply func(http.ResponseWriter, *http.Request), mod func(*paygate.Config), opts ...paygate.Option) (*cashy.Client, *server) {
	t.Helper()
	s := &server{reply: reply}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
		s.mu.Unlock()
		s.reply(w, r)
	}))
	t.Cleanup(s.Close)
	cfg := paygate.Config{Provider: cashy.Name, BaseURL: s.URL, MerchantID: testMerchant, APIKey: testAPIKey,
		Secret: testSecret, Timeout: 2 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	all := append([]paygate.Option{
		paygate.WithHTTPClient(s.Client()), fastRetry,
		paygate.WithNonce(func() string { return testNonce }),
		paygate.WithClock(func() time.Time { return testNow }),
	}, opts...)
	c, err := cashy.New(cfg, all...)
	require.NoError(t, err)
	return c, s
}

// requireSigned checks method, path, headers and that Sign is the MD5 of the very bytes the
// server received.
func requireSigned(t *testing.T, r seen, path string) {
	t.Helper()
	require.Equal(t, http.MethodPost, r.method)
	require.Equal(t, path, r.path)
	require.Equal(t, testMerchant, r.header.Get("MerchantId"))
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	require.Equal(t, sum(r.body, testSecret), r.header.Get("Sign"))
	require.Regexp(t, `^[0-9A-F]{32}$`, r.header.Get("Sign"))
}

func pkr(s string) paygate.Money { return paygate.MustParseMoney(s, paygate.PKR) }

// payInReq is the request example of Cashy's documentation (docs.cashypro.com) as a
// PayInRequest.
func payInReq() *paygate.PayInRequest {
	return &paygate.PayInRequest{
		OrderID: "order000000001", Amount: pkr("100.00"),
		Customer:  paygate.Customer{Name: "test", Phone: "3001234567", Email: "test@gmail.com", IDNumber: "3310401123456"},
		NotifyURL: "https://test.com/payment/cashy/payIn/callback", Remark: "PayIn", ExpiresIn: 10 * time.Hour,
	}
}

func payOutReq() *paygate.PayOutRequest {
	return &paygate.PayOutRequest{
		OrderID: "PO20241202001", Amount: pkr("500.00"),
		Beneficiary: paygate.Beneficiary{Name: "Ali Khan", AccountNumber: "03001234567", BankCode: "1",
			AccountType: "EASYPAISA", Phone: "3001234567"},
		NotifyURL: "https://merchant.com/webhooks/payout", Remark: "salary",
	}
}

// The documents' answers.
const (
	payInOK = `{"msg":"SUCCESS","code":200,"data":{"merchantId":"1002001","mchOrderNo":"order000000001",` +
		`"orderNo":"PAYINxxxxxxxxx00000000001","payCode":"646012000000015942","payUrl":null,` +
		`"payDeskUrl":"https://xxx.com/pay/PAYIN8232154612109344768","amount":100}}`
	payOutOK = `{"msg":"SUCCESS","code":200,"data":{"merchantId":"1002001","mchOrderNo":"PO20241202001",` +
		`"orderNo":"PAYOUT8551843837024990001","amount":"500.00","fee":"30.00","orderStatus":"PROCESSING"}}`
	queryInOK = `{"msg":"SUCCESS","code":200,"data":{"merchantId":"1002001","mchOrderNo":"1386556575370063873",` +
		`"orderNo":"PAYIN8551843837024997376","payType":"43","payCode":"",` +
		`"payUrl":"https://m.dana.id/link/pay?bizNo=202412021112128001101660361270",` +
		`"payDeskUrl":"https://idpaydesk2.brcashypro.com/views/pay.html?PAYIN8551843837024997376",` +
		`"amount":"20000","fee":"1700","orderStatus":"SUCCESS","completionTime":"2024-12-02 15:40:50","nonceStr":null}}`
	queryInPaying = `{"msg":"SUCCESS","code":200,"data":{"merchantId":"1002001","mchOrderNo":"1386556575370063873",` +
		`"orderNo":"PAYIN8551843837024997376","payType":"43","payCode":"","amount":"20000","fee":"1700",` +
		`"orderStatus":"PAYING","completionTime":null,"nonceStr":null}}`
	queryOutOK = `{"msg":"SUCCESS","code":200,"data":{"merchantId":"1002001","mchOrderNo":"PO20241202001",` +
		`"orderNo":"PAYOUT8551843837024990001","channelOrderNo":"EP2024120200017","amount":"500.00","fee":"30.00",` +
		`"orderStatus":"CANCEL","completionTime":"2024-12-02 23:59:59","accountNo":"03001234567"}}`
	balanceOK = `{"msg":"SUCCESS","code":200,"data":{"merchantId":"1002001","balance":"12345.67","unBalance":1000.5}}`
	refused   = `{"msg":"Sign_verify_error","code":500}`
)
