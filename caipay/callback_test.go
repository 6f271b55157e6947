package caipay_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/caipay"
)

// sampleCanonical is the values of the callback sample in CaiPay's API document, in ASCII key
// order (customerOrderNo, description, orderAmount, orderMessage, orderStatus, payUtrNo,
// platOrderNo, token), written out by hand.
const sampleCanonical = "TEST98989898" + "No data" + "10" + "SUCCESS" + "SUCCESS" + "1111111111111" + "1111111111111111" + testToken

// resign replaces the document's signKey in body with sig.
func resign(t testing.TB, body []byte, sig string) []byte {
	t.Helper()
	require.Contains(t, string(body), docSignKey)
	return []byte(strings.Replace(string(body), docSignKey, sig, 1))
}

// signedSample is the document's sample callback re-signed with secret.
func signedSample(t testing.TB, name, secret string) []byte {
	t.Helper()
	return resign(t, testdata(t, name), md5hex(sampleCanonical+secret))
}

// signBody builds a callback body from fields and signs it with secret, computing the
// canonical string independently of the package (sorted keys, non-empty values, no signKey).
func signBody(t testing.TB, fields map[string]string, secret string) []byte {
	t.Helper()
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys) // byte-wise: ASCII order, as the Java sample of CaiPay's API document sorts
	var b strings.Builder
	for _, k := range keys {
		if k != "signKey" && fields[k] != "" {
			b.WriteString(fields[k])
		}
	}
	out := map[string]string{"signKey": md5hex(b.String() + secret)}
	for k, v := range fields {
		out[k] = v
	}
	body, err := json.Marshal(out)
	require.NoError(t, err)
	return body
}

func sampleFields() map[string]string {
	return map[string]string{
		"customerOrderNo": "TEST98989898", "description": "No data", "orderAmount": "10", "orderStatus": "SUCCESS",
		"payUtrNo": "1111111111111", "platOrderNo": "1111111111111111", "orderMessage": "SUCCESS", "token": testToken,
	}
}

func callbackClient(t *testing.T, options map[string]string) *caipay.Client {
	t.Helper()
	cfg := testConfig("http://127.0.0.1:1")
	cfg.Options = options
	c, err := caipay.New(cfg)
	require.NoError(t, err)
	return c
}

func TestCallbackSamples(t *testing.T) {
	c := callbackClient(t, nil)
	for _, name := range []string{"callback_payin.json", "callback_payout.json"} {
		t.Run(name, func(t *testing.T) {
			body := signedSample(t, name, testSecret)
			cb, err := c.ParseCallback(http.Header{"Content-Type": {"application/json"}}, body)
			require.NoError(t, err)
			require.Equal(t, paygate.KindPayIn, cb.Kind, "the samples carry no pay-out field")
			require.Equal(t, "TEST98989898", cb.OrderID)
			require.Equal(t, "1111111111111111", cb.ProviderOrderID)
			require.Equal(t, paygate.StatusSucceeded, cb.Status)
			require.Equal(t, "SUCCESS", cb.RawStatus)
			require.True(t, cb.Amount.Equal(inr("10")), "amount %s", cb.Amount)
			require.Equal(t, "1111111111111", cb.UTR)
			require.Equal(t, body, []byte(cb.Raw))
			require.Equal(t, paygate.Ack{StatusCode: 200, ContentType: "text/plain; charset=utf-8", Body: "success"}, cb.Ack)

			body[0] = ' ' // Raw is a copy
			require.Equal(t, byte('{'), cb.Raw[0])
		})
	}
}

