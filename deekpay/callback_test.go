package deekpay_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/deekpay"
	"github.com/paygate-go/paygate/internal/kindtest"
)

// vectorHeader is the header of a callback signed with a vector's OpenSSL-computed sign.
func vectorHeader(t testing.TB, name string) http.Header {
	t.Helper()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("access_key", testAccessKey)
	h.Set("timestamp", testTimestamp)
	h.Set("nonce", testNonce)
	h.Set("sign", vectors(t)[name].Sign)
	return h
}

const (
	vecPayIn  = "callback collection (callback_payin.json)"
	vecPayOut = "callback payment, text status, numeric amount (callback_payout.json)"
)

func callbackClient(t testing.TB, now time.Time, opts map[string]string) *deekpay.Client {
	t.Helper()
	cfg := testConfig("https://api.deekpay.example")
	cfg.Options = opts
	return newClientWith(t, cfg, paygate.WithClock(func() time.Time { return now }))
}

func TestCallbackPayIn(t *testing.T) {
	body := testdata(t, "callback_payin.json")
	header := vectorHeader(t, vecPayIn)
	require.Equal(t, header.Get("sign"), signCallback(t, body, testAccessKey, testTimestamp, testNonce, testSecret).Get("sign"),
		"the OpenSSL vector and this test's own HMAC agree")

	c := callbackClient(t, testNow, nil)
	cb, err := c.ParseCallback(header, body)
	require.NoError(t, err)
	require.Equal(t, paygate.KindPayIn, cb.Kind)
	require.Equal(t, "716134866255702461", cb.OrderID)
	require.Equal(t, "DKC1679724896223001", cb.ProviderOrderID)
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
	require.Equal(t, "2 Payment successful", cb.RawStatus)
	require.Equal(t, "40.20 INR", cb.Amount.String())
	require.Equal(t, "0.00 INR", cb.Fee.String())
	require.Equal(t, time.UnixMilli(1679724890000).UTC(), cb.CompletedAt)
	require.Equal(t, paygate.Ack{StatusCode: 200, ContentType: "application/json", Body: `{"code":200,"success":true}`}, cb.Ack)
	require.Equal(t, body, []byte(cb.Raw))
	body[0] = 'X'
	require.NotEqual(t, body[0], cb.Raw[0], "Raw is a copy")
}

func TestCallbackPayOutTextStatus(t *testing.T) {
	body := testdata(t, "callback_payout.json")
	cb, err := callbackClient(t, testNow, nil).ParseCallback(vectorHeader(t, vecPayOut), body)
	require.NoError(t, err)
	require.Equal(t, paygate.KindPayOut, cb.Kind)
	require.Equal(t, "687279463984441035", cb.OrderID)
	require.Equal(t, paygate.StatusSucceeded, cb.Status, "Completed is mapped by name")
	require.Equal(t, "Completed", cb.RawStatus)
	require.Equal(t, "500.00 INR", cb.Amount.String(), "a JSON number, exactly")
	require.Equal(t, "10.00 INR", cb.Fee.String())
}

func TestCallbackStatuses(t *testing.T) {
	for _, tc := range []struct {
		orderType, status string
		want              paygate.Status
	}{
		{"1", `1`, paygate.StatusPending},
		{"1", `2`, paygate.StatusSucceeded},
		{"1", `"2"`, paygate.StatusSucceeded},
		{"1", `16`, paygate.StatusUnknown},
		{"2", `2`, paygate.StatusProcessing},
		{"2", `4`, paygate.StatusFailed},
		{"2", `8`, paygate.StatusSucceeded},
		{"2", `16`, paygate.StatusFailed},
		{"2", `"Failed"`, paygate.StatusFailed},
		{"2", `99`, paygate.StatusUnknown},
	} {
		body := []byte(`{"orderId":"D1","externalOrderId":"M1","orderType":` + tc.orderType + `,"orderStatus":` + tc.status + `,"orderAmount":"10"}`)
		cb, err := callbackClient(t, testNow, nil).ParseCallback(signCallback(t, body, testAccessKey, testTimestamp, testNonce, testSecret), body)
		require.NoError(t, err)
		require.Equal(t, tc.want, cb.Status, "type %s status %s", tc.orderType, tc.status)
	}
}

