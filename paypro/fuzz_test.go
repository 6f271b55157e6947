package paypro_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/signing"
)

// FuzzParseCallback: never panics, and a callback it returns really verified under the secret.
func FuzzParseCallback(f *testing.F) {
	f.Add([]byte(sampleCallback))
	f.Add([]byte(signBody(f, sampleCallback, testSecret)))
	for _, body := range []string{
		`{"platFormTradeNo":"P1","tradeNo":"IN1","amount":300.00,"status":"0000","message":"SUCCESS","channelCode":"UPI","wayCode":"UPI","timestamp":"1724142641682"}`,
		`{"platFormTradeNo":"P1","tradeNo":"IN1","amount":"250","status":"0001","message":"Partial payment","timestamp":"1724142641682"}`,
		`{"platFormTradeNo":"P1","tradeNo":"OUT1","amount":"300","status":"00029","message":"REJECTED_TRANSACTION","timestamp":"1724142641682"}`,
	} {
		f.Add([]byte(body))
		f.Add([]byte(signBody(f, body, testSecret)))
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"sign":null}`))
	f.Add([]byte(`[`))
	cfg := testConfig("https://paypro.example")
	c, err := paygate.New(cfg)
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
			t.Fatalf("accepted a body signing.Fields refuses: %v", ferr)
		}
		if fields["sign"] == "" || !signing.Equal(fields["sign"], md5Sign(fields, testSecret)) {
			t.Fatalf("accepted a callback whose sign does not verify: %q", body)
		}
		if cb.OrderID == "" || cb.RawStatus == "" || cb.Ack.Body != "OK" {
			t.Fatalf("accepted an incomplete callback: %+v", cb)
		}
	})
}

// FuzzDecodePayIn feeds response bodies to PayIn through a test server: never a panic, never
// a zero-valued success.
func FuzzDecodePayIn(f *testing.F) {
	for _, body := range []string{
		`{"msg":"success","code":"0000","timestamp":1729945579983,"success":true,"data":` + payInData + `}`,
		`{"msg":"success","code":"0000","data":{"platFormTradeNo":"P","status":"00029","desc":"x"}}`,
		`{"msg":"sign error","code":"1001","success":false,"data":null}`,
		`{"msg":"success","code":0,"data":{}}`,
		`{"code":"0000","data":{"status":"0015"}}`,
		`<html>502</html>`,
		``,
	} {
		f.Add([]byte(body))
	}
	var mu sync.Mutex
	var reply []byte
	s := newServer(f, func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		b := reply
		mu.Unlock()
		_, _ = w.Write(b)
	})
	c := newClient(f, s, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		mu.Lock()
		reply = body
		mu.Unlock()
		res, err := c.PayIn(context.Background(), payInRequest())
		if err != nil {
			if res != nil {
				t.Fatal("a result with an error")
			}
			return
		}
		if res.ProviderOrderID == "" || res.RawStatus == "" || res.OrderID != "00000007" || len(res.Raw) == 0 {
			t.Fatalf("zero-valued success from %q: %+v", body, res)
		}
		if res.Status == paygate.StatusFailed {
			t.Fatalf("a failed pay-in returned as a result: %q", body)
		}
	})
}
