package cashgit_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/internal/kindtest"
	"github.com/paygate-go/paygate/signing"
)

// The canonical strings of the document's two sample callbacks, written by hand from the
// rule: keys in ASCII order, sign left out, paytime / completed_at as their JSON number text.
const (
	payInCanonical = "amount=100.00&orderid=ORDER_20231201001&paytime=1701422400000" +
		"&platform_orderid=CG202312010001&status=paid&utr=341234567890"
	payOutCanonical = "actual_amount=490.00&amount=500.00&completed_at=1701422400000&fee=10.00" +
		"&orderid=PAYOUT_20231201001&platform_orderid=PO202312010001&status=success&utr=341234567891"
)

var wantAck = paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: "success"}

func TestCallbackSamples(t *testing.T) {
	cases := []struct {
		name      string
		file      string
		canonical string
		sign      func(canonical, secret string) string
		style     string // the client's own sign_style: callbacks verify under either
		check     func(t *testing.T, cb *paygate.Callback)
	}{
		{"pay-in key_param", "payin_callback.json", payInCanonical, keyParamSign, cashgit.SignKeyParam, checkPayInCallback},
		{"pay-in append", "payin_callback.json", payInCanonical, appendSign, cashgit.SignKeyParam, checkPayInCallback},
		{"pay-in key_param, append client", "payin_callback.json", payInCanonical, keyParamSign, cashgit.SignAppend, checkPayInCallback},
		{"pay-out key_param", "payout_callback.json", payOutCanonical, keyParamSign, cashgit.SignKeyParam, checkPayOutCallback},
		{"pay-out append", "payout_callback.json", payOutCanonical, appendSign, cashgit.SignAppend, checkPayOutCallback},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t, "http://127.0.0.1:1", map[string]string{"sign_style": tc.style})
			body := withSign(t, testdata(t, tc.file), tc.sign(tc.canonical, testSecret))
			cb, err := c.ParseCallback(http.Header{"Content-Type": {"application/json"}}, body)
			require.NoError(t, err)
			require.Equal(t, wantAck, cb.Ack)
			require.Equal(t, string(body), string(cb.Raw))
			body[0] = 'X'
			require.Equal(t, byte('{'), cb.Raw[0], "Raw is a copy of the body")
			tc.check(t, cb)

			// Upper-case hex is the same signature.
			upper := withSign(t, testdata(t, tc.file), strings.ToUpper(tc.sign(tc.canonical, testSecret)))
			_, err = c.ParseCallback(nil, upper)
			require.NoError(t, err)
		})
	}
}

func checkPayInCallback(t *testing.T, cb *paygate.Callback) {
	t.Helper()
	require.Equal(t, paygate.KindPayIn, cb.Kind)
	require.Equal(t, "ORDER_20231201001", cb.OrderID)
	require.Equal(t, "CG202312010001", cb.ProviderOrderID)
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
	require.Equal(t, "paid", cb.RawStatus)
	requireMoney(t, "100.00", cb.Amount)
	require.True(t, cb.Fee.IsZero())
	require.Equal(t, "341234567890", cb.UTR)
	require.True(t, cb.CompletedAt.Equal(docTime), "paytime %s", cb.CompletedAt)
	require.Empty(t, cb.ParentOrderID)
}

func checkPayOutCallback(t *testing.T, cb *paygate.Callback) {
	t.Helper()
	require.Equal(t, paygate.KindPayOut, cb.Kind)
	require.Equal(t, "PAYOUT_20231201001", cb.OrderID)
	require.Equal(t, "PO202312010001", cb.ProviderOrderID)
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
	require.Equal(t, "success", cb.RawStatus)
	requireMoney(t, "500.00", cb.Amount)
	requireMoney(t, "10.00", cb.Fee)
	require.Equal(t, "341234567891", cb.UTR)
	require.True(t, cb.CompletedAt.Equal(docTime), "completed_at %s", cb.CompletedAt)
}