func TestCallbackRefused(t *testing.T) {
	body := testdata(t, "callback_payin.json")
	good := func() http.Header { return vectorHeader(t, vecPayIn) }
	tolerance := 5 * time.Minute
	for _, tc := range []struct {
		name   string
		header http.Header
		body   []byte
		now    time.Time
		reason string
	}{
		{"forged with another secret", signCallback(t, body, testAccessKey, testTimestamp, testNonce, "not-the-secret"), body, testNow, "does not match"},
		{"amount tampered", good(), bytes.Replace(body, []byte(`"orderAmount":"40.20"`), []byte(`"orderAmount":"4020.00"`), 1), testNow, "does not match"},
		{"status tampered", good(), bytes.Replace(body, []byte(`"orderStatus":2`), []byte(`"orderStatus":1`), 1), testNow, "does not match"},
		{"field added", good(), bytes.Replace(body, []byte(`{`), []byte(`{"extra":"x",`), 1), testNow, "does not match"},
		{"missing sign", without(good(), "sign"), body, testNow, "sign header is missing"},
		{"missing access_key", without(good(), "access_key"), body, testNow, "access_key header is missing"},
		{"missing timestamp", without(good(), "timestamp"), body, testNow, "timestamp header is missing"},
		{"missing nonce", without(good(), "nonce"), body, testNow, "nonce header is missing"},
		{"nonce changed", with(good(), "nonce", "00000000-0000-4000-8000-000000000000"), body, testNow, "does not match"},
		{"timestamp changed", with(good(), "timestamp", "1679724896224"), body, testNow, "does not match"},
		{"truncated sign", with(good(), "sign", good().Get("sign")[:20]), body, testNow, "does not match"},
		{"another access key", signCallback(t, body, "OtherKey", testTimestamp, testNonce, testSecret), body, testNow, "another access_key"},
		{"stale timestamp", good(), body, testNow.Add(tolerance + time.Millisecond), "stale timestamp"},
		{"future timestamp", good(), body, testNow.Add(-tolerance - time.Millisecond), "in the future"},
		{"timestamp in seconds", signCallback(t, body, testAccessKey, "1679724896", testNonce, testSecret), body, testNow, "13 digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := callbackClient(t, tc.now, nil).ParseCallback(tc.header, tc.body)
			require.ErrorIs(t, err, paygate.ErrInvalidSignature)
			var se *paygate.SignatureError
			require.ErrorAs(t, err, &se)
			require.Contains(t, se.Reason, tc.reason)
			require.NotContains(t, err.Error(), good().Get("sign"))
		})
	}
}

func without(h http.Header, k string) http.Header { h.Del(k); return h }

func with(h http.Header, k, v string) http.Header { h.Set(k, v); return h }

func TestCallbackTolerance(t *testing.T) {
	body := testdata(t, "callback_payin.json")
	h := vectorHeader(t, vecPayIn)
	for _, d := range []time.Duration{5 * time.Minute, -5 * time.Minute, 0} {
		_, err := callbackClient(t, testNow.Add(d), nil).ParseCallback(h, body)
		require.NoError(t, err, "exactly %s off is accepted", d)
	}
	c := callbackClient(t, testNow.Add(10*time.Minute), map[string]string{"callback_tolerance": "15m"})
	require.Equal(t, 15*time.Minute, c.CallbackTolerance())
	_, err := c.ParseCallback(h, body)
	require.NoError(t, err)
	c = callbackClient(t, testNow.Add(31*time.Second), map[string]string{"callback_tolerance": "30s"})
	_, err = c.ParseCallback(h, body)
	require.ErrorIs(t, err, paygate.ErrInvalidSignature)
}

