package paygatetest_test

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// sandboxCallback has provider's sandbox settle a pay-in and returns the signed callback it
// delivered, headers and body, and the Gateway that verifies it.
func sandboxCallback(tb testing.TB, provider string) (paygate.Gateway, http.Header, []byte) {
	tb.Helper()
	cfg := testConfig(provider)
	sb, err := sandbox.New(provider, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	defer sb.Close()
	gw := newGateway(tb, provider, sb.URL(), 0)
	var header http.Header
	var body []byte
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		header = r.Header.Clone()
		if cb, err := gw.ParseCallback(header, body); err == nil {
			cb.Ack.Write(w)
		}
	}))
	defer rcv.Close()
	fx := paygatetest.Fixtures(gw.Capabilities().Currency)
	req := fx.PayIn()
	req.OrderID, req.NotifyURL, req.Amount = paygatetest.OrderID("B"), rcv.URL, paygate.MustParseMoney(fx.Amount, fx.Currency)
	if _, err := gw.PayIn(context.Background(), req); err != nil {
		tb.Fatal(err)
	}
	if err := sb.Settle(req.OrderID, paygate.StatusSucceeded); err != nil {
		tb.Fatal(err)
	}
	return gw, header, body
}

// BenchmarkParseCallback compares each provider's ParseCallback (verify, then normalize) with
// what the least a hand-written handler must do with the same body in the same run:
// json.Unmarshal into a map and one bare hash of the body (HMAC-SHA1 for DeekPay, MD5 for the
// others). Report: paygate ns/op ÷ baseline ns/op.
func BenchmarkParseCallback(b *testing.B) {
	for _, name := range sandbox.Providers() {
		gw, header, body := sandboxCallback(b, name)
		key := []byte(testConfig(name).Secret)
		b.Run(name+"/paygate", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := gw.ParseCallback(header, body); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/baseline", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				var m map[string]any
				if err := json.Unmarshal(body, &m); err != nil {
					b.Fatal(err)
				}
				if name == "deekpay" {
					h := hmac.New(sha1.New, key)
					h.Write(body)
					_ = h.Sum(nil)
				} else {
					_ = md5.Sum(append(body, key...))
				}
			}
		})
		closeIdle(gw)
	}
}
