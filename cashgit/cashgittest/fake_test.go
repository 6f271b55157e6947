package cashgittest_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/cashgit/cashgittest"
	"github.com/paygate-go/paygate/internal/fakeserver"
)

const (
	cashgitAppID  = "M10001"
	cashgitSecret = "cg-sandbox-secret"
)

// cashgitSign is the rule of CashGit's API document, written out here: "k=v&…" of the non-empty
// fields but sign in key order, "&key=" and the secret (or the secret appended directly).
func cashgitSign(fields map[string]string, secret string, appendStyle bool) string {
	keys := make([]string, 0, len(fields))
	for k, v := range fields {
		if k != "sign" && v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + fields[k]
	}
	s := strings.Join(parts, "&") + "&key=" + secret
	if appendStyle {
		s = strings.Join(parts, "&") + secret
	}
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// cashgitEnvelope is the sandbox's answer.
type cashgitEnvelope struct {
	HTTPStatus int
	Code       int             `json:"code"`
	Message    string          `json:"message"`
	Data       json.RawMessage `json:"data"`
	Timestamp  int64           `json:"timestamp"`
}

func cashgitSandbox(t *testing.T, options map[string]string, opts ...cashgittest.Option) (*cashgittest.Server, paygate.Config) {
	t.Helper()
	cfg := paygate.Config{Provider: "cashgit", MerchantID: cashgitAppID, Secret: cashgitSecret, Options: options}
	sb, err := cashgittest.New(cfg, opts...)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	cfg.BaseURL = sb.URL()
	return sb, cfg
}

// cashgitPost sends fields as JSON to path, signed unless sign is already set.
func cashgitPost(t *testing.T, sb *cashgittest.Server, path string, fields map[string]string) cashgitEnvelope {
	t.Helper()
	if _, ok := fields["sign"]; !ok {
		fields["sign"] = cashgitSign(fields, cashgitSecret, false)
	}
	body, err := json.Marshal(fields)
	require.NoError(t, err)
	return cashgitPostRaw(t, sb, path, body)
}

func cashgitPostRaw(t *testing.T, sb *cashgittest.Server, path string, body []byte) cashgitEnvelope {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, sb.URL()+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var env cashgitEnvelope
	require.NoError(t, json.Unmarshal(raw, &env), "body %s", raw)
	env.HTTPStatus = resp.StatusCode
	require.NotZero(t, env.Timestamp, "the envelope carries a timestamp")
	return env
}

func cashgitPayIn(orderID string) map[string]string {
	return map[string]string{"appid": cashgitAppID, "orderid": orderID, "amount": "100.00", "pay_id": "1",
		"desc": "游戏充值", "notify_url": "https://merchant.com/notify"}
}

func cashgitPayOut(orderID string) map[string]string {
	return map[string]string{"appid": cashgitAppID, "orderid": orderID, "amount": "500.00",
		"account_name": "Rajesh Kumar", "account_number": "1234567890123456", "ifsc": "SBIN0001234", "mobile": "9876543210"}
}

func TestCashgitSignatureRefused(t *testing.T) {
	sb, _ := cashgitSandbox(t, nil)
	cases := []struct {
		name   string
		fields map[string]string
	}{
		{"wrong secret", func() map[string]string {
			f := cashgitPayIn("ORDER_SIG_001")
			f["sign"] = cashgitSign(f, "wrong-secret", false)
			return f
		}()},
		{"append style on a key_param account", func() map[string]string {
			f := cashgitPayIn("ORDER_SIG_002")
			f["sign"] = cashgitSign(f, cashgitSecret, true)
			return f
		}()},
		{"tampered after signing", func() map[string]string {
			f := cashgitPayIn("ORDER_SIG_003")
			f["sign"] = cashgitSign(f, cashgitSecret, false)
			f["amount"] = "1000.00"
			return f
		}()},
		{"no sign", func() map[string]string {
			f := cashgitPayIn("ORDER_SIG_004")
			f["sign"] = ""
			return f
		}()},
		{"another appid", func() map[string]string {
			f := cashgitPayIn("ORDER_SIG_005")
			f["appid"] = "M99999"
			f["sign"] = cashgitSign(f, cashgitSecret, false)
			return f
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := cashgitPost(t, sb, "/api/pay", tc.fields)
			require.Equal(t, 401, env.Code)
			require.Equal(t, http.StatusUnauthorized, env.HTTPStatus)
			require.Contains(t, env.Message, "认证失败")
			require.Equal(t, "null", string(env.Data))
			_, err := sb.Order(tc.fields["orderid"])
			require.ErrorIs(t, err, fakeserver.ErrNoOrder, "nothing was stored")
		})
	}
	for _, path := range []string{"/api/query", "/api/close", "/api/utr/submit", "/api/upi/query",
		"/api/payout/create", "/api/payout/query", "/api/balance/query"} {
		t.Run(path, func(t *testing.T) {
			f := map[string]string{"appid": cashgitAppID, "orderid": "ORDER_SIG_006"}
			f["sign"] = cashgitSign(f, "wrong-secret", false)
			require.Equal(t, 401, cashgitPost(t, sb, path, f).Code)
		})
	}
}

// TestCashgitAppendStyle: an account configured with sign_style append takes that style only.
func TestCashgitAppendStyle(t *testing.T) {
	sb, _ := cashgitSandbox(t, map[string]string{"sign_style": "append"})
	f := cashgitPayIn("ORDER_APP_001")
	f["sign"] = cashgitSign(f, cashgitSecret, true)
	require.Equal(t, 200, cashgitPost(t, sb, "/api/pay", f).Code)
	g := cashgitPayIn("ORDER_APP_002")
	require.Equal(t, 401, cashgitPost(t, sb, "/api/pay", g).Code, "key_param refused")
}

func TestCashgitMissingFieldRefused(t *testing.T) {
	sb, _ := cashgitSandbox(t, nil)
	cases := []struct {
		path, drop string
		fields     map[string]string
	}{
		{"/api/pay", "amount", cashgitPayIn("ORDER_MISS_01")},
		{"/api/pay", "orderid", cashgitPayIn("ORDER_MISS_02")},
		{"/api/payout/create", "account_number", cashgitPayOut("PAYOUT_MISS_1")},
		{"/api/payout/create", "ifsc", cashgitPayOut("PAYOUT_MISS_2")},
		{"/api/payout/create", "mobile", cashgitPayOut("PAYOUT_MISS_3")},
		{"/api/utr/submit", "utr", map[string]string{"appid": cashgitAppID, "orderid": "ORDER_MISS_03", "utr": "341234567890", "amount": "100.00"}},
		{"/api/query", "orderid", map[string]string{"appid": cashgitAppID, "orderid": "ORDER_MISS_04"}},
	}
	for _, tc := range cases {
		t.Run(tc.path+"/"+tc.drop, func(t *testing.T) {
			delete(tc.fields, tc.drop)
			env := cashgitPost(t, sb, tc.path, tc.fields) // signed correctly, without the field
			require.Equal(t, 400, env.Code)
			require.Equal(t, http.StatusBadRequest, env.HTTPStatus)
			require.Contains(t, env.Message, tc.drop)
		})
	}
	t.Run("pay_id 2 without customer_phone", func(t *testing.T) {
		f := cashgitPayIn("ORDER_MISS_05")
		f["pay_id"] = "2"
		env := cashgitPost(t, sb, "/api/pay", f)
		require.Equal(t, 400, env.Code)
		require.Contains(t, env.Message, "customer_phone")
	})
	t.Run("not JSON", func(t *testing.T) {
		require.Equal(t, 400, cashgitPostRaw(t, sb, "/api/pay", []byte("orderid=1&amount=2")).Code)
	})
	t.Run("duplicate keys", func(t *testing.T) {
		require.Equal(t, 400, cashgitPostRaw(t, sb, "/api/pay", []byte(`{"appid":"M10001","appid":"M10001"}`)).Code)
	})
}

// TestCashgitLimitsRefused: the documented limits, checked by the fake as by the provider.
func TestCashgitLimitsRefused(t *testing.T) {
	sb, _ := cashgitSandbox(t, nil)
	cases := []struct {
		name, path, field, value string
		base                     map[string]string
	}{
		{"amount below 10", "/api/pay", "amount", "9.99", cashgitPayIn("ORDER_LIM_01")},
		{"amount above 50000", "/api/pay", "amount", "50000.01", cashgitPayIn("ORDER_LIM_02")},
		{"amount with three decimals", "/api/pay", "amount", "100.005", cashgitPayIn("ORDER_LIM_03")},
		{"amount not a number", "/api/pay", "amount", "1e3", cashgitPayIn("ORDER_LIM_04")},
		{"orderid of 5", "/api/pay", "orderid", "ORD05", cashgitPayIn("")},
		{"orderid of 33", "/api/pay", "orderid", strings.Repeat("X", 33), cashgitPayIn("")},
		{"pay_id 3", "/api/pay", "pay_id", "3", cashgitPayIn("ORDER_LIM_05")},
		{"ifsc of 10", "/api/payout/create", "ifsc", "SBIN000123", cashgitPayOut("PAYOUT_LIM_1")},
		{"payout above 50000", "/api/payout/create", "amount", "50001", cashgitPayOut("PAYOUT_LIM_2")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.base[tc.field] = tc.value
			env := cashgitPost(t, sb, tc.path, tc.base)
			require.Equal(t, 400, env.Code, env.Message)
		})
	}
	for _, ok := range []struct{ orderID, amount string }{{"ORD006", "10"}, {strings.Repeat("Y", 32), "50000.00"}, {"订单号一二三", "10.5"}} {
		f := cashgitPayIn(ok.orderID)
		f["amount"] = ok.amount
		require.Equal(t, 200, cashgitPost(t, sb, "/api/pay", f).Code, ok)
	}
}

