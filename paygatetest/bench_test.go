package paygatetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/signing"
)

// cashgitPayInReply is a canned CashGit pay-in answer, so both clients measure themselves,
// not the server.
const cashgitPayInReply = `{"code":200,"message":"订单创建成功","data":{"orderid":"ORDER_20231201001","platform_orderid":"CG202312010001","amount":"100.00","payurl":"https://payment.gateway.com/pay/abc123","qrcode":"https://api.qrserver.com/v1/create-qr-code/?data=x","status":"pending","pay_type":"native","expires_at":"2023-12-01T15:30:00+05:30"},"timestamp":1701422400000}`

// BenchmarkPayInRoundTrip compares a CashGit pay-in through paygate with what a merchant
// would hand-write with net/http and encoding/json (same signer, same server, same run).
// Report: paygate ns/op ÷ handwritten ns/op; target at most 1.3.
func BenchmarkPayInRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, cashgitPayInReply)
	}))
	defer srv.Close()
	const secret = "bench-secret"
	ctx := context.Background()

	b.Run("paygate", func(b *testing.B) {
		gw, err := cashgit.New(paygate.Config{MerchantID: "cgpay", Secret: secret, BaseURL: srv.URL,
			Options: map[string]string{"rate_limit": "0"}})
		if err != nil {
			b.Fatal(err)
		}
		defer gw.CloseIdleConnections()
		req := &paygate.PayInRequest{OrderID: "ORDER_20231201001", Amount: paygate.MustParseMoney("100", paygate.INR),
			NotifyURL: "https://merchant.com/notify", ReturnURL: "https://merchant.com/return", Remark: "game top-up"}
		b.ReportAllocs()
		for b.Loop() {
			res, err := gw.PayIn(ctx, req)
			if err != nil || res.ProviderOrderID == "" {
				b.Fatal(err)
			}
		}
	})

	b.Run("handwritten", func(b *testing.B) {
		// A timeout, as any client a payment depends on must have (paygate sets one too).
		client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: 30 * time.Second}
		defer client.CloseIdleConnections()
		b.ReportAllocs()
		for b.Loop() {
			fields := map[string]string{"appid": "cgpay", "orderid": "ORDER_20231201001", "amount": "100.00",
				"pay_id": "1", "desc": "game top-up", "notify_url": "https://merchant.com/notify",
				"return_url": "https://merchant.com/return"}
			fields["sign"] = signing.KeyParamMD5(fields, secret)
			body, _ := json.Marshal(fields)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/pay", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			raw, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			var env struct {
				Code int `json:"code"`
				Data struct {
					PlatformOrderID string      `json:"platform_orderid"`
					Amount          json.Number `json:"amount"`
					PayURL          string      `json:"payurl"`
					Status          string      `json:"status"`
				} `json:"data"`
			}
			if err := json.Unmarshal(raw, &env); err != nil || env.Code != 200 {
				b.Fatal(fmt.Errorf("%w: %d", err, env.Code))
			}
		}
	})

	// resty alone (paygate's decision: all HTTP goes through resty), with the same timeout: how
	// much of paygate's cost is the HTTP library rather than paygate.
	b.Run("resty", func(b *testing.B) {
		client := resty.NewWithClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}).
			SetTimeout(30 * time.Second).SetBaseURL(srv.URL)
		defer client.GetClient().CloseIdleConnections()
		b.ReportAllocs()
		for b.Loop() {
			fields := map[string]string{"appid": "cgpay", "orderid": "ORDER_20231201001", "amount": "100.00",
				"pay_id": "1", "desc": "game top-up", "notify_url": "https://merchant.com/notify",
				"return_url": "https://merchant.com/return"}
			fields["sign"] = signing.KeyParamMD5(fields, secret)
			body, _ := json.Marshal(fields)
			resp, err := client.R().SetContext(ctx).SetHeader("Content-Type", "application/json").SetBody(body).Post("/api/pay")
			if err != nil {
				b.Fatal(err)
			}
			var env struct {
				Code int `json:"code"`
			}
			if err := json.Unmarshal(resp.Body(), &env); err != nil || env.Code != 200 {
				b.Fatal(err)
			}
		}
	})
}
