package cashytest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
)

var cashyCfg = paygate.Config{Provider: "cashy", MerchantID: "1002001", Secret: "sandbox-cashy-secret"}

func cashySum(body []byte, secret string) string {
	h := md5.Sum(append(append([]byte(nil), body...), secret...))
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// cashyPost sends body to path as Cashy expects it, with sign as the Sign header ("" signs it
// properly), and returns the decoded envelope.
func cashyPost(t *testing.T, s *Server, path, body, merchant, sign string) map[string]any {
	t.Helper()
	if sign == "" {
		sign = cashySum([]byte(body), cashyCfg.Secret)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("MerchantId", merchant)
	req.Header.Set("Sign", sign)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var env map[string]any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	require.NoError(t, dec.Decode(&env))
	return env
}

func requireRefused(t *testing.T, env map[string]any, msg string) {
	t.Helper()
	require.Equal(t, json.Number("500"), env["code"])
	require.True(t, strings.HasPrefix(env["msg"].(string), msg), "msg %q", env["msg"])
	require.NotContains(t, env, "data")
}

// cashyPayIn is the request example of Cashy's documentation with amount "100.00" and fields as
// given.
func cashyPayIn(mod func(map[string]any)) string {
	m := map[string]any{"nonceStr": "test001", "currency": "PKR", "payType": 36, "amount": "100.00",
		"reusableStatus": false, "mchOrderNo": "order000000001", "expireTime": 36000,
		"notifyUrl": "https://test.com/payment/cashy/payIn/callback", "remark": "PayIn", "realName": "test",
		"phone": "3001234567", "email": "test@gmail.com", "idCard": "3310401123456"}
	if mod != nil {
		mod(m)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func newCashy(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := New(cashyCfg, opts...)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func TestCashyRefusals(t *testing.T) {
	s := newCashy(t)
	good := cashyPayIn(nil)

	requireRefused(t, cashyPost(t, s, "/api/payIn", good, "1002001", cashySum([]byte(good), "wrong")), "Sign_verify_error")
	requireRefused(t, cashyPost(t, s, "/api/payIn", good, "1002001", cashySum([]byte(good+" "), cashyCfg.Secret)), "Sign_verify_error")
	requireRefused(t, cashyPost(t, s, "/api/payIn", good, "9999999", ""), "Merchant_Not_Exist")
	_, err := s.Order("order000000001")
	require.ErrorIs(t, err, fakeserver.ErrNoOrder, "a refused request keeps nothing")

	for _, k := range []string{"currency", "payType", "amount", "reusableStatus", "mchOrderNo", "expireTime",
		"notifyUrl", "nonceStr", "remark", "realName", "phone", "email", "idCard"} {
		body := cashyPayIn(func(m map[string]any) { delete(m, k) })
		requireRefused(t, cashyPost(t, s, "/api/payIn", body, "1002001", ""), "Param_Error")
	}
	for name, mod := range map[string]func(map[string]any){
		"payType as text":      func(m map[string]any) { m["payType"] = "36" },
		"reusable":             func(m map[string]any) { m["reusableStatus"] = true },
		"below 100":            func(m map[string]any) { m["amount"] = "99.99" },
		"above 50000":          func(m map[string]any) { m["amount"] = "50000.01" },
		"three decimals":       func(m map[string]any) { m["amount"] = "100.001" },
		"rupees":               func(m map[string]any) { m["currency"] = "INR" },
		"order number over 32": func(m map[string]any) { m["mchOrderNo"] = strings.Repeat("1", 33) },
	} {
		t.Run(name, func(t *testing.T) {
			requireRefused(t, cashyPost(t, s, "/api/payIn", cashyPayIn(mod), "1002001", ""), "Param_Error")
		})
	}

	env := cashyPost(t, s, "/api/payIn", good, "1002001", "")
	require.Equal(t, json.Number("200"), env["code"])
	require.Equal(t, "SUCCESS", env["msg"])
	data := env["data"].(map[string]any)
	require.Equal(t, "order000000001", data["mchOrderNo"])
	require.Equal(t, json.Number("100.00"), data["amount"])
	require.True(t, strings.HasPrefix(data["orderNo"].(string), "PAYIN"))
	// A duplicate order number: Cashy's documented refusal of a pay-in.
	requireRefused(t, cashyPost(t, s, "/api/payIn", good, "1002001", ""), "Payin_Order_Error")

	payout := `{"accountName":"Ali Khan","accountNo":"03001234567","accountType":"EASYPAISA","amount":"500.00",` +
		`"bankId":"1","currency":"PKR","mchOrderNo":"PO1","nonceStr":"n1","notifyUrl":"https://m.example/po","remark":"r"}`
	require.Equal(t, json.Number("200"), cashyPost(t, s, "/api/payOut", payout, "1002001", "")["code"])
	requireRefused(t, cashyPost(t, s, "/api/payOut", payout, "1002001", ""), "Payout_Order_Error")
	requireRefused(t, cashyPost(t, s, "/api/payOut", strings.Replace(payout, `"bankId":"1",`, "", 1), "1002001", ""), "Param_Error")

	requireRefused(t, cashyPost(t, s, "/api/payInQuery", `{"mchOrderNo":"nope","nonceStr":"n"}`, "1002001", ""), "Order_Not_Exist")
	requireRefused(t, cashyPost(t, s, "/api/payOutQuery", `{"mchOrderNo":"order000000001","nonceStr":"n"}`, "1002001", ""), "Order_Not_Exist")
	requireRefused(t, cashyPost(t, s, "/api/payInQuery", `{"nonceStr":"n"}`, "1002001", ""), "Param_Error")
	requireRefused(t, cashyPost(t, s, "/api/getBalance", `{}`, "1002001", ""), "Param_Error")
	bal := cashyPost(t, s, "/api/getBalance", `{"nonceStr":"n"}`, "1002001", "")["data"].(map[string]any)
	require.Equal(t, "99500.00", bal["balance"])
	require.Equal(t, "500.00", bal["unBalance"])
}

func TestCashyCallback(t *testing.T) {
	var calls atomic.Int64
	type got struct {
		header http.Header
		body   []byte
	}
	received := make(chan got, 16)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- got{r.Header.Clone(), b}
		if calls.Add(1) <= 2 {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusFound) // Cashy: 302 counts as received
	}))
	defer rcv.Close()

	s := newCashy(t, fakeserver.WithMinute(time.Millisecond))
	body := cashyPayIn(func(m map[string]any) { m["notifyUrl"] = rcv.URL + "/cb"; m["amount"] = "20000.00" })
	require.Equal(t, json.Number("200"), cashyPost(t, s, "/api/payIn", body, "1002001", "")["code"])

	require.ErrorIs(t, s.Settle("order000000001", paygate.StatusSucceeded), fakeserver.ErrNotAcknowledged)
	require.Eventually(t, func() bool {
		d := s.Deliveries()
		return len(d) == 3 && d[2].Acked
	}, 5*time.Second, time.Millisecond)
	d := s.Deliveries()
	require.Equal(t, []int{1, 2, 3}, []int{d[0].Attempt, d[1].Attempt, d[2].Attempt})
	require.Equal(t, http.StatusFound, d[2].StatusCode)

	cb := <-received
	require.Equal(t, "1002001", cb.header.Get("MerchantId"))
	require.Equal(t, cashySum(cb.body, cashyCfg.Secret), cb.header.Get("Sign"))
	// Field types as in Cashy's documented samples: amounts are JSON numbers, merchantId a
	// string.
	require.Contains(t, string(cb.body), `"amount":20000.00,`)
	require.Contains(t, string(cb.body), `"fee":500.0000,`)
	require.Contains(t, string(cb.body), `"merchantId":"1002001"`)
	require.Contains(t, string(cb.body), `"orderStatus":"SUCCESS"`)
	require.Contains(t, string(cb.body), `"orderType":"API"`)
	require.Contains(t, string(cb.body), `"payType":"36"`)
	require.Regexp(t, `"completionTime":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"`, string(cb.body))
	for range 2 {
		// A retry is the same notification, signed anew (its nonceStr differs).
		again := <-received
		require.Equal(t, cashySum(again.body, cashyCfg.Secret), again.header.Get("Sign"))
		strip := regexp.MustCompile(`"nonceStr":"\d+"`)
		require.Equal(t, strip.ReplaceAllString(string(cb.body), ""), strip.ReplaceAllString(string(again.body), ""))
	}
}

func TestCashyPatch(t *testing.T) {
	received := make(chan []byte, 4)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- b
	}))
	defer rcv.Close()
	s := newCashy(t)
	body := cashyPayIn(func(m map[string]any) { m["mchOrderNo"] = "MCH20230088"; m["notifyUrl"] = rcv.URL })
	require.Equal(t, json.Number("200"), cashyPost(t, s, "/api/payIn", body, "1002001", "")["code"])
	orig, err := s.Order("MCH20230088")
	require.NoError(t, err)

	for _, want := range []string{"MCH2023008800001", "MCH2023008800002"} {
		id, err := s.CashyPatch("MCH20230088", paygate.MustParseMoney("40.5", "").Decimal())
		require.NoError(t, err)
		require.Equal(t, want, id)
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(<-received))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&m))
		require.Equal(t, "PATCH", m["orderType"])
		require.Equal(t, want, m["mchOrderNo"])
		require.Equal(t, "MCH20230088", m["patchMchOrderNo"])
		require.Equal(t, orig.ProviderOrderID, m["patchOrderNo"])
		require.Equal(t, json.Number("40.50"), m["amount"])
	}
	_, err = s.CashyPatch("unknown", paygate.MustParseMoney("1", "").Decimal())
	require.ErrorIs(t, err, fakeserver.ErrNoOrder)

}