func TestCashgitDuplicateOrderRefused(t *testing.T) {
	sb, cfg := cashgitSandbox(t, nil)
	env := cashgitPost(t, sb, "/api/pay", cashgitPayIn("ORDER_DUP_001"))
	require.Equal(t, 200, env.Code)
	env = cashgitPost(t, sb, "/api/pay", cashgitPayIn("ORDER_DUP_001"))
	require.Equal(t, 409, env.Code)
	require.Equal(t, http.StatusConflict, env.HTTPStatus)
	require.Contains(t, env.Message, "订单已存在")

	require.Equal(t, 200, cashgitPost(t, sb, "/api/payout/create", cashgitPayOut("PAYOUT_DUP_01")).Code)
	require.Equal(t, 409, cashgitPost(t, sb, "/api/payout/create", cashgitPayOut("PAYOUT_DUP_01")).Code)

	// Through the client: a *ProviderError that says the order exists.
	c, err := cashgit.New(cfg)
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	_, err = c.PayIn(context.Background(), &paygate.PayInRequest{OrderID: "ORDER_DUP_001", Amount: paygate.MustParseMoney("100", paygate.INR)})
	require.ErrorIs(t, err, paygate.ErrDuplicateOrder)
	var pe *paygate.ProviderError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "409", pe.Code)
	require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
}

