package webhook_test

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paygate-go/paygate/webhook"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/signing"
)

// cashgitCase is CashGit in the TestGateways table: a pay-in callback as CashGit's API document
// shows it (paytime a JSON number, signed as its text), signed with the documented key_param
// style.
func cashgitCase(t *testing.T) gatewayCase {
	t.Helper()
	const secret = "cashgit-test-secret"
	gw, err := cashgit.New(paygate.Config{Provider: cashgit.Name, MerchantID: "10001", Secret: secret})
	require.NoError(t, err)
	t.Cleanup(gw.CloseIdleConnections)

	base := map[string]string{
		"appid": "10001", "orderid": "ORD-20250101-0001", "platform_orderid": "CG202501010001",
		"amount": "500.00", "status": "success", "utr": "412345678901", "paytime": "1735689600000",
	}
	// body writes fields as JSON, paytime as a number, signed with secret unless sign is set.
	body := func(f map[string]string, secret string) []byte {
		f = maps.Clone(f)
		if _, ok := f["sign"]; !ok {
			f["sign"] = signing.KeyParamMD5(f, secret)
		}
		paytime := f["paytime"]
		delete(f, "paytime")
		b, err := json.Marshal(f)
		require.NoError(t, err)
		return fmt.Appendf(b[:len(b)-1], `,"paytime":%s}`, paytime)
	}
	header := http.Header{"Content-Type": {"application/json"}}
	edit := func(change func(f map[string]string), signWith string) func(http.Header, []byte) (http.Header, []byte) {
		return func(h http.Header, _ []byte) (http.Header, []byte) {
			f := maps.Clone(base)
			if signWith == "" { // sign the original, then change: a tampered body
				f["sign"] = signing.KeyParamMD5(f, secret)
			}
			change(f)
			return h, body(f, signWith)
		}
	}
	return gatewayCase{
		name: cashgit.Name,
		gw:   gw,
		good: func() (http.Header, []byte) { return header.Clone(), body(base, secret) },
		tampers: []tamper{
			{"forged with another secret", edit(func(map[string]string) {}, "guessed-secret")},
			{"amount changed after signing", edit(func(f map[string]string) { f["amount"] = "50000.00" }, "")},
			{"status changed after signing", edit(func(f map[string]string) { f["status"] = "failed" }, "")},
			{"paytime changed after signing", edit(func(f map[string]string) { f["paytime"] = "1735689600001" }, "")},
			{"sign missing", edit(func(f map[string]string) { f["sign"] = "" }, "")},
			{"another merchant's callback", edit(func(f map[string]string) { f["appid"] = "10002" }, secret)},
		},
	}
}

// cashgitPayOut is CashGit's pay-out callback and pay-out query answer exactly as CashGit's
// API document gives them: amount 500.00, fee 10.00, actual_amount 490.00 (what reached the
// beneficiary: amount less fee).
func cashgitPayOut(t *testing.T) (paygate.Gateway, []byte) {
	t.Helper()
	const secret = "cashgit-test-secret"
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path != "/api/payout/query" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"code":200,"message":"查询成功","data":{"orderid":"PAYOUT_20231201001",`+
			`"platform_orderid":"PO202312010001","amount":"500.00","fee":"10.00","actual_amount":"490.00",`+
			`"status":"success","account_name":"Rajesh Kumar","account_number":"1234567890123456",`+
			`"ifsc":"SBIN0001234","utr":"341234567891","desc":"游戏提现","created_at":1701421800000,`+
			`"completed_at":1701422400000},"timestamp":1701422400000}`)
	}))
	t.Cleanup(api.Close)
	gw, err := cashgit.New(paygate.Config{Provider: cashgit.Name, BaseURL: api.URL, MerchantID: "cgpay", Secret: secret,
		Options: map[string]string{"rate_limit": "0"}})
	require.NoError(t, err)
	t.Cleanup(gw.CloseIdleConnections)

	f := map[string]string{"orderid": "PAYOUT_20231201001", "platform_orderid": "PO202312010001", "amount": "500.00",
		"fee": "10.00", "actual_amount": "490.00", "status": "success", "utr": "341234567891"}
	signed := maps.Clone(f)
	signed["completed_at"] = "1701422400000"
	f["sign"] = signing.KeyParamMD5(signed, secret)
	b, err := json.Marshal(f)
	require.NoError(t, err)
	return gw, fmt.Appendf(b[:len(b)-1], `,"completed_at":1701422400000}`)
}

// TestCashGitPayOutAmountConfirmed: one CashGit pay-out callback reaches fn with the same
// Amount whether or not the handler confirms it by query. Callback.Amount is CashGit's
// "amount" (500.00, fee 10.00); the confirmed copy took Order.ActualAmount, which for a
// CashGit pay-out is actual_amount, the net 490.00, with Fee still 10.00: fn booked 490 + 10
// for a 500 pay-out. It follows Order.CallbackAmount now.
func TestCashGitPayOutAmountConfirmed(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []webhook.Option
	}{
		{"unconfirmed", nil},
		{"confirmed", []webhook.Option{webhook.WithConfirm()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw, body := cashgitPayOut(t)
			parsed, err := gw.ParseCallback(nil, body)
			require.NoError(t, err)
			require.Equal(t, "500.00 INR", parsed.Amount.String())

			rec := &recorder{}
			srv := serve(t, webhook.Handler(gw, rec.fn, tc.opts...))
			r := post(t, srv, "/", http.Header{"Content-Type": {"application/json"}}, body)
			require.Equal(t, http.StatusOK, r.status, r.body)
			require.Equal(t, 1, rec.n())
			cb := rec.last()
			require.Equal(t, paygate.KindPayOut, cb.Kind)
			require.Equal(t, "10.00 INR", cb.Fee.String())
			require.Equal(t, parsed.Amount.String(), cb.Amount.String(),
				"fn must see the pay-out's amount, not the net actual_amount")
		})
	}
}
