package cashgit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
)

// FuzzParseCallback: ParseCallback never panics, and whatever it accepts really carries a
// signature of its fields under the test secret (either style), recomputed here.
func FuzzParseCallback(f *testing.F) {
	payIn := testdata(f, "payin_callback.json")
	payOut := testdata(f, "payout_callback.json")
	f.Add(payIn) // the document's samples as printed, placeholder signature
	f.Add(payOut)
	for _, secret := range []string{testSecret, "old-secret-1"} {
		f.Add(withSign(f, payIn, keyParamSign(payInCanonical, secret)))
		f.Add(withSign(f, payIn, appendSign(payInCanonical, secret)))
		f.Add(withSign(f, payOut, keyParamSign(payOutCanonical, secret)))
		f.Add(withSign(f, payOut, appendSign(payOutCanonical, secret)))
	}
	f.Add([]byte(`{"orderid":"A","orderid":"B"}`))
	f.Add([]byte(`{"sign":null}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(``))

	c, err := cashgit.New(paygate.Config{MerchantID: testAppID, Secret: testSecret,
		Options: map[string]string{"previous_secrets": "old-secret-1"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := c.ParseCallback(nil, body)
		if err != nil {
			if cb != nil {
				t.Fatalf("a callback and an error: %v", err)
			}
			if !errors.Is(err, paygate.ErrInvalidSignature) && !errors.Is(err, paygate.ErrMalformedCallback) {
				t.Fatalf("error is neither a bad signature nor a malformed callback: %v", err)
			}
			return
		}
		fields := fieldsOf(t, body)
		canonical, sign := canonicalOf(fields), fields["sign"]
		verified := false
		for _, secret := range []string{testSecret, "old-secret-1"} {
			for _, want := range []string{keyParamSign(canonical, secret), appendSign(canonical, secret)} {
				verified = verified || equalFold(sign, want)
			}
		}
		if !verified {
			t.Fatalf("accepted a callback whose signature does not verify: %s", body)
		}
		if cb.OrderID == "" || cb.OrderID != fields["orderid"] || !bytes.Equal(cb.Raw, body) {
			t.Fatalf("callback does not reflect its body: %+v", cb)
		}
		if cb.Status != cashgit.MapStatus(fields["status"]) || cb.Ack.Body != "success" {
			t.Fatalf("status or ack: %+v", cb)
		}
	})
}

func equalFold(a, b string) bool { return bytes.EqualFold([]byte(a), []byte(b)) }

// fuzzTransport answers every request in-process with one status and body.
type fuzzTransport struct {
	status int
	body   []byte
}

func (ft *fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: ft.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(ft.body)), ContentLength: int64(len(ft.body)), Request: r}, nil
}

// httpStatus folds a fuzzed number into 200..599.
func httpStatus(n int) int {
	if n >= 200 && n <= 599 {
		return n
	}
	return 200 + (n%400+400)%400
}

// requireCreateFailure: a pay-in or pay-out that failed on a provider answer is a definite
// refusal (*ProviderError), or outcome-unknown; an unreadable answer is outcome-unknown when it
// came with a 2xx or 5xx status (the transport takes other statuses as not having created
// anything, and reports them as ErrMalformedResponse).
func requireCreateFailure(t *testing.T, status int, err error) {
	t.Helper()
	var pe *paygate.ProviderError
	switch {
	case errors.Is(err, paygate.ErrOutcomeUnknown), errors.As(err, &pe):
	case errors.Is(err, paygate.ErrMalformedResponse) && status >= 300 && status < 500:
	default:
		t.Fatalf("HTTP %d: a create's failure must be a refusal or outcome-unknown: %v", status, err)
	}
	if (status < 300 || status >= 500) && errors.Is(err, paygate.ErrMalformedResponse) && !errors.Is(err, paygate.ErrOutcomeUnknown) {
		t.Fatalf("HTTP %d: an unreadable answer to a create must be outcome-unknown: %v", status, err)
	}
}

// fuzzClient is a client whose provider answers status and body.
func fuzzClient(t *testing.T, status int, body []byte) *cashgit.Client {
	c, err := cashgit.New(paygate.Config{MerchantID: testAppID, Secret: testSecret, BaseURL: "http://cashgit.invalid",
		Options: map[string]string{"rate_limit": "0"}},
		paygate.WithHTTPClient(&http.Client{Transport: &fuzzTransport{status: status, body: body}}),
		paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzDecodePayIn feeds provider answers to PayIn: never a panic, never a zero-valued
// success; a failure is a definite refusal (*ProviderError) or outcome-unknown.
func FuzzDecodePayIn(f *testing.F) {
	for _, b := range []string{payInOK, payInDirectOK, `{"code":409,"message":"订单已存在","data":null}`,
		`{"code":200,"data":{}}`, `{"code":200,"data":null}`, `{"code":"200","data":{"orderid":"ORDER_20231201001"}}`,
		`{"code":200,"data":{"orderid":"ORDER_20231201001","amount":20000.00,"expires_at":"never"}}`,
		`<html>502</html>`, `{"code":200,"data":{"orderid":"ORDER_2023`, `null`, `[]`} {
		f.Add(200, []byte(b))
	}
	f.Add(502, []byte(`<html>Bad Gateway</html>`))
	f.Add(409, []byte(`{"code":409,"message":"exists"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		req := payInRequest()
		status = httpStatus(status)
		res, err := fuzzClient(t, status, body).PayIn(context.Background(), req)
		if err != nil {
			if res != nil {
				t.Fatalf("a result and an error: %v", err)
			}
			requireCreateFailure(t, status, err)
			var pe *paygate.ProviderError
			if pe != nil && !errors.Is(err, paygate.ErrOutcomeUnknown) && pe.Code == "200" {
				t.Fatalf("code 200 reported as a refusal: %v", err)
			}
			return
		}
		if res.OrderID != req.OrderID || len(res.Raw) == 0 {
			t.Fatalf("zero-valued or foreign success: %+v", res)
		}
		if res.Status == paygate.StatusSucceeded && !json.Valid(body) {
			t.Fatalf("success from a body that is not JSON")
		}
	})
}

// FuzzDecodeResponse feeds answers to every other endpoint: never a panic, never a success
// without the order asked about (or, for balance, without an available balance).
func FuzzDecodeResponse(f *testing.F) {
	for i, b := range []string{payOutOK, queryPayInOK, queryPayOutOK, balanceOK, utrOK, closeOK, upiOK} {
		f.Add(uint8(i), 200, []byte(b))
	}
	f.Add(uint8(3), 200, []byte(`{"code":200,"data":{"balance":"1"}}`))
	f.Add(uint8(1), 500, []byte(`{"code":500}`))
	f.Fuzz(func(t *testing.T, op uint8, status int, body []byte) {
		status = httpStatus(status)
		c := fuzzClient(t, status, body)
		ctx := context.Background()
		var err error
		switch op % 7 {
		case 0:
			var r *paygate.PayOutResult
			if r, err = c.PayOut(ctx, payOutRequest()); err == nil && r.OrderID != "PAYOUT_20231201001" {
				t.Fatalf("pay-out success for %q", r.OrderID)
			}
			if err != nil {
				requireCreateFailure(t, status, err)
			}
		case 1, 2:
			kind := paygate.KindPayIn
			if op%7 == 2 {
				kind = paygate.KindPayOut
			}
			var o *paygate.Order
			if o, err = c.Query(ctx, &paygate.QueryRequest{Kind: kind, OrderID: "ORDER_20231201001"}); err == nil &&
				(o.OrderID != "ORDER_20231201001" || o.Kind != kind) {
				t.Fatalf("query success for %+v", o)
			}
		case 3:
			var b *paygate.Balance
			if b, err = c.Balance(ctx); err == nil && len(b.Raw) == 0 {
				t.Fatalf("balance without a body")
			}
		case 4:
			var r *cashgit.UTRResult
			if r, err = c.SubmitUTR(ctx, "ORDER_20231201001", "341234567890", inr("100")); err == nil && r.OrderID != "ORDER_20231201001" {
				t.Fatalf("utr success for %q", r.OrderID)
			}
		case 5:
			var r *cashgit.CloseResult
			if r, err = c.Close(ctx, "ORDER_20231201001"); err == nil && r.OrderID != "ORDER_20231201001" {
				t.Fatalf("close success for %q", r.OrderID)
			}
		case 6:
			_, err = c.UPIAccounts(ctx)
		}
		if err != nil && errors.Is(err, paygate.ErrInvalidRequest) {
			t.Fatalf("validation error from a provider answer: %v", err)
		}
	})
}