// TestCashgitOrders: the fake's answers carry the document's fields, and orders move.
func TestCashgitOrders(t *testing.T) {
	sb, cfg := cashgitSandbox(t, nil)
	c, err := cashgit.New(cfg)
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	ctx := context.Background()

	env := cashgitPost(t, sb, "/api/query", map[string]string{"appid": cashgitAppID, "orderid": "ORDER_NONE_01"})
	require.Equal(t, 404, env.Code)
	_, err = c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "ORDER_NONE_01"})
	require.ErrorIs(t, err, paygate.ErrOrderNotFound)

	res, err := c.PayIn(ctx, &paygate.PayInRequest{OrderID: "ORDER_FLOW_01", Amount: paygate.MustParseMoney("100", paygate.INR),
		Direct: true, Customer: paygate.Customer{Phone: "9876543210"}, Remark: "游戏充值"})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(res.UPIURL, "upi://pay?"), res.UPIURL)
	require.False(t, res.ExpiresAt.IsZero())
	o, err := sb.Order("ORDER_FLOW_01")
	require.NoError(t, err)
	require.NotContains(t, o.Fields, "sign", "Order.Fields is the request without its signature")
	require.Equal(t, "2", o.Fields["pay_id"])

	utr, err := c.SubmitUTR(ctx, "ORDER_FLOW_01", "341234567890", paygate.MustParseMoney("100", paygate.INR))
	require.NoError(t, err)
	require.Equal(t, paygate.StatusProcessing, utr.Status)
	env = cashgitPost(t, sb, "/api/utr/submit", map[string]string{"appid": cashgitAppID, "orderid": "ORDER_FLOW_01",
		"utr": "34123456789X", "amount": "100.00"})
	require.Equal(t, 400, env.Code)

	closed, err := c.Close(ctx, "ORDER_FLOW_01")
	require.NoError(t, err)
	require.Equal(t, paygate.StatusCancelled, closed.Status)
	require.False(t, closed.ClosedAt.IsZero())
	_, err = c.Close(ctx, "ORDER_FLOW_01")
	var pe *paygate.ProviderError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "400", pe.Code, "a final order cannot be closed")
	q, err := c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "ORDER_FLOW_01"})
	require.NoError(t, err)
	require.Equal(t, paygate.StatusCancelled, q.Status)

	before, err := c.Balance(ctx)
	require.NoError(t, err)
	_, err = c.PayOut(ctx, &paygate.PayOutRequest{OrderID: "PAYOUT_FLOW_1", Amount: paygate.MustParseMoney("500", paygate.INR),
		Beneficiary: paygate.Beneficiary{Name: "Rajesh Kumar", AccountNumber: "1234567890123456", IFSC: "SBIN0001234", Phone: "9876543210"}})
	require.NoError(t, err)
	after, err := c.Balance(ctx)
	require.NoError(t, err)
	require.True(t, before.Available.Decimal().Sub(after.Available.Decimal()).Equal(paygate.MustParseMoney("500", paygate.INR).Decimal()))
	require.True(t, after.Frozen.Decimal().Equal(paygate.MustParseMoney("500", paygate.INR).Decimal()))

	upi, err := c.UPIAccounts(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, upi)
}

