package paygatetest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// canned answers every request with one fuzzed response.
type canned struct {
	status int
	body   []byte
}

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: c.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: r}, nil
}

// FuzzResponses feeds arbitrary provider answers to every response decoder of every provider
// (pay-in, pay-out, query of both kinds, balance): never a panic, and never a success that is
// empty — a result without the provider's order number, or an order without a status.
func FuzzResponses(f *testing.F) {
	for _, s := range []string{
		`{"code":200,"message":"ok","data":{"orderid":"F1234567","platform_orderid":"CG1","amount":"500.00","status":"pending"}}`,
		`{"code":0,"msg":null,"data":{"orderStatus":"PENDING","customerOrderNo":"F1234567","platOrderNo":"1","orderAmount":500,"url":"https://x"},"ok":true}`,
		`{"code":"200","success":true,"msg":"ok","msgEn":"ok","data":[{"orderId":"1","externalOrderId":"F1234567","orderStatus":2,"orderAmount":"500"}]}`,
		`{"msg":"success","code":"0000","timestamp":1729945579983,"success":true,"data":{"platFormTradeNo":"p","status":"0015","paymentLink":"https://x"}}`,
		`{"msg":"SUCCESS","code":200,"data":{"merchantId":"M10001","mchOrderNo":"F1234567","orderNo":"PAYIN1","payCode":"1","amount":500}}`,
		`{"msg":"Payin_Order_Error","code":500}`, `{}`, `null`, `[]`, ``, `<html>502</html>`,
		`{"code":200,"data":{"balance":"1e9999999"}}`,
	} {
		for op := range byte(5) {
			f.Add(byte(0), op, uint16(200), []byte(s))
		}
	}
	providers := sandbox.Providers()
	f.Fuzz(func(t *testing.T, which, op byte, status uint16, body []byte) {
		name := providers[int(which)%len(providers)]
		code := 200
		if status%4 == 3 {
			code = 100 + int(status%500)
		}
		cfg := testConfig(name)
		cfg.BaseURL = "http://provider.invalid"
		gw, err := paygate.New(cfg,
			paygate.WithHTTPClient(&http.Client{Transport: canned{status: code, body: body}}),
			paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("%s op %d took %s on %q", name, op%5, d, body)
			}
		}()
		fx := paygatetest.Fixtures(gw.Capabilities().Currency)
		amount := paygate.MustParseMoney(fx.Amount, fx.Currency)
		switch op % 5 {
		case 0:
			req := fx.PayIn()
			req.OrderID, req.Amount, req.NotifyURL = "F1234567", amount, "https://merchant.example/cb"
			res, err := gw.PayIn(ctx, req)
			if err == nil && res.ProviderOrderID == "" && res.PaymentURL == "" && res.UPIURL == "" {
				t.Fatalf("%s: an empty pay-in success from %q", name, body)
			}
			requireClassified(t, err)
		case 1:
			req := fx.PayOut()
			req.OrderID, req.Amount, req.NotifyURL = "F1234567", amount, "https://merchant.example/cb"
			res, err := gw.PayOut(ctx, req)
			if err == nil && res.ProviderOrderID == "" && res.Status == "" {
				t.Fatalf("%s: an empty pay-out success from %q", name, body)
			}
			requireClassified(t, err)
		case 2, 3:
			kind := paygate.KindPayIn
			if op%5 == 3 {
				kind = paygate.KindPayOut
			}
			o, err := gw.Query(ctx, &paygate.QueryRequest{Kind: kind, OrderID: "F1234567", ProviderOrderID: "P1234567"})
			if err == nil && o.Status == "" {
				t.Fatalf("%s: an order without a status from %q", name, body)
			}
			requireClassified(t, err)
		case 4:
			_, err := gw.Balance(ctx)
			requireClassified(t, err)
		}
	})
}

// requireClassified fails unless err is nil or one of paygate's classified errors.
func requireClassified(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, sentinel := range []error{paygate.ErrOutcomeUnknown, paygate.ErrMalformedResponse, paygate.ErrUnsupported} {
		if errors.Is(err, sentinel) {
			return
		}
	}
	var (
		pe *paygate.ProviderError
		ce *paygate.CallError
	)
	if errors.As(err, &pe) || errors.As(err, &ce) {
		return
	}
	t.Fatalf("unclassified error %T: %v", err, err)
}
