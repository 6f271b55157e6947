package paypro_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paypro"
)

// The platform's notify example (docs.paypro.tech), in the field set paygate reads for India:
// {status, message, platFormTradeNo, tradeNo, amount, utr?, timestamp, sign}. Its sign was made
// with a secret the document does not give, so tests re-sign it with testSecret.
const sampleCallback = `{"platFormTradeNo":"5286e98841194687a95d25b5f3be346d","tradeNo":"00000020","amount":"30000","status":"0000","message":"SUCCESS","utr":"341234567890","timestamp":"1724142641682","sign":"4a7a4f0b5bd0b9c1b8d3d3b7e2f3c9a1"}`

// signBody re-signs a JSON object body: every field as signing.Fields reads it (numbers as their
// JSON text), sign recomputed by hand with md5Sign. Key order and number formats are kept.
func signBody(t testing.TB, body, secret string) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var raw map[string]any
	require.NoError(t, dec.Decode(&raw))
	fields := map[string]string{}
	for k, v := range raw {
		switch x := v.(type) {
		case string:
			fields[k] = x
		case json.Number:
			fields[k] = x.String()
		}
	}
	sign := md5Sign(fields, secret)
	if _, has := raw["sign"]; has {
		old, _ := raw["sign"].(string)
		return strings.Replace(body, `"sign":"`+old+`"`, `"sign":"`+sign+`"`, 1)
	}
	return strings.TrimSuffix(body, "}") + `,"sign":"` + sign + `"}`
}

func callbackClient(t *testing.T, options map[string]string) *paypro.Client {
	t.Helper()
	cfg := testConfig("https://paypro.example")
	cfg.Options = options
	c, err := paypro.New(cfg)
	require.NoError(t, err)
	return c
}

func TestParseCallback(t *testing.T) {
	c := callbackClient(t, nil)
	body := signBody(t, sampleCallback, testSecret)
	cb, err := c.ParseCallback(http.Header{"Content-Type": {"application/json"}}, []byte(body))
	require.NoError(t, err)
	require.Equal(t, paygate.KindPayOut, cb.Kind, "no pay-in-only field: a pay-out")
	require.Equal(t, "00000020", cb.OrderID)
	require.Equal(t, "5286e98841194687a95d25b5f3be346d", cb.ProviderOrderID)
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
	require.Equal(t, "0000", cb.RawStatus)
	require.Equal(t, "30000.00 INR", cb.Amount.String())
	require.Equal(t, "341234567890", cb.UTR)
	require.Equal(t, body, string(cb.Raw))
	require.Equal(t, paygate.Ack{StatusCode: 200, ContentType: "text/plain; charset=utf-8", Body: "OK"}, cb.Ack)

	raw := []byte(body)
	cb, err = c.ParseCallback(nil, raw)
	require.NoError(t, err)
	raw[2] = 'X'
	require.Equal(t, body, string(cb.Raw), "Raw is a copy")
}