func TestCallbackKind(t *testing.T) {
	c := callbackClient(t, nil)
	payout := sampleFields()
	payout["bankAccountNumber"] = "123456789012"
	payoutBody := signBody(t, payout, testSecret)
	payinBody := signedSample(t, "callback_payout.json", testSecret)

	// CaiPay signs values, not keys: an undocumented key could be a renamed one, so the kind is
	// never read from key names, and such a body is refused.
	_, err := c.ParseCallback(nil, payoutBody)
	require.ErrorIs(t, err, paygate.ErrMalformedCallback)
	payoutBody = payinBody
	cb, err := c.ParseCallback(nil, payinBody)
	require.NoError(t, err)
	require.Equal(t, paygate.KindPayIn, cb.Kind, "nothing signed tells the kind: the default")

	cb, err = c.ParseCallbackKind(paygate.KindPayOut, nil, payinBody)
	require.NoError(t, err)
	require.Equal(t, paygate.KindPayOut, cb.Kind, "the caller knows the kind from its callback URL")

	cb, err = c.ParseCallbackKind(paygate.KindPayIn, nil, payoutBody)
	require.NoError(t, err)
	require.Equal(t, paygate.KindPayIn, cb.Kind)

	cb, err = c.ForKind(paygate.KindPayOut).ParseCallback(nil, payinBody)
	require.NoError(t, err)
	require.Equal(t, paygate.KindPayOut, cb.Kind)
	require.Equal(t, "caipay", c.ForKind(paygate.KindPayOut).Name())

	_, err = c.ParseCallbackKind("refund", nil, payinBody)
	require.Error(t, err)
	_, err = c.ForKind("").ParseCallback(nil, payinBody)
	require.Error(t, err)
	_, err = c.ParseCallbackKind(paygate.KindPayOut, nil, resign(t, testdata(t, "callback_payout.json"), md5hex("forged")))
	require.ErrorIs(t, err, paygate.ErrInvalidSignature, "ParseCallbackKind verifies too")
}

func TestCallbackNormalizes(t *testing.T) {
	c := callbackClient(t, nil)
	for _, tc := range []struct {
		status string
		want   paygate.Status
	}{
		{"PENDING", paygate.StatusPending}, {"PROCESSING", paygate.StatusProcessing}, {"SUCCESS", paygate.StatusSucceeded},
		{"FAILED", paygate.StatusFailed}, {"REVERSED", paygate.StatusReversed}, {"ARRIVED", paygate.StatusUnknown},
	} {
		t.Run(tc.status, func(t *testing.T) {
			f := sampleFields()
			f["orderStatus"] = tc.status
			cb, err := c.ParseCallback(nil, signBody(t, f, testSecret))
			require.NoError(t, err)
			require.Equal(t, tc.want, cb.Status)
			require.Equal(t, tc.status, cb.RawStatus)
		})
	}
	t.Run("no UTR", func(t *testing.T) {
		f := sampleFields()
		f["payUtrNo"] = "None"
		cb, err := c.ParseCallback(nil, signBody(t, f, testSecret))
		require.NoError(t, err)
		require.Empty(t, cb.UTR)
	})
	t.Run("amount as a number", func(t *testing.T) {
		// A JSON number is signed as its text: "10.50".
		body := []byte(`{"customerOrderNo":"TEST98989898","orderAmount":10.50,"orderStatus":"SUCCESS","platOrderNo":"P1","token":"` + testToken +
			`","signKey":"` + md5hex("TEST98989898"+"10.50"+"SUCCESS"+"P1"+testToken+testSecret) + `"}`)
		cb, err := c.ParseCallback(nil, body)
		require.NoError(t, err)
		require.True(t, cb.Amount.Equal(inr("10.5")))
	})
	t.Run("upper-case signKey", func(t *testing.T) {
		body := resign(t, testdata(t, "callback_payin.json"), strings.ToUpper(md5hex(sampleCanonical+testSecret)))
		_, err := c.ParseCallback(nil, body)
		require.NoError(t, err)
	})
}

