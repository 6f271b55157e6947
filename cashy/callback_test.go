package cashy_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashy"
	"github.com/paygate-go/paygate/internal/kindtest"
	"github.com/paygate-go/paygate/webhook"
)

// sample reads one of the webhook bodies of Cashy's documentation (docs.cashypro.com), byte for
// byte.
func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "cashy", name))
	require.NoError(t, err)
	return b
}

// callbackClient is a client for merchant with the test secret and a previous one.
func callbackClient(t testing.TB, merchant string) *cashy.Client {
	t.Helper()
	c, err := cashy.New(paygate.Config{BaseURL: "https://api.cashy.example", MerchantID: merchant, Secret: testSecret,
		Options: map[string]string{"previous_secrets": "old-secret-1, old-secret-2"}})
	require.NoError(t, err)
	return c
}

// signed returns the headers Cashy sends with body, signed with secret.
func signed(merchant string, body []byte, secret string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("MerchantId", merchant)
	h.Set("Sign", sum(body, secret))
	return h
}

var wantAck = paygate.Ack{StatusCode: 200, ContentType: "text/plain; charset=utf-8", Body: "SUCCESS"}

func TestParseCallbackSamples(t *testing.T) {
	tests := []struct {
		file, merchant                        string
		orderID, providerOrderID, parent, pay string
		amount, fee                           string
		completed                             time.Time
	}{
		{"webhook_curl.json", "3002120", "1386503284355244033", "PAYIN8551790545658687488", "", "41",
			"20000.00", "2500.0000", time.Date(2024, 12, 2, 7, 7, 6, 0, time.UTC)},
		{"webhook_api.json", "1012345", "order_xxxxxxxxxxxxxx", "PAYIN1234500000000001", "", "69",
			"1000.0", "2.0", time.Date(2024, 11, 24, 16, 56, 55, 0, time.UTC)},
		// The sample has the serial number on patchMchOrderNo, the prose on mchOrderNo: either
		// way the supplementary payment is the serial one, its parent the original.
		{"webhook_patch.json", "2004015", "order_xxxxxxxxxxxxxx0001", "PAYIN1234500000000002", "order_xxxxxxxxxxxxxx", "69",
			"1000.0", "2.0", time.Date(2024, 11, 24, 16, 56, 55, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := sample(t, tt.file)
			c := callbackClient(t, tt.merchant)
			cb, err := c.ParseCallback(signed(tt.merchant, body, testSecret), body)
			require.NoError(t, err)
			require.Equal(t, paygate.KindPayIn, cb.Kind)
			require.Equal(t, tt.orderID, cb.OrderID)
			require.Equal(t, tt.providerOrderID, cb.ProviderOrderID)
			require.Equal(t, tt.parent, cb.ParentOrderID, "only a PATCH order has a parent")
			require.Equal(t, paygate.StatusSucceeded, cb.Status)
			require.Equal(t, "SUCCESS", cb.RawStatus)
			require.Equal(t, paygate.PKR, cb.Amount.Currency())
			require.True(t, cb.Amount.Equal(pkr(tt.amount)), cb.Amount.String())
			require.True(t, cb.Fee.Equal(pkr(tt.fee)), cb.Fee.String())
			// Exact: the JSON number's own digits, no float on the way.
			require.Equal(t, tt.amount, cb.Amount.Decimal().StringFixed(-cb.Amount.Decimal().Exponent()))
			require.Equal(t, tt.fee, cb.Fee.Decimal().StringFixed(-cb.Fee.Decimal().Exponent()))
			require.True(t, cb.CompletedAt.Equal(tt.completed), "completionTime is UTC+5: %s", cb.CompletedAt)
			require.Empty(t, cb.UTR)
			require.Equal(t, wantAck, cb.Ack)
			require.Equal(t, body, []byte(cb.Raw))
			body[0] = 'X'
			require.NotEqual(t, body[0], cb.Raw[0], "Raw is a copy")
		})
	}
}

