package paygatetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
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

const benchSecret = "bench-secret"

// payInClient is one way of sending the same CashGit pay-in: do sends one and fails b on any
// error.
type payInClient struct {
	name string
	do   func(b *testing.B)
}

// payInClients are paygate and what it is measured against, all against srv:
//   - handwritten: net/http and encoding/json with the same signer and a 30 s client timeout,
//     what a merchant writes by hand;
//   - resty: go-resty alone (paygate's decision: all HTTP goes through resty), with the same
//     timeout: how much of paygate's cost is the HTTP library rather than paygate.
func payInClients(b *testing.B, srv *httptest.Server) []payInClient {
	ctx := context.Background()
	gw, err := cashgit.New(paygate.Config{MerchantID: "cgpay", Secret: benchSecret, BaseURL: srv.URL,
		Options: map[string]string{"rate_limit": "0"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(gw.CloseIdleConnections)
	req := &paygate.PayInRequest{OrderID: "ORDER_20231201001", Amount: paygate.MustParseMoney("100", paygate.INR),
		NotifyURL: "https://merchant.com/notify", ReturnURL: "https://merchant.com/return", Remark: "game top-up"}

	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: 30 * time.Second}
	b.Cleanup(hc.CloseIdleConnections)
	rc := resty.NewWithClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}).
		SetTimeout(30 * time.Second).SetBaseURL(srv.URL)
	b.Cleanup(rc.GetClient().CloseIdleConnections)
	signed := func() []byte {
		fields := map[string]string{"appid": "cgpay", "orderid": "ORDER_20231201001", "amount": "100.00",
			"pay_id": "1", "desc": "game top-up", "notify_url": "https://merchant.com/notify",
			"return_url": "https://merchant.com/return"}
		fields["sign"] = signing.KeyParamMD5(fields, benchSecret)
		body, _ := json.Marshal(fields)
		return body
	}

	return []payInClient{
		{"paygate", func(b *testing.B) {
			res, err := gw.PayIn(ctx, req)
			if err != nil || res.ProviderOrderID == "" {
				b.Fatal(err)
			}
		}},
		{"handwritten", func(b *testing.B) {
			r, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/pay", bytes.NewReader(signed()))
			r.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(r)
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
		}},
		{"resty", func(b *testing.B) {
			resp, err := rc.R().SetContext(ctx).SetHeader("Content-Type", "application/json").SetBody(signed()).Post("/api/pay")
			if err != nil {
				b.Fatal(err)
			}
			var env struct {
				Code int `json:"code"`
			}
			if err := json.Unmarshal(resp.Body(), &env); err != nil || env.Code != 200 {
				b.Fatal(err)
			}
		}},
	}
}

func cashgitServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, cashgitPayInReply)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkPayInRoundTrip compares a CashGit pay-in through paygate with what a merchant
// would hand-write with net/http and encoding/json (same signer, same server, same run), and
// with resty alone. Report: paygate ns/op ÷ handwritten ns/op; target at most 1.2.
func BenchmarkPayInRoundTrip(b *testing.B) {
	for _, c := range payInClients(b, cashgitServer(b)) {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.do(b)
			}
		})
	}
}

// BenchmarkPayInRoundTripInterleaved sends the three clients' pay-ins in turn, one of each per
// iteration, and reports each one's median round trip over the hand-written one's: on a busy
// machine the ratio of medians measured side by side moves far less than ns/op measured one
// after the other. On two cores the round trips fall into two modes (for the hand-written
// client about 45 µs and 70 to 90 µs) and the median often sits between them, so it moves
// with the mix from run to run; the first-quartile ratios (-p25) measure the fast mode alone.
func BenchmarkPayInRoundTripInterleaved(b *testing.B) {
	clients := payInClients(b, cashgitServer(b))
	times := make([][]time.Duration, len(clients))
	for _, c := range clients { // warm the connections
		for range 200 {
			c.do(b)
		}
	}
	n := 0
	for b.Loop() {
		for j := range clients {
			i := (n + j) % len(clients)
			start := time.Now()
			clients[i].do(b)
			times[i] = append(times[i], time.Since(start))
		}
		n++
	}
	base := median(times[1])
	b.ReportMetric(float64(base.Nanoseconds()), "handwritten-ns/op")
	b.ReportMetric(float64(median(times[0]))/float64(base), "paygate-x")
	b.ReportMetric(float64(median(times[2]))/float64(base), "resty-x")
	q1 := quantile(times[1], 4)
	b.ReportMetric(float64(quantile(times[0], 4))/float64(q1), "paygate-x-p25")
	b.ReportMetric(float64(quantile(times[2], 4))/float64(q1), "resty-x-p25")
}

func median(d []time.Duration) time.Duration { return quantile(d, 2) }

// quantile is the 1/n-th quantile of d (n 2: the median, n 4: the first quartile).
func quantile(d []time.Duration, n int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/n]
}
