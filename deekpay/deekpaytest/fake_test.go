package deekpaytest_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/deekpay"
	"github.com/paygate-go/paygate/deekpay/deekpaytest"
	"github.com/paygate-go/paygate/internal/fakeserver"
)

var deekpayCfg = paygate.Config{Provider: "deekpay", APIKey: "pFqV75X3", Secret: "deekpay-sandbox-secret"}

// deekpaySign is the documented rule, by hand: Base64(HMAC-SHA1) over "k=v&k=v" of the
// non-empty fields in key order.
func deekpaySign(fields map[string]string, secret string) string {
	keys := make([]string, 0, len(fields))
	for k, v := range fields {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + fields[k]
	}
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(strings.Join(parts, "&")))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type deekpayAnswer struct {
	Code    string          `json:"code"`
	Success bool            `json:"success"`
	Msg     string          `json:"msg"`
	MsgEn   string          `json:"msgEn"`
	Data    json.RawMessage `json:"data"`
}

// deekpayCall sends a request to the fake signed with secret; edit may change the headers
// after signing.
func deekpayCall(t *testing.T, sb *deekpaytest.Server, method, path string, fields map[string]string, secret string, edit func(http.Header)) deekpayAnswer {
	t.Helper()
	ts, nonce := strconv.FormatInt(time.Now().UnixMilli(), 10), "794c26b0-d33c-4394-b2bb-c485eca16d9e"
	signed := map[string]string{"access_key": deekpayCfg.APIKey, "timestamp": ts, "nonce": nonce}
	for k, v := range fields {
		signed[k] = v
	}
	var body io.Reader
	if method == http.MethodPost {
		b, err := json.Marshal(fields)
		require.NoError(t, err)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, sb.URL()+path, body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json;charset=utf-8")
	req.Header.Set("access_key", deekpayCfg.APIKey)
	req.Header.Set("timestamp", ts)
	req.Header.Set("nonce", nonce)
	req.Header.Set("sign", deekpaySign(signed, secret))
	if edit != nil {
		edit(req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var a deekpayAnswer
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	return a
}

func newDeekpaySandbox(t *testing.T, opts ...deekpaytest.Option) *deekpaytest.Server {
	t.Helper()
	sb, err := deekpaytest.New(deekpayCfg, opts...)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

func deekpayPayIn(id string) map[string]string {
	return map[string]string{"amount": "500", "channelType": "UPI", "externalOrderId": id}
}

func TestDeekpayFakeRefusals(t *testing.T) {
	sb := newDeekpaySandbox(t)
	const path = "/api/v3/ind/createCollectingOrder"
	secret := deekpayCfg.Secret

	a := deekpayCall(t, sb, http.MethodPost, path, deekpayPayIn("SBX-1"), "wrong-secret", nil)
	require.Equal(t, deekpayAnswer{Code: "401", Msg: "认证失败", MsgEn: "sign verification failed", Data: json.RawMessage("null")}, a)

	for name, edit := range map[string]func(http.Header){
		"invalid access_key": func(h http.Header) { h.Set("access_key", "OtherKey") },
		"timestamp expired": func(h http.Header) {
			h.Set("timestamp", strconv.FormatInt(time.Now().Add(-6*time.Minute).UnixMilli(), 10))
		},
		"nonce must be a UUID":  func(h http.Header) { h.Set("nonce", "not-a-uuid") },
		"headers are required":  func(h http.Header) { h.Del("sign") },
		"timestamp must be 13 ": func(h http.Header) { h.Set("timestamp", "1679724896") },
	} {
		a := deekpayCall(t, sb, http.MethodPost, path, deekpayPayIn("SBX-2"), secret, edit)
		require.Equal(t, "401", a.Code, name)
		require.False(t, a.Success)
		require.Contains(t, a.MsgEn, strings.TrimSpace(name))
	}

	missing := deekpayPayIn("SBX-3")
	delete(missing, "amount")
	a = deekpayCall(t, sb, http.MethodPost, path, missing, secret, nil)
	require.Equal(t, "400", a.Code)
	require.Equal(t, "amount is required", a.MsgEn)

	for field, v := range map[string]string{"amount": "10.005", "externalOrderId": strings.Repeat("9", 65), "remark": strings.Repeat("r", 256)} {
		f := deekpayPayIn("SBX-4")
		f[field] = v
		a = deekpayCall(t, sb, http.MethodPost, path, f, secret, nil)
		require.Equal(t, "400", a.Code, field)
		require.Contains(t, a.MsgEn, field)
	}

	a = deekpayCall(t, sb, http.MethodPost, path, deekpayPayIn("SBX-5"), secret, nil)
	require.Equal(t, "200", a.Code)
	require.True(t, a.Success)
	require.Equal(t, "SUCCESS", a.MsgEn)
	a = deekpayCall(t, sb, http.MethodPost, path, deekpayPayIn("SBX-5"), secret, nil)
	require.Equal(t, deekpayAnswer{Code: "400", Msg: "订单号重复", MsgEn: "Duplicate externalOrderId: order already exists", Data: json.RawMessage("null")}, a)

	out := map[string]string{"currencyAmount": "100", "channelType": "BANK", "externalOrderId": "SBX-6", "accountId": "1", "accountType": "INR"}
	a = deekpayCall(t, sb, http.MethodPost, "/api/v3/ind/createTransferOrder", out, secret, nil)
	require.Equal(t, "ifSC is required", a.MsgEn)

	a = deekpayCall(t, sb, http.MethodPost, "/api/v3/ind/query/collectingOrder", map[string]string{"externalOrderId": "NOPE"}, secret, nil)
	require.Equal(t, "200", a.Code)
	require.JSONEq(t, `[]`, string(a.Data), "an unknown order is an empty array")

	a = deekpayCall(t, sb, http.MethodPost, "/api/v3/ind/query/bank", map[string]string{}, secret, nil)
	require.Equal(t, "400", a.Code, "bankName must be present, if empty")

	a = deekpayCall(t, sb, http.MethodGet, "/api/v3/ind/query/balance", nil, "wrong-secret", nil)
	require.Equal(t, "401", a.Code, "GET requests are signed too")
}

// TestDeekpayFakeThroughClient drives every endpoint of the fake with the deekpay client.
func TestDeekpayFakeThroughClient(t *testing.T) {
	sb := newDeekpaySandbox(t)
	cfg := deekpayCfg
	cfg.BaseURL = sb.URL()
	c, err := deekpay.New(cfg)
	require.NoError(t, err)
	ctx := context.Background()

	v, err := c.Ping(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, v)

	banks, err := c.Banks(ctx, "")
	require.NoError(t, err)
	require.Greater(t, len(banks), 3)
	banks, err = c.Banks(ctx, "yes")
	require.NoError(t, err)
	require.Equal(t, []deekpay.Bank{{BankName: "Yes Bank", BankCode: "YESB", CurrencyType: "INR", ChannelBankID: "1005", ChannelID: "11"}}, banks)

	in, err := c.PayIn(ctx, &paygate.PayInRequest{OrderID: "SBX-IN-1", Amount: paygate.MustParseMoney("40.20", paygate.INR)})
	require.NoError(t, err)
	require.Contains(t, in.PaymentURL, sb.URL())
	o, err := c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, ProviderOrderID: in.ProviderOrderID})
	require.NoError(t, err)
	require.Equal(t, paygate.StatusPending, o.Status)
	require.Equal(t, "1 to be paid", o.RawStatus)

	_, err = c.PayIn(ctx, &paygate.PayInRequest{OrderID: "SBX-IN-1", Amount: paygate.MustParseMoney("1", paygate.INR)})
	require.ErrorIs(t, err, paygate.ErrDuplicateOrder)

	_, err = c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "SBX-IN-1"})
	require.ErrorIs(t, err, paygate.ErrOrderNotFound)

	before, err := c.Balance(ctx)
	require.NoError(t, err)
	_, err = c.PayOut(ctx, &paygate.PayOutRequest{OrderID: "SBX-OUT-1", Amount: paygate.MustParseMoney("100", paygate.INR),
		Channel: "UPI", Beneficiary: paygate.Beneficiary{AccountNumber: "asha@okaxis"}})
	require.NoError(t, err)
	after, err := c.Balance(ctx)
	require.NoError(t, err)
	require.Equal(t, "100", after.Frozen.Decimal().Sub(before.Frozen.Decimal()).String())
	require.ErrorIs(t, sb.Settle("SBX-OUT-1", paygate.StatusFailed), fakeserver.ErrNoNotifyURL, "moved, but no callback address")
	o, err = c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "SBX-OUT-1"})
	require.NoError(t, err)
	require.Equal(t, paygate.StatusFailed, o.Status)
	require.Equal(t, "16 Failure", o.RawStatus)
}