func TestParseCallbackRefused(t *testing.T) {
	good := sample(t, "webhook_curl.json")
	const merchant = "3002120"
	tamper := func(old, new string) []byte {
		require.Contains(t, string(good), old)
		return []byte(strings.Replace(string(good), old, new, 1))
	}
	sig := sum(good, testSecret)
	tests := []struct {
		name   string
		header http.Header
		body   []byte
	}{
		{"forged with another secret", signed(merchant, good, "not-"+testSecret), good},
		{"amount changed after signing", signed(merchant, good, testSecret), tamper("20000.00", "90000.00")},
		{"amount reformatted after signing", signed(merchant, good, testSecret), tamper("20000.00", "20000.0")},
		{"status changed after signing", signed(merchant, tamper("SUCCESS", "FAIL"), testSecret), good},
		{"field added after signing", signed(merchant, good, testSecret), tamper(`"payType"`, `"x":"y","payType"`)},
		{"Sign missing", http.Header{"Merchantid": {merchant}}, good},
		{"Sign empty", http.Header{"Merchantid": {merchant}, "Sign": {""}}, good},
		{"Sign truncated", http.Header{"Merchantid": {merchant}, "Sign": {sig[:31]}}, good},
		{"Sign of the body without the secret", http.Header{"Merchantid": {merchant}, "Sign": {sum(good, "")}}, good},
		{"another merchant's header", signed("3002121", good, testSecret), good},
		{"another merchant's body", signed(merchant, tamper(`"merchantId":"3002120"`, `"merchantId":"3002121"`), testSecret),
			tamper(`"merchantId":"3002120"`, `"merchantId":"3002121"`)},
		{"garbage", signed(merchant, good, testSecret), []byte("not json")},
		{"nil body", signed(merchant, good, testSecret), nil},
	}
	c := callbackClient(t, merchant)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb, err := c.ParseCallback(tt.header, tt.body)
			require.ErrorIs(t, err, paygate.ErrInvalidSignature)
			require.Nil(t, cb)
			var se *paygate.SignatureError
			require.ErrorAs(t, err, &se)
			require.NotContains(t, err.Error(), sig)
			require.NotContains(t, err.Error(), testSecret)
		})
	}
}

func TestParseCallbackSecrets(t *testing.T) {
	body := sample(t, "webhook_curl.json")
	c := callbackClient(t, "3002120")
	for _, secret := range []string{testSecret, "old-secret-1", "old-secret-2"} {
		_, err := c.ParseCallback(signed("3002120", body, secret), body)
		require.NoError(t, err, "secret %s", secret)
	}
	h := signed("3002120", body, testSecret)
	h.Set("Sign", strings.ToLower(h.Get("Sign")))
	_, err := c.ParseCallback(h, body)
	require.NoError(t, err, "hex compares without regard to case")

	// A header map built by hand, keys as Cashy spells them.
	_, err = c.ParseCallback(http.Header{"MerchantId": {"3002120"}, "Sign": {sum(body, testSecret)}}, body)
	require.NoError(t, err)
	// No MerchantId header: the body's merchantId decides.
	_, err = c.ParseCallback(http.Header{"Sign": {sum(body, testSecret)}}, body)
	require.NoError(t, err)
}

func TestParseCallbackMalformed(t *testing.T) {
	const merchant = testMerchant
	c := callbackClient(t, merchant)
	for name, body := range map[string]string{
		"not json":                 `not json`,
		"array":                    `[]`,
		"duplicate key":            `{"mchOrderNo":"A1","amount":100,"amount":100000}`,
		"trailing data":            `{"mchOrderNo":"A1","amount":100} {}`,
		"no mchOrderNo":            `{"orderNo":"PAYIN1","amount":100.00,"orderStatus":"SUCCESS"}`,
		"no amount":                `{"mchOrderNo":"A1","orderStatus":"SUCCESS"}`,
		"amount with exponent":     `{"mchOrderNo":"A1","amount":1e5,"orderStatus":"SUCCESS"}`,
		"amount text":              `{"mchOrderNo":"A1","amount":"lots","orderStatus":"SUCCESS"}`,
		"bad fee":                  `{"mchOrderNo":"A1","amount":100,"fee":"NaN"}`,
		"bad completionTime":       `{"mchOrderNo":"A1","amount":100,"completionTime":"2024-12-02T12:07:06Z"}`,
		"PATCH without its parent": `{"mchOrderNo":"A100001","amount":100,"orderType":"PATCH","orderStatus":"SUCCESS"}`,
	} {
		t.Run(name, func(t *testing.T) {
			b := []byte(body)
			cb, err := c.ParseCallback(signed(merchant, b, testSecret), b)
			require.ErrorIs(t, err, paygate.ErrMalformedCallback)
			require.NotErrorIs(t, err, paygate.ErrInvalidSignature)
			require.Nil(t, cb)
		})
	}
}