// TestCallbackRejected: forged, tampered or unsigned callbacks are ErrInvalidSignature and
// the error never quotes the signature.
func TestCallbackRejected(t *testing.T) {
	c := client(t, "http://127.0.0.1:1", map[string]string{"previous_secrets": "old-secret-1"})
	payIn := testdata(t, "payin_callback.json")
	payOut := testdata(t, "payout_callback.json")
	good := keyParamSign(payInCanonical, testSecret)
	goodOut := keyParamSign(payOutCanonical, testSecret)
	replace := func(b []byte, old, new string) []byte {
		require.Equal(t, 1, bytes.Count(b, []byte(old)), old)
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
	cases := []struct {
		name string
		body []byte
	}{
		{"forged with another secret", withSign(t, payIn, keyParamSign(payInCanonical, "guessed-secret"))},
		{"forged in append style", withSign(t, payIn, appendSign(payInCanonical, "guessed-secret"))},
		{"the document's placeholder", payIn},
		{"signed without the secret", withSign(t, payIn, md5hex(payInCanonical))},
		{"amount tampered", replace(withSign(t, payIn, good), `"100.00"`, `"1000.00"`)},
		{"status tampered", replace(withSign(t, payIn, good), `"paid"`, `"PAID"`)},
		{"utr tampered", replace(withSign(t, payIn, good), `"341234567890"`, `"341234567899"`)},
		{"paytime tampered", replace(withSign(t, payIn, good), `1701422400000`, `1701422400001`)},
		{"paytime rewritten as 1.7014224e12", replace(withSign(t, payIn, good), `1701422400000`, `1.7014224e12`)},
		{"order id swapped", replace(withSign(t, payIn, good), `"ORDER_20231201001"`, `"ORDER_20231201002"`)},
		{"field added", replace(withSign(t, payIn, good), `"utr"`, `"desc": "x", "utr"`)},
		{"pay-out fee tampered", replace(withSign(t, payOut, goodOut), `"10.00"`, `"0.00"`)},
		{"pay-out amount tampered", replace(withSign(t, payOut, goodOut), `"500.00"`, `"5000.00"`)},
		{"sign missing", replace(payIn, `,
  "sign": "a1b2c3..."`, ``)},
		{"sign empty", withSign(t, payIn, "")},
		{"sign null", replace(payIn, `"a1b2c3..."`, `null`)},
		{"sign truncated", withSign(t, payIn, good[:31])},
		{"sign of the pay-out on the pay-in", withSign(t, payIn, goodOut)},
		{"another merchant's callback", replace(withSign(t, payIn, keyParamSign("amount=100.00&appid=M99999&orderid=ORDER_20231201001"+
			"&paytime=1701422400000&platform_orderid=CG202312010001&status=paid&utr=341234567890", testSecret)),
			`"utr"`, `"appid": "M99999", "utr"`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cb, err := c.ParseCallback(nil, tc.body)
			require.Nil(t, cb)
			require.ErrorIs(t, err, paygate.ErrInvalidSignature)
			var se *paygate.SignatureError
			require.ErrorAs(t, err, &se)
			require.Equal(t, "cashgit", se.Provider)
			require.NotContains(t, err.Error(), good)
			require.NotContains(t, err.Error(), testSecret)
		})
	}
}

// TestCallbackSameMerchant: an appid naming this merchant is signed and accepted.
func TestCallbackSameMerchant(t *testing.T) {
	c := client(t, "http://127.0.0.1:1", nil)
	canonical := "amount=100.00&appid=M10001&orderid=ORDER_20231201001&paytime=1701422400000" +
		"&platform_orderid=CG202312010001&status=paid&utr=341234567890"
	body := bytes.Replace(withSign(t, testdata(t, "payin_callback.json"), keyParamSign(canonical, testSecret)),
		[]byte(`"utr"`), []byte(`"appid": "M10001", "utr"`), 1)
	cb, err := c.ParseCallback(nil, body)
	require.NoError(t, err)
	require.Equal(t, "ORDER_20231201001", cb.OrderID)

	// An empty or null appid is not signed, and names no merchant: it is not another's.
	good := withSign(t, testdata(t, "payin_callback.json"), keyParamSign(payInCanonical, testSecret))
	for _, v := range []string{`""`, `null`} {
		_, err := c.ParseCallback(nil, bytes.Replace(good, []byte(`"utr"`), []byte(`"appid": `+v+`, "utr"`), 1))
		require.NoError(t, err, "appid %s", v)
	}
}

// TestCallbackPreviousSecrets: callbacks signed with a previous secret still verify.
func TestCallbackPreviousSecrets(t *testing.T) {
	c := client(t, "http://127.0.0.1:1", map[string]string{"previous_secrets": "old-secret-1, old-secret-2"})
	for _, secret := range []string{testSecret, "old-secret-1", "old-secret-2"} {
		for _, sign := range []func(string, string) string{keyParamSign, appendSign} {
			cb, err := c.ParseCallback(nil, withSign(t, testdata(t, "payout_callback.json"), sign(payOutCanonical, secret)))
			require.NoError(t, err, secret)
			checkPayOutCallback(t, cb)
		}
	}
	_, err := c.ParseCallback(nil, withSign(t, testdata(t, "payin_callback.json"), keyParamSign(payInCanonical, "old-secret-3")))
	require.ErrorIs(t, err, paygate.ErrInvalidSignature)

	// Without previous_secrets the old one is refused.
	_, err = client(t, "http://127.0.0.1:1", nil).ParseCallback(nil,
		withSign(t, testdata(t, "payin_callback.json"), keyParamSign(payInCanonical, "old-secret-1")))
	require.ErrorIs(t, err, paygate.ErrInvalidSignature)
}

// TestCallbackNumbers: numbers sign as their JSON text, so the same value written as a
// string verifies too, and an amount sent as a JSON number is read exactly.
func TestCallbackNumbers(t *testing.T) {
	c := client(t, "http://127.0.0.1:1", nil)
	asString := bytes.Replace(withSign(t, testdata(t, "payin_callback.json"), keyParamSign(payInCanonical, testSecret)),
		[]byte(`1701422400000`), []byte(`"1701422400000"`), 1)
	cb, err := c.ParseCallback(nil, asString)
	require.NoError(t, err)
	checkPayInCallback(t, cb)

	numeric := []byte(`{"orderid":"ORDER_20231201001","platform_orderid":"CG202312010001","amount":100.10,` +
		`"status":"paid","paytime":1701422400000,"utr":"341234567890","sign":"` +
		keyParamSign("amount=100.10&orderid=ORDER_20231201001&paytime=1701422400000&platform_orderid=CG202312010001"+
			"&status=paid&utr=341234567890", testSecret) + `"}`)
	cb, err = c.ParseCallback(nil, numeric)
	require.NoError(t, err)
	requireMoney(t, "100.10", cb.Amount)
	require.Equal(t, "100.10", cb.Amount.Decimal().StringFixed(2))
}

// TestCallbackKindFromSignedFieldsOnly: unsigned (null or empty) pay-out fields added to a
// signed pay-in do not turn it into a pay-out.
func TestCallbackKindFromSignedFieldsOnly(t *testing.T) {
	c := client(t, "http://127.0.0.1:1", nil)
	signed := withSign(t, testdata(t, "payin_callback.json"), keyParamSign(payInCanonical, testSecret))
	for _, extra := range []string{`"fee": null, `, `"completed_at": "", `, `"actual_amount": null, "fee": "", `} {
		body := bytes.Replace(signed, []byte(`"utr"`), []byte(extra+`"utr"`), 1)
		cb, err := c.ParseCallback(nil, body)
		require.NoError(t, err, "null and empty fields are not signed")
		require.Equal(t, paygate.KindPayIn, cb.Kind, extra)
		require.True(t, cb.CompletedAt.Equal(docTime))
	}
}

// TestCallbackStatuses: every status of both tables arrives mapped; an unlisted one is
// StatusUnknown.
func TestCallbackStatuses(t *testing.T) {
	c := client(t, "http://127.0.0.1:1", nil)
	cases := map[string]paygate.Status{"pending": paygate.StatusPending, "paid": paygate.StatusSucceeded,
		"cancelled": paygate.StatusCancelled, "expired": paygate.StatusCancelled, "failed": paygate.StatusFailed,
		"FAILED": paygate.StatusFailed, "refunded": paygate.StatusUnknown}
	for raw, want := range cases {
		body := bytes.Replace(testdata(t, "payin_callback.json"), []byte(`"paid"`), []byte(`"`+raw+`"`), 1)
		canonical := strings.Replace(payInCanonical, "status=paid", "status="+raw, 1)
		cb, err := c.ParseCallback(nil, withSign(t, body, keyParamSign(canonical, testSecret)))
		require.NoError(t, err)
		require.Equal(t, want, cb.Status, raw)
		require.Equal(t, raw, cb.RawStatus)
	}
	for raw, want := range map[string]paygate.Status{"pending": paygate.StatusPending, "processing": paygate.StatusProcessing,
		"success": paygate.StatusSucceeded, "failed": paygate.StatusFailed, "rejected": paygate.StatusFailed, "Rejected": paygate.StatusFailed} {
		body := bytes.Replace(testdata(t, "payout_callback.json"), []byte(`"success"`), []byte(`"`+raw+`"`), 1)
		canonical := strings.Replace(payOutCanonical, "status=success", "status="+raw, 1)
		cb, err := c.ParseCallback(nil, withSign(t, body, keyParamSign(canonical, testSecret)))
		require.NoError(t, err)
		require.Equal(t, paygate.KindPayOut, cb.Kind)
		require.Equal(t, want, cb.Status, raw)
	}
}

// TestCallbackMalformed: unreadable bodies are errors, never panics; a verified body whose
// fields cannot be read is ErrMalformedCallback.
func TestCallbackMalformed(t *testing.T) {
	c := client(t, "http://127.0.0.1:1", nil)
	unreadable := []string{"", " ", "null", "[]", `"text"`, "{", `{"orderid":}`, "not json", `{"a":1}{"b":2}`,
		`{"orderid":"ORDER_20231201001","orderid":"ORDER_20231201002","sign":"x"}`}
	for _, body := range unreadable {
		cb, err := c.ParseCallback(nil, []byte(body))
		require.Nil(t, cb)
		require.ErrorIs(t, err, paygate.ErrMalformedCallback, "%q", body)
	}

	// Duplicate keys are refused even when one reading of the body verifies.
	dup := bytes.Replace(withSign(t, testdata(t, "payin_callback.json"), keyParamSign(payInCanonical, testSecret)),
		[]byte(`"utr"`), []byte(`"amount": "50000.00", "utr"`), 1)
	_, err := c.ParseCallback(nil, dup)
	require.ErrorIs(t, err, paygate.ErrMalformedCallback)
	require.Contains(t, err.Error(), "twice")

	// Verified, but not a callback we can read.
	signedBad := []struct{ name, body string }{
		{"no orderid", `{"amount":"100.00","status":"paid"`},
		{"amount not a number", `{"orderid":"ORDER_20231201001","amount":"ten","status":"paid"`},
		{"amount missing", `{"orderid":"ORDER_20231201001","status":"paid"`},
		{"amount with exponent", `{"orderid":"ORDER_20231201001","amount":1e2,"status":"paid"`},
		{"paytime not a timestamp", `{"orderid":"ORDER_20231201001","amount":"100.00","status":"paid","paytime":"yesterday"`},
		{"paytime negative", `{"orderid":"ORDER_20231201001","amount":"100.00","status":"paid","paytime":-5`},
		{"fee not a number", `{"orderid":"PAYOUT_20231201001","amount":"100.00","status":"success","fee":"a lot"`},
		{"completed_at fractional", `{"orderid":"PAYOUT_20231201001","amount":"100.00","status":"success","completed_at":1701422400000.5`},
	}
	for _, tc := range signedBad {
		t.Run(tc.name, func(t *testing.T) {
			fields := fieldsOf(t, []byte(tc.body+"}"))
			body := []byte(tc.body + `,"sign":"` + keyParamSign(canonicalOf(fields), testSecret) + `"}`)
			cb, err := c.ParseCallback(nil, body)
			require.Nil(t, cb)
			require.ErrorIs(t, err, paygate.ErrMalformedCallback)
			require.NotErrorIs(t, err, paygate.ErrInvalidSignature)
		})
	}
}

// TestSignatureVector: the test's own hand-rolled signer reproduces the signature the
// document's Node.js and PHP samples give for its example, so the signatures the other tests
// expect are the documented ones.
func TestSignatureVector(t *testing.T) {
	raw, err := os.ReadFile("../internal/testdata/signatures.json")
	require.NoError(t, err)
	var vectors struct {
		Cashgit []struct {
			Secret string            `json:"secret"`
			Params map[string]string `json:"params"`
			Sign   string            `json:"sign"`
		} `json:"cashgit"`
	}
	require.NoError(t, json.Unmarshal(raw, &vectors))
	require.NotEmpty(t, vectors.Cashgit)
	v := vectors.Cashgit[0]
	canonical := "amount=100.00&appid=cgpay&desc=游戏充值&notify_url=https://merchant.com/notify&orderid=ORDER_20231201001"
	require.Equal(t, canonical, canonicalOf(v.Params))
	require.Equal(t, v.Sign, keyParamSign(canonical, v.Secret))

	// A client holding that secret accepts a callback signed so.
	c, err := cashgit.New(paygate.Config{MerchantID: "cgpay", Secret: v.Secret})
	require.NoError(t, err)
	fields := map[string]string{"appid": "cgpay", "orderid": v.Params["orderid"], "amount": "100.00",
		"desc": "游戏充值", "notify_url": "https://merchant.com/notify", "sign": v.Sign}
	body, err := json.Marshal(fields)
	require.NoError(t, err)
	_, err = c.ParseCallback(nil, body)
	require.ErrorIs(t, err, paygate.ErrMalformedCallback, "it verifies, but a callback always names platform_orderid and status")

	fields["platform_orderid"], fields["status"] = "CG202312010001", "paid"
	fields["sign"] = keyParamSign(canonicalOf(fields), v.Secret)
	body, err = json.Marshal(fields)
	require.NoError(t, err)
	cb, err := c.ParseCallback(nil, body)
	require.NoError(t, err)
	require.Equal(t, "ORDER_20231201001", cb.OrderID)
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
}

// TestCallbackStylesCannotCollide: a genuine key_param signature verifies, in the append
// style, a body whose last value was extended by "&key="; that value carries a member, so the
// body is refused as malformed.
func TestCallbackStylesCannotCollide(t *testing.T) {
	const secret = "collide-secret"
	c, err := cashgit.New(paygate.Config{MerchantID: "cgpay", Secret: secret})
	require.NoError(t, err)
	fields := map[string]string{"orderid": "ORDER_20231201001", "platform_orderid": "CG1", "amount": "100.00",
		"status": "paid", "utr": "341234567890"}
	genuine := signing.KeyParamMD5(fields, secret)
	forged := maps.Clone(fields)
	forged["utr"] = "341234567890&key="
	require.Equal(t, genuine, signing.AppendMD5(forged, secret), "the two styles collide on this body")
	forged["sign"] = genuine
	body, err := json.Marshal(forged)
	require.NoError(t, err)
	_, err = c.ParseCallback(nil, body)
	require.ErrorIs(t, err, paygate.ErrMalformedCallback)
}

// TestForKindRefusesTheOtherSignedKind: CashGit's callback tells its kind by signed fields
// (a pay-out's actual_amount, fee, completed_at), so a callback of the other kind arriving at
// one kind's address is refused as malformed, never relabelled: a signed pay-out
// notification taken as a pay-in would credit a customer with money that went out.
func TestForKindRefusesTheOtherSignedKind(t *testing.T) {
	kindtest.RefusesOtherKind(t, client(t, "http://127.0.0.1:1", nil),
		kindtest.Callback{Body: withSign(t, testdata(t, "payin_callback.json"), keyParamSign(payInCanonical, testSecret))},
		kindtest.Callback{Body: withSign(t, testdata(t, "payout_callback.json"), keyParamSign(payOutCanonical, testSecret))},
		paygate.StatusSucceeded)
}