func TestParseCallbackVariants(t *testing.T) {
	for name, tc := range map[string]struct {
		options map[string]string
		body    string
		kind    paygate.Kind
		status  paygate.Status
		amount  string
		done    time.Time
	}{
		"pay-in with channelCode and wayCode, amount a number": {nil,
			`{"platFormTradeNo":"P1","tradeNo":"IN1","amount":300.00,"status":"0000","message":"SUCCESS","successTime":"2024-08-20 13:50:41","channelCode":"UPI","wayCode":"UPI","timestamp":"1724142641682"}`,
			paygate.KindPayIn, paygate.StatusSucceeded, "300", time.Date(2024, 8, 20, 8, 20, 41, 0, time.UTC)},
		"partial payment is a pay-in": {nil,
			`{"platFormTradeNo":"P1","tradeNo":"IN1","amount":"250","status":"0001","message":"Partial payment","timestamp":"1724142641682"}`,
			paygate.KindPayIn, paygate.StatusSucceeded, "250", time.Time{}},
		"failed pay-out": {nil,
			`{"platFormTradeNo":"P1","tradeNo":"OUT1","amount":"300","status":"00029","message":"REJECTED_TRANSACTION","timestamp":"1724142641682"}`,
			paygate.KindPayOut, paygate.StatusFailed, "300", time.Time{}},
		"payout_prefix: a pay-in": {map[string]string{"payout_prefix": "WD"},
			`{"platFormTradeNo":"P1","tradeNo":"IN1","amount":"300","status":"0015","message":"","timestamp":"1724142641682"}`,
			paygate.KindPayIn, paygate.StatusProcessing, "300", time.Time{}},
		"payout_prefix: a pay-out": {map[string]string{"payout_prefix": "WD"},
			`{"platFormTradeNo":"P1","tradeNo":"WD1","amount":"300","status":"0000","message":"SUCCESS","channelCode":"UPI","timestamp":"1724142641682"}`,
			paygate.KindPayOut, paygate.StatusSucceeded, "300", time.Time{}},
		"callback_kind wins": {map[string]string{"callback_kind": "payin", "payout_prefix": "WD"},
			`{"platFormTradeNo":"P1","tradeNo":"WD1","amount":"300","status":"0000","message":"SUCCESS","timestamp":"1724142641682"}`,
			paygate.KindPayIn, paygate.StatusSucceeded, "300", time.Time{}},
		"unreadable successTime is ignored": {nil,
			`{"platFormTradeNo":"P1","tradeNo":"OUT1","amount":"300","status":"0000","message":"SUCCESS","successTime":"yesterday","timestamp":"1724142641682"}`,
			paygate.KindPayOut, paygate.StatusSucceeded, "300", time.Time{}},
	} {
		t.Run(name, func(t *testing.T) {
			cb, err := callbackClient(t, tc.options).ParseCallback(nil, []byte(signBody(t, tc.body, testSecret)))
			require.NoError(t, err)
			require.Equal(t, tc.kind, cb.Kind)
			require.Equal(t, tc.status, cb.Status)
			require.True(t, money(tc.amount).Equal(cb.Amount), "amount %s", cb.Amount)
			require.True(t, tc.done.Equal(cb.CompletedAt), "completed %s", cb.CompletedAt)
		})
	}
}

func TestParseCallbackRefused(t *testing.T) {
	good := signBody(t, sampleCallback, testSecret)
	for name, body := range map[string]string{
		"forged":          signBody(t, sampleCallback, "not-the-secret"),
		"tampered amount": strings.Replace(good, `"amount":"30000"`, `"amount":"90000"`, 1),
		"amount as number changes the signed text": strings.Replace(good, `"amount":"30000"`, `"amount":30000.0`, 1),
		"tampered status":                          strings.Replace(good, `"status":"0000"`, `"status":"0001"`, 1),
		"added field":                              strings.Replace(good, `"tradeNo"`, `"channelCode":"UPI","tradeNo"`, 1),
		"missing sign":                             strings.Replace(sampleCallback, `,"sign":"4a7a4f0b5bd0b9c1b8d3d3b7e2f3c9a1"`, "", 1),
		"empty sign":                               strings.Replace(sampleCallback, `"sign":"4a7a4f0b5bd0b9c1b8d3d3b7e2f3c9a1"`, `"sign":""`, 1),
		"sign a number":                            strings.Replace(sampleCallback, `"sign":"4a7a4f0b5bd0b9c1b8d3d3b7e2f3c9a1"`, `"sign":12345`, 1),
		"another merchant":                         signBody(t, strings.Replace(sampleCallback, `"tradeNo"`, `"merchantNo":"M99999","tradeNo"`, 1), testSecret),
	} {
		t.Run(name, func(t *testing.T) {
			cb, err := callbackClient(t, nil).ParseCallback(nil, []byte(body))
			require.Nil(t, cb)
			require.ErrorIs(t, err, paygate.ErrInvalidSignature)
			var se *paygate.SignatureError
			require.ErrorAs(t, err, &se)
			require.NotContains(t, err.Error(), testSecret)
		})
	}
	t.Run("merchantNo header of another merchant", func(t *testing.T) {
		_, err := callbackClient(t, nil).ParseCallback(http.Header{"Merchantno": {"M99999"}}, []byte(good))
		require.ErrorIs(t, err, paygate.ErrInvalidSignature)
	})
	for _, v := range []string{`""`, `null`} {
		t.Run("merchantNo "+v+" is unsigned and names no merchant", func(t *testing.T) {
			body := strings.Replace(good, `"tradeNo"`, `"merchantNo":`+v+`,"tradeNo"`, 1)
			_, err := callbackClient(t, nil).ParseCallback(nil, []byte(body))
			require.NoError(t, err)
		})
	}
	t.Run("own merchantNo accepted", func(t *testing.T) {
		body := signBody(t, strings.Replace(sampleCallback, `"tradeNo"`, `"merchantNo":"M10001","tradeNo"`, 1), testSecret)
		_, err := callbackClient(t, nil).ParseCallback(http.Header{"Merchantno": {testMerchant}}, []byte(body))
		require.NoError(t, err)
	})
}