// cashgitReceiver is a notify URL that fails its first `failures` deliveries with 500 and
// then acknowledges with "success", keeping every body it was sent.
type cashgitReceiver struct {
	srv      *httptest.Server
	failures int32
	hits     atomic.Int32
	mu       sync.Mutex
	bodies   [][]byte
}

func newCashgitReceiver(t *testing.T, failures int32, ack string) *cashgitReceiver {
	r := &cashgitReceiver{failures: failures}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.mu.Unlock()
		if r.hits.Add(1) <= r.failures {
			http.Error(w, "database down", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, ack)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// TestCashgitCallbackRetried: a receiver that fails first is retried on the schedule, the
// retry is acknowledged, and Deliveries shows both attempts. The callback verifies with the
// client and carries paytime as a JSON number.
func TestCashgitCallbackRetried(t *testing.T) {
	sb, cfg := cashgitSandbox(t, nil, fakeserver.WithMinute(time.Millisecond))
	rcv := newCashgitReceiver(t, 1, "success")
	f := cashgitPayIn("ORDER_CB_0001")
	f["notify_url"] = rcv.srv.URL
	require.Equal(t, 200, cashgitPost(t, sb, "/api/pay", f).Code)

	require.ErrorIs(t, sb.Settle("ORDER_CB_0001", paygate.StatusSucceeded), fakeserver.ErrNotAcknowledged)
	require.Eventually(t, func() bool { return len(sb.Deliveries()) >= 2 }, 5*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond) // no further attempt after an acknowledged one
	ds := sb.Deliveries()
	require.Len(t, ds, 2)
	require.Equal(t, 1, ds[0].Attempt)
	require.Equal(t, http.StatusInternalServerError, ds[0].StatusCode)
	require.False(t, ds[0].Acked)
	require.Equal(t, 2, ds[1].Attempt)
	require.Equal(t, http.StatusOK, ds[1].StatusCode)
	require.True(t, ds[1].Acked)
	require.Equal(t, "ORDER_CB_0001", ds[1].OrderID)

	rcv.mu.Lock()
	bodies := rcv.bodies
	rcv.mu.Unlock()
	require.Len(t, bodies, 2)
	require.Equal(t, bodies[0], bodies[1], "a retry re-sends the same callback")
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(bodies[0], &doc))
	require.Regexp(t, `^[1-9][0-9]{12}$`, string(doc["paytime"]), "paytime is a JSON number of milliseconds")
	require.Equal(t, `"100.00"`, string(doc["amount"]))
	require.Equal(t, `"paid"`, string(doc["status"]))
	for _, k := range []string{"orderid", "platform_orderid", "utr", "sign"} {
		require.Contains(t, doc, k)
	}
	fields := map[string]string{}
	for k, v := range doc {
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v)
		}
		fields[k] = s
	}
	require.Equal(t, cashgitSign(fields, cashgitSecret, false), fields["sign"], "signed over paytime's JSON text")

	c, err := cashgit.New(cfg)
	require.NoError(t, err)
	cb, err := c.ParseCallback(nil, bodies[1])
	require.NoError(t, err)
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
	require.Equal(t, paygate.KindPayIn, cb.Kind)
}

