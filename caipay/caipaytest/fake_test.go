package caipaytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/caipay/caipaytest"
	"github.com/paygate-go/paygate/internal/fakeserver"
	"github.com/paygate-go/paygate/signing"
)

var caipayCfg = paygate.Config{MerchantID: "1919668884792586242", APIKey: "caipay-sandbox-token", Secret: "caipay-sandbox-secret"}

// caipayEnvelope is CaiPay's answer.
type caipayEnvelope struct {
	Code json.Number    `json:"code"`
	Msg  *string        `json:"msg"`
	Data map[string]any `json:"data"`
	OK   bool           `json:"ok"`
	HTTP int            `json:"-"` // the HTTP status
}

func caipayServer(t *testing.T, opts ...caipaytest.Option) *caipaytest.Server {
	t.Helper()
	sb, err := caipaytest.New(caipayCfg, opts...)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

// caipaySigned adds token, tenantId and signKey to fields.
func caipaySigned(fields map[string]string) map[string]string {
	out := map[string]string{"token": caipayCfg.APIKey, "tenantId": caipayCfg.MerchantID}
	for k, v := range fields {
		out[k] = v
	}
	out["signKey"] = signing.ValuesMD5(out, caipayCfg.Secret)
	return out
}

// caipayCall sends fields to path: GET query parameters, or a POST JSON body.
func caipayCall(t *testing.T, sb *caipaytest.Server, method, path string, fields map[string]string) caipayEnvelope {
	t.Helper()
	var req *http.Request
	var err error
	if method == http.MethodGet {
		q := url.Values{}
		for k, v := range fields {
			q.Set(k, v)
		}
		req, err = http.NewRequestWithContext(context.Background(), method, sb.URL()+path+"?"+q.Encode(), nil)
	} else {
		body, _ := json.Marshal(fields)
		req, err = http.NewRequestWithContext(context.Background(), method, sb.URL()+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var env caipayEnvelope
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	env.HTTP = resp.StatusCode
	return env
}

func caipayPayIn(orderID, amount string) map[string]string {
	return map[string]string{"amount": amount, "customerOrderNo": orderID, "callbackUrl": "https://merchant.example/cb",
		"rechargeName": "Asha Rao", "rechargeEmail": "asha.rao@gmail.com", "rechargePhone": "9876543210"}
}

func requireCaiPayRefusal(t *testing.T, env caipayEnvelope, code int, msg string) {
	t.Helper()
	require.Equal(t, code, env.HTTP)
	require.Equal(t, json.Number(strconv.Itoa(code)), env.Code)
	require.False(t, env.OK)
	require.NotNil(t, env.Msg)
	require.Contains(t, *env.Msg, msg)
	require.Nil(t, env.Data)
}

func TestCaiPayFakeAccepts(t *testing.T) {
	sb := caipayServer(t)
	env := caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/payIn", caipaySigned(caipayPayIn("TEST1", "100.00")))
	require.Equal(t, http.StatusOK, env.HTTP)
	require.Equal(t, json.Number("0"), env.Code)
	require.True(t, env.OK)
	require.Nil(t, env.Msg)
	require.Equal(t, "PENDING", env.Data["orderStatus"])
	require.Equal(t, "100", env.Data["orderAmount"], "hosted: orderAmount is a string")
	require.NotEmpty(t, env.Data["url"])

	env = caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/payIn-H2H", caipaySigned(caipayPayIn("TEST2", "200.00")))
	require.True(t, env.OK)
	require.Equal(t, float64(200), env.Data["orderAmount"], "H2H: orderAmount is a number")
	for _, k := range []string{"upi", "paytm", "expireTime", "platOrderNo", "customerOrderNo"} {
		require.NotEmpty(t, env.Data[k], k)
	}
	_, err := time.Parse(time.DateTime, env.Data["expireTime"].(string))
	require.NoError(t, err)

	utr := caipayCall(t, sb, http.MethodPost, "/api/cai/out/v1/submitUtr",
		caipaySigned(map[string]string{"transId": env.Data["platOrderNo"].(string), "UTR": "412345678901"}))
	require.True(t, utr.OK)
	search := caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/searchPayInResult", caipaySigned(map[string]string{"customerOrderNo": "TEST2"}))
	require.True(t, search.OK)
	require.Equal(t, map[string]any{"tenantId": caipayCfg.MerchantID, "customerOrderNo": "TEST2", "amount": "200",
		"actualAmount": "0", "status": "PENDING", "utr": "412345678901"}, search.Data)
}

func TestCaiPayFakeRefuses(t *testing.T) {
	sb := caipayServer(t)
	payOut := caipayPayOut("OUT1", "https://merchant.example/cb")

	t.Run("wrong signature", func(t *testing.T) {
		f := caipaySigned(caipayPayIn("SIG1", "100.00"))
		f["signKey"] = signing.ValuesMD5(f, "another-secret")
		requireCaiPayRefusal(t, caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/payIn", f), 401, "signKey")
	})
	t.Run("tampered after signing", func(t *testing.T) {
		f := caipaySigned(payOut)
		f["orderAmount"] = "100000.00"
		requireCaiPayRefusal(t, caipayCall(t, sb, http.MethodPost, "/api/cai/out/v1/payOut", f), 401, "signKey")
	})
	t.Run("another token", func(t *testing.T) {
		f := caipayPayIn("TOK1", "100.00")
		f["token"] = "someone-else"
		f["tenantId"] = caipayCfg.MerchantID
		f["signKey"] = signing.ValuesMD5(f, caipayCfg.Secret)
		requireCaiPayRefusal(t, caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/payIn", f), 401, "token")
	})
	t.Run("missing field", func(t *testing.T) {
		f := caipayPayIn("MISS1", "100.00")
		delete(f, "rechargeEmail")
		requireCaiPayRefusal(t, caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/payIn", caipaySigned(f)), 400, "rechargeEmail is required")
		p := map[string]string{}
		for k, v := range payOut {
			p[k] = v
		}
		delete(p, "payIfsc")
		requireCaiPayRefusal(t, caipayCall(t, sb, http.MethodPost, "/api/cai/out/v1/payOut", caipaySigned(p)), 400, "payIfsc is required")
	})
	t.Run("amount without two decimals", func(t *testing.T) {
		requireCaiPayRefusal(t, caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/payIn", caipaySigned(caipayPayIn("AMT1", "100"))), 400, "2 decimal places")
	})
	t.Run("duplicate order", func(t *testing.T) {
		env := caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/payIn", caipaySigned(caipayPayIn("DUP1", "100.00")))
		require.True(t, env.OK)
		requireCaiPayRefusal(t, caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/payIn-H2H", caipaySigned(caipayPayIn("DUP1", "100.00"))),
			400, "customerOrderNo already exists")
		require.True(t, caipayCall(t, sb, http.MethodPost, "/api/cai/out/v1/payOut", caipaySigned(payOut)).OK)
		requireCaiPayRefusal(t, caipayCall(t, sb, http.MethodPost, "/api/cai/out/v1/payOut", caipaySigned(payOut)), 400, "customerOrderNo already exists")
	})
	t.Run("unknown order", func(t *testing.T) {
		requireCaiPayRefusal(t, caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/searchPayOutResult",
			caipaySigned(map[string]string{"customerOrderNo": "NOPE"})), 400, "does not exist")
	})
	t.Run("UTR not 12 digits", func(t *testing.T) {
		requireCaiPayRefusal(t, caipayCall(t, sb, http.MethodPost, "/api/cai/out/v1/submitUtr",
			caipaySigned(map[string]string{"transId": "1", "UTR": "12345"})), 400, "12 digits")
	})
}

func TestCaiPayFakeCallbackRetried(t *testing.T) {
	sb := caipayServer(t, fakeserver.WithMinute(time.Millisecond))
	var attempts atomic.Int64
	var last atomic.Value
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		last.Store(body)
		if attempts.Add(1) < 3 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "success")
	}))
	defer receiver.Close()

	f := caipayPayOut("OUTCB1", receiver.URL)
	require.True(t, caipayCall(t, sb, http.MethodPost, "/api/cai/out/v1/payOut", caipaySigned(f)).OK)
	require.ErrorIs(t, sb.Settle("OUTCB1", paygate.StatusSucceeded), fakeserver.ErrNotAcknowledged)
	require.Eventually(t, func() bool { return attempts.Load() == 3 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool {
		d := sb.Deliveries()
		return len(d) == 3 && d[2].Acked && d[2].Attempt == 3
	}, 5*time.Second, time.Millisecond)

	fields, err := signing.Fields(last.Load().([]byte))
	require.NoError(t, err)
	require.Equal(t, signing.ValuesMD5(fields, caipayCfg.Secret), fields["signKey"])
	require.Equal(t, caipayCfg.APIKey, fields["token"])
	require.Equal(t, "SUCCESS", fields["orderStatus"])
	require.Equal(t, "OUTCB1", fields["customerOrderNo"])
	require.Equal(t, "100", fields["orderAmount"])
	require.Len(t, fields["payUtrNo"], 12)
	require.NotContains(t, fields, "bankAccountNumber", "a pay-out callback has the pay-in's documented shape")
	for _, k := range []string{"description", "platOrderNo", "orderMessage"} {
		require.NotEmpty(t, fields[k], k)
	}
}

func TestCaiPayFakeAckIsExact(t *testing.T) {
	sb := caipayServer(t, fakeserver.WithMinute(time.Millisecond))
	var attempts atomic.Int64
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		attempts.Add(1)
		_, _ = io.WriteString(w, "SUCCESS\n") // not exactly "success"
	}))
	defer receiver.Close()
	f := caipayPayIn("INACK1", "100.00")
	f["callbackUrl"] = receiver.URL
	require.True(t, caipayCall(t, sb, http.MethodGet, "/api/cai/out/v1/payIn", caipaySigned(f)).OK)
	require.ErrorIs(t, sb.Settle("INACK1", paygate.StatusFailed), fakeserver.ErrNotAcknowledged)
	require.Eventually(t, func() bool { return len(sb.Deliveries()) == 6 }, 5*time.Second, time.Millisecond,
		"the first attempt and 5 retries")
	time.Sleep(50 * time.Millisecond)
	require.EqualValues(t, 6, attempts.Load(), "no more than 5 retries")
	for _, d := range sb.Deliveries() {
		require.False(t, d.Acked)
	}
}

