package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/signing"
	"github.com/paygate-go/paygate/webhook"
)

const demoSecret = "demo-secret"

// demoGateway stands in for a provider package (caipay, cashgit, ...): its callbacks are JSON
// objects signed CashGit-style, acknowledged with "success". The Handler uses only Name and
// ParseCallback (and Query with WithConfirm); the embedded interface leaves the others out.
type demoGateway struct{ paygate.Gateway }

func (demoGateway) Name() string { return "demo" }

func (demoGateway) ParseCallback(_ http.Header, body []byte) (*paygate.Callback, error) {
	fields, err := signing.Fields(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", paygate.ErrMalformedCallback, err)
	}
	if !signing.Equal(fields["sign"], signing.KeyParamMD5(fields, demoSecret)) {
		return nil, &paygate.SignatureError{Provider: "demo", Op: "callback", Reason: "mismatch"}
	}
	return &paygate.Callback{
		Kind:      paygate.KindPayIn,
		OrderID:   fields["orderid"],
		Status:    paygate.StatusSucceeded,
		RawStatus: fields["status"],
		Ack:       paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain", Body: "success"},
	}, nil
}

func Example() {
	gw := demoGateway{}
	store := func(_ context.Context, cb *paygate.Callback) error {
		fmt.Println("stored", cb.OrderID, cb.Status) // a real handler writes to its database
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle(webhook.Path(gw.Name()), webhook.Handler(gw, store,
		webhook.WithDeduper(webhook.NewMemoryDeduper(24*time.Hour, 100_000))))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	deliver := func(fields map[string]string, secret string) {
		fields["sign"] = signing.KeyParamMD5(fields, secret)
		body, _ := json.Marshal(fields)
		resp, err := http.Post(srv.URL+webhook.Path("demo"), "application/json", bytes.NewReader(body))
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(answer)))
	}
	paid := map[string]string{"orderid": "ORD-1001", "status": "paid", "amount": "100.00"}
	deliver(paid, demoSecret) // handled
	deliver(paid, demoSecret) // the provider's retry: acknowledged, not stored twice
	deliver(map[string]string{"orderid": "ORD-1002", "status": "paid", "amount": "100.00"}, "guessed")

	// Output:
	// stored ORD-1001 succeeded
	// 200 success
	// 200 success
	// 401 invalid signature
}

// The NotifyURL of an order whose callbacks NewMux serves, from the merchant's public URL
// written either way.
func ExampleNotifyURL() {
	fmt.Println(webhook.NotifyURL("https://shop.example", "cashgit"))
	fmt.Println(webhook.NotifyURL("https://shop.example/", "cashgit"))
	// Output:
	// https://shop.example/callbacks/cashgit
	// https://shop.example/callbacks/cashgit
}
