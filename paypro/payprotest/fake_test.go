package payprotest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
	"github.com/paygate-go/paygate/paypro/payprotest"
	"github.com/paygate-go/paygate/signing"
)

var payproCfg = paygate.Config{Provider: "paypro", MerchantID: "M10001", Secret: "sandbox-paypro-secret"}

// payproPost signs fields (unless sign is already set), POSTs them to the fake and returns the
// envelope.
func payproPost(t *testing.T, sb *payprotest.Server, merchant, path string, fields map[string]string) map[string]any {
	t.Helper()
	if _, ok := fields["timestamp"]; !ok {
		fields["timestamp"] = strconv.FormatInt(time.Now().UnixMilli(), 10)
	}
	if _, ok := fields["sign"]; !ok {
		fields["sign"] = signing.ConcatMD5(fields, payproCfg.Secret)
	}
	body, err := json.Marshal(fields)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, sb.URL()+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("merchantNo", merchant)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var env map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	return env
}

func payproPayIn(tradeNo string) map[string]string {
	return map[string]string{
		"tradeNo": tradeNo, "amount": "500", "name": "Asha Rao", "mobile": "9876543210", "email": "asha.rao@gmail.com",
		"ipAddress": "203.0.113.7", "notifyUrl": "https://merchant.example/notify", "returnUrl": "https://merchant.example/return",
	}
}

func payproPayOut(tradeNo string) map[string]string {
	return map[string]string{
		"tradeNo": tradeNo, "amount": "500", "name": "Asha Rao", "mobile": "9876543210", "email": "asha.rao@gmail.com",
		"bankNumber": "123456789012", "bankCode": "SBIN0001234", "notifyUrl": "https://merchant.example/notify",
	}
}

// payproWith returns fields with k set to v for each pair; an empty v removes k.
func payproWith(fields map[string]string, kv ...string) map[string]string {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(fields, kv[i])
		} else {
			fields[kv[i]] = kv[i+1]
		}
	}
	return fields
}

func TestPayProFakeRefusals(t *testing.T) {
	sb, err := payprotest.New(payproCfg)
	require.NoError(t, err)
	defer sb.Close()

	env := payproPost(t, sb, "M10001", "/v1/paypro/payin", payproPayIn("PP0001"))
	require.Equal(t, "0000", env["code"])
	data := env["data"].(map[string]any)
	require.Equal(t, "0015", data["status"])
	require.NotEmpty(t, data["platFormTradeNo"])
	require.NotEmpty(t, data["paymentLink"])

	for name, tc := range map[string]struct {
		merchant, path string
		fields         map[string]string
		code           string
	}{
		"duplicate tradeNo": {"M10001", "/v1/paypro/payin", payproPayIn("PP0001"), "1003"},
		"wrong signature": {"M10001", "/v1/paypro/payin",
			payproWith(payproPayIn("PP0002"), "sign", "0123456789abcdef0123456789abcdef"), "1001"},
		"signed by another": {"M10001", "/v1/paypro/payout",
			payproWith(payproPayOut("PO0002"), "sign", signing.ConcatMD5(payproWith(payproPayOut("PO0002"), "timestamp", "1724142041682"), "other"), "timestamp", "1724142041682"), "1001"},
		"unknown merchant":    {"M99999", "/v1/paypro/payin", payproPayIn("PP0003"), "1002"},
		"missing returnUrl":   {"M10001", "/v1/paypro/payin", payproWith(payproPayIn("PP0004"), "returnUrl", ""), "1000"},
		"missing ipAddress":   {"M10001", "/v1/paypro/payinApi", payproWith(payproPayIn("PP0005"), "ipAddress", ""), "1000"},
		"three decimals":      {"M10001", "/v1/paypro/payin", payproWith(payproPayIn("PP0006"), "amount", "500.125"), "1000"},
		"bad mobile":          {"M10001", "/v1/paypro/payin", payproWith(payproPayIn("PP0007"), "mobile", "5876543210"), "1000"},
		"missing bankCode":    {"M10001", "/v1/paypro/payout", payproWith(payproPayOut("PO0008"), "bankCode", ""), "1000"},
		"short timestamp":     {"M10001", "/v1/paypro/queryBalance", map[string]string{"timestamp": "1724142041"}, "1000"},
		"unknown order":       {"M10001", "/v1/paypro/queryPayInResult", map[string]string{"tradeNo": "NOPE"}, "1004"},
		"pay-in is no payout": {"M10001", "/v1/paypro/queryPayOutResult", map[string]string{"tradeNo": "PP0001"}, "1004"},
	} {
		t.Run(name, func(t *testing.T) {
			env := payproPost(t, sb, tc.merchant, tc.path, tc.fields)
			require.Equal(t, tc.code, env["code"], "%v", env)
			require.Equal(t, false, env["success"])
			require.Nil(t, env["data"])
			require.NotEmpty(t, env["msg"])
		})
	}

	env = payproPost(t, sb, "M10001", "/v1/paypro/payout", payproPayOut("PO0001"))
	require.Equal(t, "0000", env["code"], "%v", env)
	env = payproPost(t, sb, "M10001", "/v1/paypro/payout", payproPayOut("PO0001"))
	require.Equal(t, "1003", env["code"], "a duplicate pay-out is refused")
	env = payproPost(t, sb, "M10001", "/v1/paypro/queryBalance", map[string]string{})
	require.Equal(t, "0000", env["code"])
	require.Equal(t, "99500.0000", env["data"].(map[string]any)["availableAmount"])
	require.Equal(t, "500.0000", env["data"].(map[string]any)["freezeAmount"])
}