func TestCallbackRotation(t *testing.T) {
	body := testdata(t, "callback_payin.json")
	c := callbackClient(t, testNow, map[string]string{"previous_secrets": "old-one, old-two", "previous_access_keys": "OldKey"})
	_, err := c.ParseCallback(signCallback(t, body, testAccessKey, testTimestamp, testNonce, "old-two"), body)
	require.NoError(t, err, "a previous secret verifies")
	_, err = c.ParseCallback(signCallback(t, body, "OldKey", testTimestamp, testNonce, "old-one"), body)
	require.NoError(t, err, "a previous access key is ours")
	_, err = c.ParseCallback(signCallback(t, body, testAccessKey, testTimestamp, testNonce, "old-three"), body)
	require.ErrorIs(t, err, paygate.ErrInvalidSignature)
}

func TestCallbackHeaderForms(t *testing.T) {
	body := testdata(t, "callback_payin.json")
	v := vectors(t)[vecPayIn]
	raw := http.Header{"access_key": {testAccessKey}, "timestamp": {testTimestamp}, "nonce": {testNonce}, "sign": {v.Sign}}
	_, err := callbackClient(t, testNow, nil).ParseCallback(raw, body)
	require.NoError(t, err, "non-canonical header keys, as a map literal")
	upper := http.Header{"ACCESS_KEY": {testAccessKey}, "Timestamp": {testTimestamp}, "NONCE": {testNonce}, "Sign": {v.Sign}}
	_, err = callbackClient(t, testNow, nil).ParseCallback(upper, body)
	require.NoError(t, err)
}

func TestCallbackHeaderValuesWin(t *testing.T) {
	// A body field named like a header does not change what is signed: the header value does.
	body := []byte(`{"orderId":"D1","externalOrderId":"M1","orderType":1,"orderStatus":2,"orderAmount":"10","timestamp":"1"}`)
	h := signCallback(t, body, testAccessKey, testTimestamp, testNonce, testSecret)
	_, err := callbackClient(t, testNow, nil).ParseCallback(h, body)
	require.NoError(t, err)
}

func TestCallbackMalformed(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"not JSON", `orderId=1`},
		{"truncated", `{"orderId":"D1","orderType":1`},
		{"array", `[1,2]`},
		{"duplicate key", `{"orderAmount":"1","orderAmount":"1000","orderType":1,"externalOrderId":"M1"}`},
		{"empty", ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := vectorHeader(t, vecPayIn)
			require.NotPanics(t, func() {
				_, err := callbackClient(t, testNow, nil).ParseCallback(h, []byte(tc.body))
				require.ErrorIs(t, err, paygate.ErrMalformedCallback)
			})
		})
	}
	// Signed, so verified, but not an order DeekPay would send.
	for _, tc := range []struct{ name, body, field string }{
		{"unknown order type", `{"orderId":"D1","externalOrderId":"M1","orderType":3,"orderStatus":2,"orderAmount":"10"}`, "orderType"},
		{"no order type", `{"orderId":"D1","externalOrderId":"M1","orderStatus":2,"orderAmount":"10"}`, "orderType"},
		{"no merchant order", `{"orderId":"D1","orderType":1,"orderStatus":2,"orderAmount":"10"}`, "externalOrderId"},
		{"bad amount", `{"orderId":"D1","externalOrderId":"M1","orderType":1,"orderStatus":2,"orderAmount":"1e3"}`, "orderAmount"},
		{"no amount", `{"orderId":"D1","externalOrderId":"M1","orderType":1,"orderStatus":2}`, "orderAmount"},
		{"bad fee", `{"orderId":"D1","externalOrderId":"M1","orderType":1,"orderStatus":2,"orderAmount":"1","orderFee":{"a":1}}`, "orderFee"},
		{"bad time", `{"orderId":"D1","externalOrderId":"M1","orderType":1,"orderStatus":2,"orderAmount":"1","orderCompleteTime":"soon"}`, "orderCompleteTime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			_, err := callbackClient(t, testNow, nil).ParseCallback(signCallback(t, body, testAccessKey, testTimestamp, testNonce, testSecret), body)
			require.ErrorIs(t, err, paygate.ErrMalformedCallback)
			require.NotErrorIs(t, err, paygate.ErrInvalidSignature)
			require.True(t, strings.Contains(err.Error(), tc.field), err.Error())
		})
	}
}