// TestCashgitCallbackRetriesExhausted: an answer other than "success" is not an
// acknowledgement; the fake tries 1 + 5 times, as CashGit's API document says (最多5次), then
// stops.
func TestCashgitCallbackRetriesExhausted(t *testing.T) {
	sb, cfg := cashgitSandbox(t, nil, fakeserver.WithMinute(time.Millisecond))
	rcv := newCashgitReceiver(t, 0, "OK")
	c, err := cashgit.New(cfg)
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	_, err = c.PayOut(context.Background(), &paygate.PayOutRequest{OrderID: "PAYOUT_CB_001",
		Amount: paygate.MustParseMoney("500", paygate.INR), NotifyURL: rcv.srv.URL,
		Beneficiary: paygate.Beneficiary{Name: "Rajesh Kumar", AccountNumber: "1234567890123456", IFSC: "SBIN0001234", Phone: "9876543210"}})
	require.NoError(t, err)

	require.ErrorIs(t, sb.Settle("PAYOUT_CB_001", paygate.StatusSucceeded), fakeserver.ErrNotAcknowledged)
	require.Eventually(t, func() bool { return len(sb.Deliveries()) >= 6 }, 5*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	ds := sb.Deliveries()
	require.Len(t, ds, 6)
	for i, d := range ds {
		require.Equal(t, i+1, d.Attempt)
		require.Equal(t, http.StatusOK, d.StatusCode)
		require.False(t, d.Acked, "200 with a body other than success is not an acknowledgement")
	}

	rcv.mu.Lock()
	body := rcv.bodies[0]
	rcv.mu.Unlock()
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &doc))
	require.Regexp(t, `^[1-9][0-9]{12}$`, string(doc["completed_at"]), "completed_at is a JSON number")
	require.Equal(t, `"10.00"`, string(doc["fee"]))
	require.Equal(t, `"490.00"`, string(doc["actual_amount"]))
	require.Equal(t, `"success"`, string(doc["status"]))
	cb, err := c.ParseCallback(nil, body)
	require.NoError(t, err)
	require.Equal(t, paygate.KindPayOut, cb.Kind)
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
	require.Equal(t, "10.00", cb.Fee.Decimal().StringFixed(2))
}

// TestCashgitCallbackAppendStyle: an append-style account's callbacks are signed that way.
func TestCashgitCallbackAppendStyle(t *testing.T) {
	sb, cfg := cashgitSandbox(t, map[string]string{"sign_style": "append"}, fakeserver.WithMinute(time.Millisecond))
	rcv := newCashgitReceiver(t, 0, "success")
	c, err := cashgit.New(cfg)
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	_, err = c.PayIn(context.Background(), &paygate.PayInRequest{OrderID: "ORDER_CB_0002",
		Amount: paygate.MustParseMoney("100", paygate.INR), NotifyURL: rcv.srv.URL})
	require.NoError(t, err)
	require.NoError(t, sb.Settle("ORDER_CB_0002", paygate.StatusFailed))
	rcv.mu.Lock()
	body := rcv.bodies[0]
	rcv.mu.Unlock()
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &doc))
	fields := map[string]string{}
	for k, v := range doc {
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v)
		}
		fields[k] = s
	}
	require.Equal(t, cashgitSign(fields, cashgitSecret, true), fields["sign"])
	cb, err := c.ParseCallback(nil, body)
	require.NoError(t, err)
	require.Equal(t, paygate.StatusFailed, cb.Status)
	require.Equal(t, "failed", cb.RawStatus)
}
