package webhook_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/signing"
	"github.com/paygate-go/paygate/webhook"
)

// BenchmarkHandler compares the whole handler path for one good callback with the least any
// verifier must do for it: decode the JSON and hash the canonical bytes.
func BenchmarkHandler(b *testing.B) {
	gw := newFake("fake")
	f := fields("ORD-20250101-000123", "paid")
	f["utr"] = "412345678901"
	f["paytime"] = "1735689600000"
	body := sign(f, gw.secret)

	b.Run("paygate", func(b *testing.B) {
		h := webhook.Handler(gw, func(context.Context, *paygate.Callback) error { return nil })
		req := httptest.NewRequest(http.MethodPost, "/callbacks/fake", nil)
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = int64(len(body))
		rd := bytes.NewReader(body)
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			rd.Reset(body)
			req.Body = io.NopCloser(rd)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})

	b.Run("baseline", func(b *testing.B) {
		fields, err := signing.Fields(body)
		if err != nil {
			b.Fatal(err)
		}
		canonical := []byte(signing.KeyParamCanonical(fields) + "&key=" + gw.secret)
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				b.Fatal(err)
			}
			sum := md5.Sum(canonical)
			if sum[0] == 0 && len(m) == 0 {
				b.Fatal("unreachable")
			}
		}
	})
}