// TestPayProFakeCallbackRetry: a receiver that fails is retried on the schedule until it answers
// 200 "OK"; an answer of 200 with another body is not an acknowledgement.
func TestPayProFakeCallbackRetry(t *testing.T) {
	var calls atomic.Int32
	bodies := make(chan []byte, 8)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- b
		switch calls.Add(1) {
		case 1:
			http.Error(w, "down", http.StatusInternalServerError)
		case 2:
			_, _ = io.WriteString(w, "success") // not PayPro's ack
		default:
			_, _ = io.WriteString(w, "OK")
		}
	}))
	defer rcv.Close()
	sb, err := payprotest.New(payproCfg, fakeserver.WithMinute(time.Millisecond))
	require.NoError(t, err)
	defer sb.Close()

	f := payproPayIn("PPCB01")
	f["notifyUrl"] = rcv.URL
	require.Equal(t, "0000", payproPost(t, sb, "M10001", "/v1/paypro/payin", f)["code"])
	require.ErrorIs(t, sb.Settle("PPCB01", paygate.StatusSucceeded), fakeserver.ErrNotAcknowledged)
	require.Eventually(t, func() bool {
		d := sb.Deliveries()
		return len(d) == 3 && d[2].Acked
	}, 5*time.Second, 5*time.Millisecond)
	d := sb.Deliveries()
	require.False(t, d[0].Acked)
	require.Equal(t, http.StatusInternalServerError, d[0].StatusCode)
	require.False(t, d[1].Acked)
	require.Equal(t, []int{1, 2, 3}, []int{d[0].Attempt, d[1].Attempt, d[2].Attempt})
	time.Sleep(40 * time.Millisecond)
	require.Len(t, sb.Deliveries(), 3, "no delivery after the acknowledgement")

	// The callback: the documented fields, all strings, signed like a request.
	body := <-bodies
	fields, err := signing.Fields(body)
	require.NoError(t, err)
	require.Equal(t, signing.ConcatMD5(fields, payproCfg.Secret), fields["sign"])
	require.Equal(t, "PPCB01", fields["tradeNo"])
	require.Equal(t, "0000", fields["status"])
	require.Equal(t, "500", fields["amount"])
	require.NotEmpty(t, fields["platFormTradeNo"])
	require.NotEmpty(t, fields["message"])
	require.Len(t, fields["timestamp"], 13)
	require.NotEmpty(t, fields["utr"])
	require.Equal(t, "UPI", fields["channelCode"], "pay-in callbacks carry the pay-in-only fields")
	var typed map[string]any
	require.NoError(t, json.Unmarshal(body, &typed))
	for k, v := range typed {
		require.IsType(t, "", v, "field %s is a string", k)
	}
}

// TestPayProFakeDecimalAmounts: PayPro's documentation (docs.paypro.tech) only calls decimal
// amounts "not recommended", so the fake accepts them with up to two places, keeps them exactly
// and reports them back.
func TestPayProFakeDecimalAmounts(t *testing.T) {
	sb, err := payprotest.New(payproCfg)
	require.NoError(t, err)
	defer sb.Close()
	for _, amount := range []string{"100.50", "100.5", "99.99"} {
		id := "PPDEC" + strings.ReplaceAll(amount, ".", "")
		env := payproPost(t, sb, "M10001", "/v1/paypro/payin", payproWith(payproPayIn(id), "amount", amount))
		require.Equal(t, "0000", env["code"], "%s: %v", amount, env)
		o, err := sb.Order(id)
		require.NoError(t, err)
		require.True(t, o.Amount.Equal(paygate.MustParseMoney(amount, paygate.INR).Decimal()), "%s kept as %s", amount, o.Amount)
		q := payproPost(t, sb, "M10001", "/v1/paypro/queryPayInResult", map[string]string{"tradeNo": id})
		require.Equal(t, o.Amount.String(), q["data"].(map[string]any)["amount"])
	}
	env := payproPost(t, sb, "M10001", "/v1/paypro/payin", payproWith(payproPayIn("PPDEC3"), "amount", "100.505"))
	require.Equal(t, "1000", env["code"], "three places are refused")
}
