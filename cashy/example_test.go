package cashy_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashy"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

// A customer pays less than the order's amount: Cashy books the payment as a supplementary
// (PATCH) order and sends its webhook. The callback names the supplementary order, carries
// the amount actually paid, and points back to the original order in ParentOrderID.
func ExampleClient_ParseCallback_patch() {
	cfg := paygate.Config{Provider: "cashy", MerchantID: "1002001", Secret: "merchant-secret"}
	sb, err := sandbox.New("cashy", cfg)
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := cashy.New(cfg)
	if err != nil {
		panic(err)
	}

	// The merchant's webhook endpoint: verify, parse, hand over, acknowledge.
	callbacks := make(chan *paygate.Callback, 1)
	srv := httptest.NewServer(webhook.Handler(gw, func(_ context.Context, cb *paygate.Callback) error {
		callbacks <- cb
		return nil
	}))
	defer srv.Close()

	_, err = gw.PayIn(context.Background(), &paygate.PayInRequest{
		OrderID: "MCH20230088", Amount: paygate.MustParseMoney("1000.00", paygate.PKR),
		Customer:  paygate.Customer{Name: "Ali Khan", Phone: "3001234567", Email: "ali@example.com", IDNumber: "3310401123456"},
		NotifyURL: srv.URL + "/webhooks/cashy", ExpiresIn: 30 * time.Minute,
	})
	if err != nil {
		panic(err)
	}
	// The customer pays 600.00 of the 1000.00.
	if _, err := sb.CashyPatch("MCH20230088", decimal.RequireFromString("600.00")); err != nil {
		panic(err)
	}
	cb := <-callbacks
	fmt.Println("order:", cb.OrderID)
	fmt.Println("parent:", cb.ParentOrderID)
	fmt.Println("paid:", cb.Amount, cb.Status)
	fmt.Printf("ack: %d %s\n", cb.Ack.StatusCode, cb.Ack.Body)
	// Output:
	// order: MCH2023008800001
	// parent: MCH20230088
	// paid: 600.00 PKR succeeded
	// ack: 200 SUCCESS
}

// A pay-in against the sandbox, then its status.
func ExampleClient_PayIn() {
	cfg := paygate.Config{Provider: "cashy", MerchantID: "1002001", Secret: "merchant-secret"}
	sb, err := sandbox.New("cashy", cfg)
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := paygate.New(cfg) // by name: the blank import of package cashy registered it
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	res, err := gw.PayIn(ctx, &paygate.PayInRequest{
		OrderID: "order000000001", Amount: paygate.MustParseMoney("500.00", paygate.PKR),
		Customer:  paygate.Customer{Name: "Ali Khan", Phone: "3001234567", Email: "ali@example.com", IDNumber: "3310401123456"},
		NotifyURL: "https://merchant.example/webhooks/cashy", Channel: "36",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, res.Amount, res.PayCode != "", res.PaymentURL != "")

	o, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, ProviderOrderID: res.ProviderOrderID})
	if err != nil {
		panic(err)
	}
	fmt.Println(o.OrderID, o.RawStatus, o.Status)
	// Output:
	// pending 500.00 PKR true true
	// order000000001 PAYING pending
}
