package paygatetest_test

import (
	"context"
	"fmt"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// A Receiver is the merchant's callback endpoint in a test: it verifies each callback with
// the Gateway and answers the provider's Ack.
func ExampleNewReceiver() {
	cfg := paygate.Config{Provider: "paypro", MerchantID: "M10001", Secret: "test-secret"}
	sb, _ := sandbox.New("paypro", cfg)
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, _ := paygate.New(cfg)
	rcv := paygatetest.NewReceiver(gw)
	defer rcv.Close()

	fx := paygatetest.Fixtures(gw.Capabilities().Currency)
	req := fx.PayIn()
	req.OrderID, req.NotifyURL, req.Amount = "ORDER_0002", rcv.URL, paygate.MustParseMoney(fx.Amount, fx.Currency)
	if _, err := gw.PayIn(context.Background(), req); err != nil {
		panic(err)
	}
	_ = sb.Settle(req.OrderID, paygate.StatusSucceeded)
	cb := <-rcv.Callbacks
	fmt.Println(cb.OrderID, cb.Kind, cb.Status, cb.Amount, cb.Ack.Body)
	// Output: ORDER_0002 payin succeeded 512.05 INR OK
}