// TestCallbackCurrencyIsTheClients: DeekPay's client only creates INR orders and its queries
// refuse an order whose currencyType is another currency ("an amount in another currency is
// another amount"). A verified callback stating another currency reached fn as an amount in
// PKR; it is refused alike now, naming currencyType.
func TestCallbackCurrencyIsTheClients(t *testing.T) {
	for _, tc := range []struct {
		name, currency string
		ok             bool
	}{
		{"stated INR", `"INR"`, true},
		{"stated inr", `"inr"`, true},
		{"no currency", `""`, true},
		{"stated PKR", `"PKR"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(`{"orderId":"D1","externalOrderId":"M1","orderType":1,"orderStatus":2,"orderAmount":"1000.00","currencyType":` + tc.currency + `}`)
			c := callbackClient(t, testNow, nil)
			require.Equal(t, paygate.INR, c.Capabilities().Currency)
			cb, err := c.ParseCallback(signCallback(t, body, testAccessKey, testTimestamp, testNonce, testSecret), body)
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, paygate.INR, cb.Amount.Currency())
				return
			}
			require.ErrorIs(t, err, paygate.ErrMalformedCallback, "a callback in %s reached the merchant as %v", tc.currency, cb)
			require.ErrorContains(t, err, "currencyType")
		})
	}
}

// TestForKindRefusesTheOtherSignedKind: DeekPay signs orderType (1 collection, 2 payment), so
// a callback of the other kind arriving at one kind's address is refused as malformed, never
// relabelled: a signed pay-out notification taken as a pay-in would credit a customer with
// money that went out.
func TestForKindRefusesTheOtherSignedKind(t *testing.T) {
	kindtest.RefusesOtherKind(t, callbackClient(t, testNow, nil),
		kindtest.Callback{Header: vectorHeader(t, vecPayIn), Body: testdata(t, "callback_payin.json")},
		kindtest.Callback{Header: vectorHeader(t, vecPayOut), Body: testdata(t, "callback_payout.json")}, paygate.StatusSucceeded)
}

// TestCallbackPayInAmountIsWhatWasPaid: a pay-in's callback carries orderActualAmount, what
// was paid, as the same order reaches fn through webhook.WithConfirm and the tracker
// (paygate.Order.CallbackAmount); orderAmount where orderActualAmount is missing or zero. A
// pay-out's carries its own amount.
func TestCallbackPayInAmountIsWhatWasPaid(t *testing.T) {
	c := callbackClient(t, testNow, nil)
	for _, tc := range []struct{ actual, want string }{
		{`"orderActualAmount":"30.00"`, "30.00 INR"}, // partly paid
		{`"orderActualAmount":30.5`, "30.50 INR"},
		{`"orderActualAmount":"0"`, "40.20 INR"},
		{`"orderActualAmount":""`, "40.20 INR"},
		{`"orderActualAmount":null`, "40.20 INR"},
	} {
		body := bytes.Replace(testdata(t, "callback_payin.json"), []byte(`"orderActualAmount":"40.20"`), []byte(tc.actual), 1)
		cb, err := c.ParseCallback(signCallback(t, body, testAccessKey, testTimestamp, testNonce, testSecret), body)
		require.NoError(t, err, tc.actual)
		require.Equal(t, tc.want, cb.Amount.String(), tc.actual)
	}
	body := bytes.Replace(testdata(t, "callback_payin.json"), []byte(`"orderActualAmount":"40.20"`), []byte(`"orderActualAmount":"4O.20"`), 1)
	_, err := c.ParseCallback(signCallback(t, body, testAccessKey, testTimestamp, testNonce, testSecret), body)
	var ce *paygate.CallbackError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "orderActualAmount", ce.Field)
}