// acking is the URL of a merchant that acknowledges every callback.
func acking(t *testing.T) string {
	t.Helper()
	rcv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(rcv.Close)
	return rcv.URL
}

func TestCashyAckAndSchedule(t *testing.T) {
	f := &cashyFake{}
	for status, want := range map[int]bool{200: true, 301: true, 302: true, 201: false, 204: false, 303: false,
		400: false, 500: false} {
		require.Equal(t, want, f.Acked(status, nil), "HTTP %d", status)
	}
	require.True(t, f.Acked(200, []byte("anything")), "the body does not matter")
	require.Equal(t, []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, f.Schedule())
	total := 0
	for _, m := range f.Schedule() {
		total += m
	}
	require.Equal(t, 1023, total, "ten retries over about 17 hours")
}

// TestCashyFeeAndBalanceExact: the pay-in fee is 2.5 % to four places (Cashy's documentation
// types fee decimal(20,4)); the query and the balance must report it as the webhook does, not
// rounded to two places.
func TestCashyFeeAndBalanceExact(t *testing.T) {
	s := newCashy(t)
	body := cashyPayIn(func(m map[string]any) { m["amount"] = "150.50"; m["notifyUrl"] = acking(t) })
	require.Equal(t, json.Number("200"), cashyPost(t, s, "/api/payIn", body, "1002001", "")["code"])
	require.NoError(t, s.Settle("order000000001", paygate.StatusSucceeded))

	q := cashyPost(t, s, "/api/payInQuery", `{"mchOrderNo":"order000000001","nonceStr":"n"}`, "1002001", "")["data"].(map[string]any)
	require.Equal(t, "3.7625", q["fee"], "150.50 x 2.5 percent, not rounded")
	bal := cashyPost(t, s, "/api/getBalance", `{"nonceStr":"n"}`, "1002001", "")["data"].(map[string]any)
	require.Equal(t, "100146.7375", bal["balance"], "100000.00 + 150.50 - 3.7625, not rounded")
}

// TestCashyPatchAmountExact: a supplementary payment's amount is written with two decimals; one
// with more would reach the webhook rounded, so it is refused.
func TestCashyPatchAmountExact(t *testing.T) {
	s := newCashy(t)
	body := cashyPayIn(func(m map[string]any) { m["notifyUrl"] = acking(t) })
	require.Equal(t, json.Number("200"), cashyPost(t, s, "/api/payIn", body, "1002001", "")["code"])
	for _, paid := range []string{"40.555", "0", "-1"} {
		_, err := s.CashyPatch("order000000001", paygate.MustParseMoney(paid, "").Decimal())
		require.Error(t, err, paid)
	}
	id, err := s.CashyPatch("order000000001", paygate.MustParseMoney("40.55", "").Decimal())
	require.NoError(t, err)
	require.Equal(t, "order00000000100001", id)
}