func caipayPayOut(orderID, callbackURL string) map[string]string {
	return map[string]string{"bankAccountName": "Asha Rao", "bankAccountNumber": "123456789012", "callbackUrl": callbackURL,
		"orderAmount": "100.00", "payEmail": "asha.rao@gmail.com", "payIfsc": "SBIN0001234", "payPhone": "9876543210",
		"customerOrderNo": orderID}
}

// TestCaiPayFakePayOutWithoutCustomerOrderNo: CaiPay's API document does not list
// customerOrderNo among a pay-out's parameters, so the fake accepts a pay-out without it
// (third-party clients send none) and keeps the order under the platform's number.
func TestCaiPayFakePayOutWithoutCustomerOrderNo(t *testing.T) {
	sb := caipayServer(t)
	for range 2 { // two such pay-outs are not duplicates of each other
		p := caipayPayOut("", "https://merchant.example/cb")
		delete(p, "customerOrderNo")
		env := caipayCall(t, sb, http.MethodPost, "/api/cai/out/v1/payOut", caipaySigned(p))
		require.True(t, env.OK, "%+v", env)
		plat, _ := env.Data["platOrderNo"].(string)
		require.NotEmpty(t, plat)
		o, err := sb.Order(plat)
		require.NoError(t, err, "kept under the platform's number")
		require.Equal(t, paygate.KindPayOut, o.Kind)
		require.Empty(t, o.OrderID)
	}
}
