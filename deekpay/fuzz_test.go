package deekpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/signing"
)

// FuzzParseCallback: never panics, and a callback it returns really verified: its sign is the
// documented HMAC (computed here) of the body's fields and the three headers, for our access
// key, within the tolerance.
func FuzzParseCallback(f *testing.F) {
	vs := vectors(f)
	for _, seed := range []struct{ file, vector string }{
		{"callback_payin.json", vecPayIn},
		{"callback_payout.json", vecPayOut},
	} {
		body := testdata(f, seed.file)
		f.Add(body, vs[seed.vector].Sign, testTimestamp, testNonce, testAccessKey)
		f.Add(body, "", testTimestamp, testNonce, testAccessKey)
		f.Add(bytes.Replace(body, []byte("40.20"), []byte("4020"), 1), vs[seed.vector].Sign, testTimestamp, testNonce, testAccessKey)
	}
	f.Add([]byte(`{"orderType":1}`), "AAAA", testTimestamp, testNonce, testAccessKey)
	f.Add([]byte(`{"a":{"b":[1,2,{"c":null}]},"a":1}`), "x", "0", "", "")
	f.Add([]byte(`not json`), "x", testTimestamp, testNonce, testAccessKey)
	c := callbackClient(f, testNow, nil)
	f.Fuzz(func(t *testing.T, body []byte, sign, ts, nonce, accessKey string) {
		h := http.Header{}
		h.Set("sign", sign)
		h.Set("timestamp", ts)
		h.Set("nonce", nonce)
		h.Set("access_key", accessKey)
		cb, err := c.ParseCallback(h, body)
		if err != nil {
			if cb != nil {
				t.Fatal("a callback together with an error")
			}
			return
		}
		fields, ferr := signing.Fields(body)
		if ferr != nil {
			t.Fatalf("accepted a body Fields refuses: %v", ferr)
		}
		fields["access_key"], fields["timestamp"], fields["nonce"] = strings.TrimSpace(accessKey), strings.TrimSpace(ts), strings.TrimSpace(nonce)
		if want := hmacSHA1(canonical(fields), testSecret); strings.TrimSpace(sign) != want {
			t.Fatalf("accepted sign %q, want %q", sign, want)
		}
		if strings.TrimSpace(accessKey) != testAccessKey {
			t.Fatalf("accepted access key %q", accessKey)
		}
		if cb.OrderID == "" || (cb.Kind != paygate.KindPayIn && cb.Kind != paygate.KindPayOut) {
			t.Fatalf("accepted an incomplete callback %+v", cb)
		}
	})
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzDecodePayIn feeds response bodies to PayIn: never a panic, and never a success unless
// the envelope said so and carried the order number and cashier link.
func FuzzDecodePayIn(f *testing.F) {
	for _, s := range []string{payInOK, payOutOK, emptyList, `{"code":"200","success":true,"data":null}`,
		`{"code":200,"success":true,"data":{"orderId":"1","cashierUrl":"u","amount":1e400}}`,
		`{"code":"500","success":false,"msgEn":"busy"}`, `<html>502</html>`, ``, `{"code":"200"`} {
		f.Add([]byte(s), 200)
	}
	f.Add([]byte(payInOK), 502)
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if status < 100 || status > 599 {
			status = 200
		}
		hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})}
		c := newClient(t, "https://api.deekpay.example", paygate.WithHTTPClient(hc))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := c.PayIn(ctx, payInRequest())
		if err != nil {
			require.Nil(t, res)
			return
		}
		var env struct {
			Code    json.RawMessage `json:"code"`
			Success bool            `json:"success"`
		}
		require.NoError(t, json.Unmarshal(body, &env))
		require.True(t, env.Success)
		require.Equal(t, "200", strings.Trim(string(env.Code), `"`))
		require.Less(t, status, 500)
		require.NotEmpty(t, res.ProviderOrderID)
		require.NotEmpty(t, res.PaymentURL)
		require.NotEmpty(t, res.OrderID)
		require.True(t, res.Amount.IsPositive())
	})
}