func TestParseCallbackKinds(t *testing.T) {
	c := callbackClient(t, testMerchant)
	tests := []struct {
		name, body string
		kind       paygate.Kind
		status     paygate.Status
	}{
		{"pay-out by number", `{"mchOrderNo":"PO1","orderNo":"PAYOUT77","amount":500.00,"fee":30.0000,"orderStatus":"CANCEL"}`,
			paygate.KindPayOut, paygate.StatusCancelled},
		{"pay-out by fields", `{"mchOrderNo":"PO1","orderNo":"X77","amount":500.00,"accountNo":"03001234567","orderStatus":"WAITING"}`,
			paygate.KindPayOut, paygate.StatusProcessing},
		{"pay-out processing", `{"mchOrderNo":"PO1","orderNo":"PAYOUT77","amount":500.00,"orderStatus":"PROCESSING"}`,
			paygate.KindPayOut, paygate.StatusProcessing},
		{"pay-in by number wins", `{"mchOrderNo":"IN1","orderNo":"PAYIN77","amount":500.00,"accountNo":"1","orderStatus":"FAIL"}`,
			paygate.KindPayIn, paygate.StatusFailed},
		{"pay-in by payType", `{"mchOrderNo":"IN1","orderNo":"77","amount":500.00,"payType":"36","orderStatus":"PAYING"}`,
			paygate.KindPayIn, paygate.StatusPending},
		{"pay-in never takes a pay-out status", `{"mchOrderNo":"IN1","orderNo":"PAYIN77","amount":500.00,"orderStatus":"CANCEL"}`,
			paygate.KindPayIn, paygate.StatusUnknown},
		{"unknown status", `{"mchOrderNo":"PO1","orderNo":"PAYOUT77","amount":500.00,"orderStatus":"REFUNDED"}`,
			paygate.KindPayOut, paygate.StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.body)
			cb, err := c.ParseCallback(signed(testMerchant, b, testSecret), b)
			require.NoError(t, err)
			require.Equal(t, tt.kind, cb.Kind)
			require.Equal(t, tt.status, cb.Status)
			require.Empty(t, cb.ParentOrderID)
		})
	}
	b := []byte(`{"mchOrderNo":"PO1","orderNo":"PAYOUT77","channelOrderNo":"EP123","amount":500.00,"orderStatus":"SUCCESS","merchantId":1002001}`)
	cb, err := c.ParseCallback(signed(testMerchant, b, testSecret), b)
	require.NoError(t, err, "merchantId as a JSON number")
	require.Equal(t, "EP123", cb.UTR)
}

// FuzzParseCallback: never panics; a callback comes back only when its Sign really is the
// MD5 of the body and the secret, and then it is well-formed.
func FuzzParseCallback(f *testing.F) {
	for _, name := range []string{"webhook_curl.json", "webhook_api.json", "webhook_patch.json"} {
		b := sample(f, name)
		f.Add(b, true, "")
		f.Add(b, false, sum(b, testSecret))
		f.Add(b, false, "A6FC73F7D22EC8B4A064C8FFCC592CBF") // the documentation's placeholder sign
	}
	for _, s := range []string{`{"mchOrderNo":"PO1","orderNo":"PAYOUT77","amount":500.00,"accountNo":"1","orderStatus":"SUCCESS"}`,
		`{"mchOrderNo":"A1","amount":100,"orderType":"PATCH","patchMchOrderNo":"A"}`, `{"a":1,"a":2}`, `not json`, ``, `{}`} {
		f.Add([]byte(s), true, "")
	}
	c := callbackClient(f, testMerchant)
	f.Fuzz(func(t *testing.T, body []byte, signIt bool, sign string) {
		h := http.Header{}
		h.Set("MerchantId", testMerchant)
		if signIt {
			sign = sum(body, testSecret)
		}
		h.Set("Sign", sign)
		cb, err := c.ParseCallback(h, body)
		if err != nil {
			require.Nil(t, cb)
			return
		}
		verified := false
		for _, s := range []string{testSecret, "old-secret-1", "old-secret-2"} {
			verified = verified || strings.EqualFold(h.Get("Sign"), sum(body, s))
		}
		require.True(t, verified, "a callback that did not verify was accepted")
		require.NotEmpty(t, cb.OrderID)
		require.Equal(t, paygate.PKR, cb.Amount.Currency())
		require.Contains(t, []paygate.Kind{paygate.KindPayIn, paygate.KindPayOut}, cb.Kind)
		require.Equal(t, body, []byte(cb.Raw))
		require.Equal(t, wantAck, cb.Ack)
	})
}

