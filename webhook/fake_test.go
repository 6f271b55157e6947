package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"sync/atomic"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/signing"
)

// fakeSecret signs the fake gateway's callbacks. Tests check it never reaches a log line.
const fakeSecret = "fake-secret-7f3a9c2e"

// fakeGateway stands in for a provider package while those are being written: callbacks are
// JSON objects of strings signed CashGit-style (signing.KeyParamMD5 over every other field,
// in the "sign" field). Query answers through query, when set.
type fakeGateway struct {
	name    string
	secret  string
	ack     paygate.Ack
	query   func(ctx context.Context, req *paygate.QueryRequest) (*paygate.Order, error)
	queries atomic.Int64
}

func newFake(name string) *fakeGateway {
	return &fakeGateway{
		name:   name,
		secret: fakeSecret + "-" + name,
		ack:    paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: "success"},
	}
}

func (f *fakeGateway) Name() string { return f.name }

func (f *fakeGateway) Capabilities() paygate.Capabilities {
	return paygate.Capabilities{QueryPayIn: true, QueryPayOut: true, Callbacks: true}
}

func (f *fakeGateway) PayIn(context.Context, *paygate.PayInRequest) (*paygate.PayInResult, error) {
	return nil, paygate.ErrUnsupported
}

func (f *fakeGateway) PayOut(context.Context, *paygate.PayOutRequest) (*paygate.PayOutResult, error) {
	return nil, paygate.ErrUnsupported
}

func (f *fakeGateway) Balance(context.Context) (*paygate.Balance, error) {
	return nil, paygate.ErrUnsupported
}

func (f *fakeGateway) Query(ctx context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
	f.queries.Add(1)
	if f.query == nil {
		return nil, paygate.ErrUnsupported
	}
	return f.query(ctx, req)
}

var fakeStatuses = map[string]paygate.Status{
	"pending":    paygate.StatusPending,
	"processing": paygate.StatusProcessing,
	"paid":       paygate.StatusSucceeded,
	"failed":     paygate.StatusFailed,
}

// ParseCallback verifies first, then normalizes, as every provider package does.
func (f *fakeGateway) ParseCallback(_ http.Header, body []byte) (*paygate.Callback, error) {
	fields, err := signing.Fields(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", paygate.ErrMalformedCallback, err)
	}
	got := fields["sign"]
	if got == "" {
		return nil, &paygate.SignatureError{Provider: f.name, Op: "callback", Reason: "missing"}
	}
	if !signing.Equal(got, signing.KeyParamMD5(fields, f.secret)) {
		return nil, &paygate.SignatureError{Provider: f.name, Op: "callback", Reason: "mismatch"}
	}
	cb := &paygate.Callback{
		Kind:            paygate.Kind(fields["kind"]),
		OrderID:         fields["orderid"],
		ProviderOrderID: fields["tradeno"],
		RawStatus:       fields["status"],
		UTR:             fields["utr"],
		Raw:             json.RawMessage(body),
		Ack:             f.ack,
	}
	cb.Status = fakeStatuses[cb.RawStatus]
	if cb.Status == "" {
		cb.Status = paygate.StatusUnknown
	}
	if s := fields["amount"]; s != "" {
		if cb.Amount, err = paygate.ParseMoney(s, paygate.INR); err != nil {
			return nil, fmt.Errorf("%w: amount: %w", paygate.ErrMalformedCallback, err)
		}
	}
	return cb, nil
}

// fields returns a callback's fields for order id, before signing.
func fields(id, status string) map[string]string {
	return map[string]string{
		"kind":    "payin",
		"orderid": id,
		"tradeno": "T" + id,
		"status":  status,
		"amount":  "100.00",
		"utr":     "",
	}
}

// sign returns the JSON body of fields signed with secret.
func sign(f map[string]string, secret string) []byte {
	f = maps.Clone(f)
	delete(f, "sign")
	f["sign"] = signing.KeyParamMD5(f, secret)
	b, err := json.Marshal(f)
	if err != nil {
		panic(err)
	}
	return b
}

// good returns a function producing f's good callback for order id.
func (f *fakeGateway) good(id, status string) func() (http.Header, []byte) {
	return func() (http.Header, []byte) {
		return http.Header{"Content-Type": {"application/json"}}, sign(fields(id, status), f.secret)
	}
}

// signature returns the sign value of a fake body, for checking it never reaches a log.
func signature(body []byte) string {
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		panic(err)
	}
	return m["sign"]
}