func TestParseCallbackPreviousSecret(t *testing.T) {
	c := callbackClient(t, map[string]string{"previous_secrets": "old-one, old-two"})
	for _, secret := range []string{testSecret, "old-one", "old-two"} {
		_, err := c.ParseCallback(nil, []byte(signBody(t, sampleCallback, secret)))
		require.NoError(t, err, secret)
	}
	_, err := c.ParseCallback(nil, []byte(signBody(t, sampleCallback, "old-three")))
	require.ErrorIs(t, err, paygate.ErrInvalidSignature)
}

func TestParseCallbackMalformed(t *testing.T) {
	c := callbackClient(t, nil)
	for name, body := range map[string]string{
		"empty":          ``,
		"not json":       `status=0000&sign=abc`,
		"array":          `[1,2]`,
		"truncated":      sampleCallback[:40],
		"duplicate key":  strings.Replace(sampleCallback, `"tradeNo":"00000020"`, `"tradeNo":"00000020","tradeNo":"00000021"`, 1),
		"trailing data":  sampleCallback + `{}`,
		"nested garbage": `{"a":{"b":[}}`,
	} {
		t.Run(name, func(t *testing.T) {
			cb, err := c.ParseCallback(nil, []byte(body))
			require.Nil(t, cb)
			require.ErrorIs(t, err, paygate.ErrMalformedCallback)
		})
	}
	// Signed but unusable: verified first, then refused as malformed.
	for name, body := range map[string]string{
		"no tradeNo":   `{"platFormTradeNo":"P1","amount":"300","status":"0000","timestamp":"1"}`,
		"no status":    `{"platFormTradeNo":"P1","tradeNo":"T1","amount":"300","timestamp":"1"}`,
		"no amount":    `{"platFormTradeNo":"P1","tradeNo":"T1","status":"0000","timestamp":"1"}`,
		"bad amount":   `{"platFormTradeNo":"P1","tradeNo":"T1","amount":"3e2","status":"0000","timestamp":"1"}`,
		"amount words": `{"platFormTradeNo":"P1","tradeNo":"T1","amount":"three","status":"0000","timestamp":"1"}`,
	} {
		t.Run("signed "+name, func(t *testing.T) {
			cb, err := c.ParseCallback(nil, []byte(signBody(t, body, testSecret)))
			require.Nil(t, cb)
			require.ErrorIs(t, err, paygate.ErrMalformedCallback)
			require.NotErrorIs(t, err, paygate.ErrInvalidSignature)
		})
	}
}