// TestDeekpayCallbackRetried: a receiver that fails twice gets the callback again on the
// schedule, and the signed headers verify with the deekpay client.
func TestDeekpayCallbackRetried(t *testing.T) {
	sb := newDeekpaySandbox(t, fakeserver.WithMinute(time.Millisecond))
	cfg := deekpayCfg
	cfg.BaseURL = sb.URL()
	c, err := deekpay.New(cfg)
	require.NoError(t, err)

	var calls atomic.Int64
	got := make(chan *paygate.Callback, 8)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cb, err := c.ParseCallback(r.Header, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		got <- cb
		cb.Ack.Write(w)
	}))
	defer rcv.Close()

	_, err = c.PayIn(context.Background(), &paygate.PayInRequest{OrderID: "SBX-CB-1", NotifyURL: rcv.URL,
		Amount: paygate.MustParseMoney("500", paygate.INR)})
	require.NoError(t, err)
	require.ErrorIs(t, sb.Settle("SBX-CB-1", paygate.StatusSucceeded), fakeserver.ErrNotAcknowledged)
	select {
	case cb := <-got:
		require.Equal(t, paygate.KindPayIn, cb.Kind)
		require.Equal(t, paygate.StatusSucceeded, cb.Status)
		require.Equal(t, "Completed Payment successful", cb.RawStatus, "callbacks carry the text HamBit sends")
		require.Equal(t, "500.00 INR", cb.Amount.String())
	case <-time.After(5 * time.Second):
		t.Fatal("the callback was not retried")
	}
	require.Eventually(t, func() bool {
		ds := sb.Deliveries()
		return len(ds) == 3 && ds[2].Acked && ds[2].Attempt == 3 && !ds[0].Acked && ds[0].StatusCode == 500
	}, 2*time.Second, 5*time.Millisecond)
}

