package caipay_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/caipay"
	"github.com/paygate-go/paygate/sandbox"
)

// The H2H flow against the sandbox: a UPI-intent pay-in, the customer's UTR submitted, the
// signed callback verified and acknowledged, and the order searched.
func ExampleClient_PayIn() {
	cfg := paygate.Config{MerchantID: "1919668884792586242", APIKey: "merchant-token", Secret: "merchant-secret"}
	sb, err := sandbox.New("caipay", cfg)
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	c, err := caipay.New(cfg)
	if err != nil {
		panic(err)
	}

	// The merchant's callback endpoint for pay-ins.
	callbacks := make(chan *paygate.Callback, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		cb, err := c.ParseCallbackKind(paygate.KindPayIn, r.Header, body)
		if err != nil {
			http.Error(w, "rejected", http.StatusUnauthorized)
			return
		}
		callbacks <- cb // store it, then acknowledge
		cb.Ack.Write(w)
	}))
	defer receiver.Close()

	ctx := context.Background()
	res, err := c.PayIn(ctx, &paygate.PayInRequest{
		OrderID:   "ORD-1001",
		Amount:    paygate.MustParseMoney("250.00", paygate.INR),
		Customer:  paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com", Phone: "9876543210"},
		NotifyURL: receiver.URL + "/caipay/payin",
		Direct:    true,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("pay-in:", res.Status, res.Amount)
	fmt.Println("UPI intent:", strings.HasPrefix(res.UPIURL, "upi://pay?"))
	fmt.Println("Paytm intent:", strings.HasPrefix(caipay.PaytmURL(res), "paytmmp://pay?"))
	fmt.Println("expires in IST:", res.ExpiresAt.Location())

	if _, err := c.SubmitUTR(ctx, res.ProviderOrderID, "412345678901"); err != nil {
		panic(err)
	}

	if err := sb.Settle("ORD-1001", paygate.StatusSucceeded); err != nil {
		panic(err)
	}
	cb := <-callbacks
	fmt.Println("callback:", cb.Kind, cb.OrderID, cb.Status, cb.Amount, cb.UTR, cb.Ack.Body)

	o, err := c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "ORD-1001"})
	if err != nil {
		panic(err)
	}
	fmt.Println("search:", o.Status, o.ActualAmount, o.UTR)
	// Output:
	// pay-in: pending 250.00 INR
	// UPI intent: true
	// Paytm intent: true
	// expires in IST: IST
	// callback: payin ORD-1001 succeeded 250.00 INR 412345678901 success
	// search: succeeded 250.00 INR 412345678901
}