// TestNoSecretInErrorsOrLogs drives every failure path with a debug JSON logger and checks that
// neither the secret nor a full signature appears in a log line or an error.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var errs []error
	for _, reply := range []http.HandlerFunc{
		jsonReply(`{"msg":"sign error","code":"1001","success":false,"data":null}`),
		jsonReply(`<html>oops</html>`),
		ok(`{"platFormTradeNo":"P1","status":"00029","desc":"REJECTED_TRANSACTION"}`),
		ok(payInData),
	} {
		s := newServer(t, reply)
		c := newClient(t, s, func(cfg *paygate.Config) {
			cfg.Options = map[string]string{"previous_secrets": "older-secret-9d2c"}
		}, paygate.WithLogger(logger))
		for _, ep := range endpoints {
			errs = append(errs, ep.call(c))
		}
		bad := payInRequest()
		bad.Amount = money("1.5")
		_, err := c.PayIn(t.Context(), bad)
		errs = append(errs, err)
		var signs []string
		s.mu.Lock()
		reqs := append([]recorded(nil), s.reqs...)
		s.mu.Unlock()
		for _, r := range reqs {
			var body map[string]string
			require.NoError(t, json.Unmarshal(r.Body, &body))
			signs = append(signs, body["sign"])
		}
		for _, e := range errs {
			if e == nil {
				continue
			}
			require.NotContains(t, e.Error(), testSecret)
			for _, sign := range signs {
				require.NotContains(t, e.Error(), sign)
			}
		}
		for _, sign := range signs {
			require.NotContains(t, logs.String(), sign)
		}
	}
	c := callbackClient(t, map[string]string{"previous_secrets": "older-secret-9d2c"})
	forged := signBody(t, sampleCallback, "wrong")
	_, err := c.ParseCallback(nil, []byte(forged))
	require.Error(t, err)
	errs = append(errs, err)
	require.NotEmpty(t, logs.String(), "the debug logger saw the requests")
	for _, secret := range []string{testSecret, "older-secret-9d2c"} {
		require.NotContains(t, logs.String(), secret)
		for _, e := range errs {
			if e != nil {
				require.NotContains(t, e.Error(), secret)
			}
		}
	}
}

// TestNumericStatusCallbackIsNotFailed: PayPro documents status as a string of leading-zero
// codes (data.status, string: "0000" successful, "0015" processing). A query whose data.status
// arrives as a JSON number is refused as malformed, but the same value in a callback is read
// as its JSON text ("15", "0") and, being digits, fell into "any other code is failed":
// processing and success became StatusFailed, and for a pay-out a final "failed" while PayPro
// is still paying makes the merchant refund the wallet: a double payout.
func TestNumericStatusCallbackIsNotFailed(t *testing.T) {
	for name, body := range map[string]string{
		"0015 as number 15 (processing)": `{"platFormTradeNo":"P1","tradeNo":"OUT1","amount":"300","status":15,"message":"PROCESSING","timestamp":"1724142641682"}`,
		"0000 as number 0 (success)":     `{"platFormTradeNo":"P1","tradeNo":"OUT1","amount":"300","status":0,"message":"SUCCESS","timestamp":"1724142641682"}`,
	} {
		t.Run(name, func(t *testing.T) {
			cb, err := callbackClient(t, map[string]string{"callback_kind": "payout"}).
				ParseCallback(nil, []byte(signBody(t, body, testSecret)))
			if err != nil {
				return // refused like the query: acceptable
			}
			require.NotEqual(t, paygate.StatusFailed, cb.Status,
				"pay-out callback status %q (a JSON number) reported %q", cb.RawStatus, cb.Status)
		})
	}
}

// TestNumericStatusQueryAndCallbackAgree: the query of the same order answering status 15 is
// an error; the callback was a final failure, and is not final now.
func TestNumericStatusQueryAndCallbackAgree(t *testing.T) {
	s := newServer(t, ok(`{"tradeNo":"OUT1","platFormTradeNo":"P1","amount":"300","status":15,"desc":"PROCESSING"}`))
	_, qerr := newClient(t, s, nil).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "OUT1"})
	cb, cerr := callbackClient(t, map[string]string{"callback_kind": "payout"}).ParseCallback(nil,
		[]byte(signBody(t, `{"platFormTradeNo":"P1","tradeNo":"OUT1","amount":"300","status":15,"message":"PROCESSING","timestamp":"1724142641682"}`, testSecret)))
	require.Error(t, qerr, "query refuses a numeric status")
	if cerr == nil {
		require.False(t, cb.Status.Final(), "query: error %v; callback: final %q for the same status 15", qerr, cb.Status)
	}
}
