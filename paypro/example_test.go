package paypro_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paypro"
	"github.com/paygate-go/paygate/sandbox"
)

// Example collects 500 rupees through the PayPro cashier against the in-process sandbox,
// receives the signed callback when the customer pays, and checks the order.
func Example() {
	cfg := paygate.Config{Provider: "paypro", MerchantID: "M10001", Secret: "example-secret"}
	sb, err := sandbox.New("paypro", cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := paypro.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}

	// The merchant's callback endpoint: verify, store, then answer with the Ack PayPro expects.
	paid := make(chan *paygate.Callback, 1)
	notify := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		cb, err := gw.ParseCallback(r.Header, body)
		if err != nil {
			http.Error(w, "rejected", http.StatusUnauthorized)
			return
		}
		paid <- cb
		cb.Ack.Write(w)
	}))
	defer notify.Close()

	ctx := context.Background()
	res, err := gw.PayIn(ctx, &paygate.PayInRequest{
		OrderID: "ORD20240820001", Amount: paygate.MustParseMoney("500", paygate.INR),
		Customer:  paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com", Phone: "+91 98765 43210", IP: "203.0.113.7"},
		NotifyURL: notify.URL, ReturnURL: "https://merchant.example/return",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", res.OrderID, res.Status, res.RawStatus, res.PaymentURL != "")

	if err := sb.Settle(res.OrderID, paygate.StatusSucceeded); err != nil {
		fmt.Println(err)
		return
	}
	cb := <-paid
	fmt.Println("callback:", cb.Kind, cb.OrderID, cb.Status, cb.Amount, cb.Ack.Body)

	o, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: res.OrderID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("query:", o.Status, o.RawStatus, o.Amount)
	// Output:
	// created: ORD20240820001 processing 0015 true
	// callback: payin ORD20240820001 succeeded 500.00 INR OK
	// query: succeeded 0000 500.00 INR
}