// TestDeekpayAckRule: only HTTP 200 with {"code":200,"success":true} acknowledges.
func TestDeekpayAckRule(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		acked  bool
	}{
		{200, `{"code":200,"success":true}`, true},
		{200, `{"code":"200","success":true}`, true},
		{200, `success`, false},
		{200, `{"code":200,"success":false}`, false},
		{201, `{"code":200,"success":true}`, false},
	} {
		sb := newDeekpaySandbox(t)
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		}))
		cfg := deekpayCfg
		cfg.BaseURL = sb.URL()
		c, err := deekpay.New(cfg)
		require.NoError(t, err)
		_, err = c.PayIn(context.Background(), &paygate.PayInRequest{OrderID: "SBX-ACK", NotifyURL: rcv.URL,
			Amount: paygate.MustParseMoney("1", paygate.INR)})
		require.NoError(t, err)
		err = sb.Settle("SBX-ACK", paygate.StatusSucceeded)
		if tc.acked {
			require.NoError(t, err, tc.body)
		} else {
			require.ErrorIs(t, err, fakeserver.ErrNotAcknowledged, "%d %s", tc.status, tc.body)
		}
		sb.Close()
		rcv.Close()
	}
}

// TestDeekpayFakeStatusShapes: HamBit's documentation (docs.hambit.co/indian) types the
// create-payout answer's orderStatus as a String, and HamBit's own integrations read a
// callback's orderStatus as text ("Completed", "Failed"): the fake sends both so.
func TestDeekpayFakeStatusShapes(t *testing.T) {
	sb := newDeekpaySandbox(t)
	bodies := make(chan []byte, 4)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- b
		_, _ = w.Write([]byte(`{"code":200,"success":true}`))
	}))
	defer rcv.Close()

	out := deekpayCall(t, sb, http.MethodPost, "/api/v3/ind/createTransferOrder", map[string]string{
		"currencyAmount": "100", "channelType": "BANK", "externalOrderId": "SHAPE-OUT", "accountId": "13178968584",
		"accountType": "INR", "ifSC": "YESB0000001", "bankName": "Yes Bank", "notifyUrl": rcv.URL,
	}, deekpayCfg.Secret, nil)
	require.True(t, out.Success, "%+v", out)
	var data map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(out.Data, &data))
	require.JSONEq(t, `"1"`, string(data["orderStatus"]), "a JSON string, as section 25 types it")

	for st, want := range map[paygate.Status]string{paygate.StatusFailed: "Failed", paygate.StatusSucceeded: "Completed"} {
		_ = sb.Settle("SHAPE-OUT", st) // a failed pay-out moved on to succeeded still sends its callback
		var cb map[string]any
		require.NoError(t, json.Unmarshal(<-bodies, &cb))
		require.Equal(t, want, cb["orderStatus"], "callback for %s", st)
	}
}