// roundTripper answers every request in memory.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzDecodePayIn feeds answers to PayIn: it never panics, and a success always names
// Cashy's order number for our order and amount; anything else is an error.
func FuzzDecodePayIn(f *testing.F) {
	for _, s := range []string{payInOK, refused, `{"msg":"Payin_Order_Error","code":500}`, htmlPage,
		`{"code":200,"msg":"SUCCESS","data":{"orderNo":"P","amount":"100.00"}}`, `{"code":200,"data":{}}`,
		`{"code":"200","data":{"orderNo":"P","amount":1e2}}`, `{"code":200,"data":[]}`, `{"code":200`, ``} {
		f.Add(200, []byte(s))
	}
	f.Add(502, []byte(htmlPage))
	f.Add(500, []byte(payInOK))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			status = 200
		}
		hc := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})}
		c, err := cashy.New(paygate.Config{BaseURL: "https://api.cashy.example", MerchantID: testMerchant, Secret: testSecret},
			paygate.WithHTTPClient(hc), paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 1}))
		require.NoError(t, err)
		req := payInReq()
		res, err := c.PayIn(context.Background(), req)
		if err != nil {
			require.Nil(t, res)
			if status >= 500 {
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "HTTP %d", status)
			}
			return
		}
		require.Less(t, status, 500)
		require.NotEmpty(t, res.ProviderOrderID)
		require.Equal(t, req.OrderID, res.OrderID)
		require.True(t, res.Amount.Equal(req.Amount))
		require.NotEmpty(t, res.Raw)
		require.NotEqual(t, paygate.Status(""), res.Status)
	})
}

// TestPatchIsAPaymentOfItsOwn: a supplementary (PATCH) payment is a second payment of the
// original order. Whichever way Cashy numbers it (its prose: the serial on mchOrderNo; its
// sample: on patchMchOrderNo), it reaches the merchant's function through a deduplicating
// handler as a payment of its own, with the original as its parent.
func TestPatchIsAPaymentOfItsOwn(t *testing.T) {
	const merchant = "1012345"
	original := sample(t, "webhook_api.json") // order_xxxxxxxxxxxxxx, succeeded
	sampleShape := bytes.Replace(sample(t, "webhook_patch.json"), []byte(`"2004015"`), []byte(`"`+merchant+`"`), 1)
	proseShape := []byte(`{"amount":1000.0,"completionTime":"2024-11-24 21:56:55","fee":2.0,"mchOrderNo":"order_xxxxxxxxxxxxxx0001",` +
		`"merchantId":"1012345","nonceStr":"1732507016285","orderNo":"PAYIN1234500000000002","orderStatus":"SUCCESS",` +
		`"orderType":"PATCH","patchMchOrderNo":"order_xxxxxxxxxxxxxx","patchOrderNo":"PAYIN1234500000000001","payType":"69"}`)
	for name, patch := range map[string][]byte{"sample": sampleShape, "prose": proseShape} {
		t.Run(name, func(t *testing.T) {
			c := callbackClient(t, merchant)
			var calls []*paygate.Callback
			srv := httptest.NewServer(webhook.Handler(c, func(_ context.Context, cb *paygate.Callback) error {
				calls = append(calls, cb)
				return nil
			}, webhook.WithDeduper(webhook.NewMemoryDeduper(0, 0))))
			defer srv.Close()
			for _, b := range [][]byte{original, patch} {
				req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(b))
				require.NoError(t, err)
				req.Header = signed(merchant, b, testSecret)
				resp, err := srv.Client().Do(req)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				require.Equal(t, http.StatusOK, resp.StatusCode)
			}
			require.Len(t, calls, 2, "the supplementary payment reaches fn")
			require.Equal(t, "order_xxxxxxxxxxxxxx0001", calls[1].OrderID)
			require.Equal(t, "order_xxxxxxxxxxxxxx", calls[1].ParentOrderID)
		})
	}
}

// TestForKindRefusesTheOtherSignedKind: Cashy's webhook tells its kind by signed bytes (the
// PAYIN/PAYOUT order number, pay-out-only fields), so a webhook of the other kind arriving at
// one kind's address is refused as malformed, never relabelled: a signed pay-out SUCCESS taken
// as a pay-in would credit a customer with money that went out, and its status would have been
// read with the pay-out table.
func TestForKindRefusesTheOtherSignedKind(t *testing.T) {
	payIn := []byte(`{"mchOrderNo":"IN1","orderNo":"PAYIN77","amount":500.00,"payType":"36","orderStatus":"SUCCESS"}`)
	payOut := []byte(`{"mchOrderNo":"PO1","orderNo":"PAYOUT77","amount":500.00,"orderStatus":"SUCCESS"}`)
	kindtest.RefusesOtherKind(t, callbackClient(t, testMerchant),
		kindtest.Callback{Header: signed(testMerchant, payIn, testSecret), Body: payIn},
		kindtest.Callback{Header: signed(testMerchant, payOut, testSecret), Body: payOut}, paygate.StatusSucceeded)
}
