package sandbox_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/cashgit" // registers "cashgit"
	"github.com/paygate-go/paygate/sandbox"
)

// A sandbox stands in for the provider: point Config.BaseURL at it, use the Gateway as in
// production, and move orders with Settle.
func Example() {
	cfg := paygate.Config{Provider: "cashgit", MerchantID: "M10001", Secret: "test-secret"}
	sb, err := sandbox.New("cashgit", cfg)
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := paygate.New(cfg)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	_, err = gw.PayIn(ctx, &paygate.PayInRequest{OrderID: "ORDER_0001", Amount: paygate.MustParseMoney("100", paygate.INR)})
	fmt.Println("pay-in:", err)

	// No notify URL was given, so Settle moves the order and says no callback was sent.
	err = sb.Settle("ORDER_0001", paygate.StatusSucceeded)
	fmt.Println("settle:", errors.Is(err, sandbox.ErrNoNotifyURL))
	o, _ := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "ORDER_0001"})
	fmt.Println("query:", o.Status, o.RawStatus, o.Amount)

	_, err = gw.PayIn(ctx, &paygate.PayInRequest{OrderID: "ORDER_0001", Amount: paygate.MustParseMoney("100", paygate.INR)})
	fmt.Println("again:", err)
	// Output:
	// pay-in: <nil>
	// settle: true
	// query: succeeded paid 100.00 INR
	// again: paygate: cashgit payin: provider refused (HTTP 409): code 409: 订单已存在: order already exists
}
