package caipay_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/caipay"
	"github.com/paygate-go/paygate/signing"
)

// FuzzParseCallback: never panics, and a callback it returns really verified under the test
// secret (checked here with an independent canonical string) and names this merchant's token.
func FuzzParseCallback(f *testing.F) {
	for _, name := range []string{"callback_payin.json", "callback_payout.json"} {
		f.Add(testdata(f, name))
		f.Add(signedSample(f, name, testSecret))
	}
	payout := sampleFields()
	payout["payIfsc"] = "SBIN0001234"
	f.Add(signBody(f, payout, testSecret))
	none := sampleFields()
	none["payUtrNo"] = "None"
	f.Add(signBody(f, none, testSecret))
	f.Add([]byte(`{"customerOrderNo":"TEST98989898","orderAmount":10.50,"orderStatus":"SUCCESS","token":"` + testToken +
		`","signKey":"` + md5hex("TEST98989898"+"10.50"+"SUCCESS"+testToken+testSecret) + `"}`))
	f.Add([]byte(`{"signKey":"a","signKey":"b"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(``))

	cfg := testConfig("http://127.0.0.1:1")
	c, err := caipay.New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := c.ParseCallback(nil, body)
		if err != nil {
			if cb != nil {
				t.Fatal("a callback with an error")
			}
			return
		}
		fields, ferr := signing.Fields(body)
		if ferr != nil {
			t.Fatalf("accepted a body Fields refuses: %v", ferr)
		}
		keys := make([]string, 0, len(fields))
		for k, v := range fields {
			if k != "signKey" && v != "" {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(fields[k])
		}
		if want := md5hex(b.String() + testSecret); !strings.EqualFold(fields["signKey"], want) {
			t.Fatalf("accepted a callback whose signKey does not verify")
		}
		if fields["token"] != testToken {
			t.Fatal("accepted another merchant's token")
		}
		if cb.OrderID == "" || cb.OrderID != fields["customerOrderNo"] || cb.Ack.Body != "success" || string(cb.Raw) != string(body) {
			t.Fatalf("bad callback: %+v", cb)
		}
	})
}

// FuzzDecodePayIn feeds answers to both pay-in flows: never a panic, and never a success
// without a platform order number and something to pay with.
func FuzzDecodePayIn(f *testing.F) {
	for _, s := range []string{docPayIn, docPayInH2H, docPayOut, docSearch,
		`{"code":0,"msg":null,"data":null,"ok":true}`,
		`{"code":400,"msg":"x","data":null,"ok":false}`,
		`{"code":0,"msg":null,"data":{"platOrderNo":19,"url":"u","upi":"u","orderAmount":"1e3"},"ok":true}`,
		`{"code":0,"data":{"platOrderNo":"1","paytm":"p","expireTime":"2025-13-45 99:99:99"},"ok":true}`,
		``, `<html>`, `[]`, `{"code":{}}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	var body []byte
	hc := &http.Client{Transport: roundTrip(func(*http.Request) (*http.Response, error) {
		return respond(http.StatusOK, string(body)), nil
	})}
	c, err := caipay.New(testConfig("http://caipay.test"), paygate.WithHTTPClient(hc))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte, direct bool) {
		body = b
		req := payInRequest("TEST98989898", "200", direct)
		res, err := c.PayIn(context.Background(), req)
		if err != nil {
			if res != nil {
				t.Fatal("a result with an error")
			}
			return
		}
		if res.ProviderOrderID == "" || res.OrderID != req.OrderID || len(res.Raw) == 0 {
			t.Fatalf("zero-valued success: %+v", res)
		}
		if direct && res.UPIURL == "" && caipay.PaytmURL(res) == "" {
			t.Fatalf("H2H success without an intent: %+v", res)
		}
		if !direct && res.PaymentURL == "" {
			t.Fatalf("hosted success without a URL: %+v", res)
		}
		if res.Amount.Currency() != paygate.INR {
			t.Fatalf("amount without currency: %s", res.Amount)
		}
	})
}