func TestCallbackPreviousSecret(t *testing.T) {
	c := callbackClient(t, map[string]string{"previous_secrets": "old-one, old-two"})
	for _, secret := range []string{testSecret, "old-one", "old-two"} {
		_, err := c.ParseCallback(nil, signedSample(t, "callback_payin.json", secret))
		require.NoError(t, err, secret)
	}
	_, err := c.ParseCallback(nil, signedSample(t, "callback_payin.json", "old-three"))
	require.ErrorIs(t, err, paygate.ErrInvalidSignature)

	_, err = callbackClient(t, nil).ParseCallback(nil, signedSample(t, "callback_payin.json", "old-one"))
	require.ErrorIs(t, err, paygate.ErrInvalidSignature, "without the option a previous secret is refused")
}

func TestCallbackRejected(t *testing.T) {
	c := callbackClient(t, nil)
	good := string(signedSample(t, "callback_payin.json", testSecret))
	goodSig := md5hex(sampleCanonical + testSecret)
	withoutToken := sampleFields()
	delete(withoutToken, "token")
	otherToken := sampleFields()
	otherToken["token"] = "a41fd77e034d424b97e64ea42f17c544"
	tests := []struct {
		name string
		body []byte
	}{
		{"document's own signature (secret unknown)", testdata(t, "callback_payin.json")},
		{"forged signature", signedSample(t, "callback_payin.json", "not-the-secret")},
		{"tampered amount", []byte(strings.Replace(good, `"orderAmount":"10"`, `"orderAmount":"10000"`, 1))},
		{"tampered status", []byte(strings.Replace(good, `"orderStatus":"SUCCESS"`, `"orderStatus":"FAILED"`, 1))},
		{"tampered order", []byte(strings.Replace(good, `"customerOrderNo":"TEST98989898"`, `"customerOrderNo":"TEST98989899"`, 1))},
		{"added field", []byte(strings.Replace(good, `{`, `{"bankAccountNumber":"1",`, 1))},
		{"missing signKey", []byte(strings.Replace(good, `,
    "signKey":"`+goodSig+`"`, ``, 1))},
		{"empty signKey", []byte(strings.Replace(good, goodSig, ``, 1))},
		{"signKey null", []byte(strings.Replace(good, `"`+goodSig+`"`, `null`, 1))},
		{"truncated signKey", []byte(strings.Replace(good, goodSig, goodSig[:31], 1))},
		{"signed without token", signBody(t, withoutToken, testSecret)},
		{"signed for another token", signBody(t, otherToken, testSecret)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.NotEqual(t, good, string(tc.body))
			cb, err := c.ParseCallback(nil, tc.body)
			require.Nil(t, cb)
			require.ErrorIs(t, err, paygate.ErrInvalidSignature)
			var se *paygate.SignatureError
			require.ErrorAs(t, err, &se)
			require.NotContains(t, err.Error(), goodSig)
			require.NotContains(t, err.Error(), testToken)
		})
	}
}

func TestCallbackMalformed(t *testing.T) {
	c := callbackClient(t, nil)
	noOrder := sampleFields()
	delete(noOrder, "customerOrderNo")
	badAmount := sampleFields()
	badAmount["orderAmount"] = "10,00"
	noAmount := sampleFields()
	delete(noAmount, "orderAmount")
	tests := map[string][]byte{
		"empty":              nil,
		"not JSON":           []byte("customerOrderNo=TEST98989898&signKey=x"),
		"array":              []byte(`[]`),
		"truncated":          testdata(t, "callback_payin.json")[:40],
		"duplicate key":      []byte(`{"signKey":"a","signKey":"b"}`),
		"data after":         append(signedSample(t, "callback_payin.json", testSecret), []byte(` {}`)...),
		"signed, no order":   signBody(t, noOrder, testSecret),
		"signed, bad amount": signBody(t, badAmount, testSecret),
		"signed, no amount":  signBody(t, noAmount, testSecret),
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			cb, err := c.ParseCallback(nil, body)
			require.Nil(t, cb)
			require.ErrorIs(t, err, paygate.ErrMalformedCallback)
			require.NotErrorIs(t, err, paygate.ErrInvalidSignature)
		})
	}
}
