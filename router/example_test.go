package router_test

import (
	"context"
	"fmt"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/router"
	"github.com/paygate-go/paygate/sandbox"
)

// Rupees of India are split 70/30 between CashGit and PayPro, with DeekPay as the fallback
// of both; rupees of Pakistan go to Cashy. Each provider is faked by the sandbox.
func Example() {
	gws := map[string]paygate.Gateway{}
	for _, name := range []string{"cashgit", "paypro", "deekpay", "cashy"} {
		cfg := paygate.Config{Provider: name, MerchantID: "M10001", APIKey: "key-" + name, Secret: "secret-" + name}
		sb, err := sandbox.New(name, cfg)
		if err != nil {
			panic(err)
		}
		defer sb.Close()
		cfg.BaseURL = sb.URL()
		if gws[name], err = paygate.New(cfg); err != nil {
			panic(err)
		}
	}
	r, err := router.New([]router.Route{
		{Gateway: gws["cashgit"], Weight: 70},
		{Gateway: gws["paypro"], Weight: 30},
		{Gateway: gws["deekpay"], Priority: 1},
		{Gateway: gws["cashy"]}, // takes PKR only: its Capabilities say so
	}, router.WithSeed(1))
	if err != nil {
		panic(err)
	}

	// Where a pay-in of 500 INR could go, in order, without sending anything.
	for _, c := range r.Plan(router.Request{Kind: paygate.KindPayIn, Amount: paygate.MustParseMoney("500", paygate.INR)}) {
		fmt.Println(c.Provider, c.Reason)
	}

	// A pay-in in PKR: only Cashy is eligible. The result names it, and Query goes back to it.
	ctx := context.Background()
	req := paygatetest.Fixtures(paygate.PKR).PayIn()
	req.OrderID, req.Amount, req.NotifyURL = "PK20261202001", paygate.MustParseMoney("1500", paygate.PKR), "https://merchant.example/callbacks/cashy"
	res, err := r.PayIn(ctx, req)
	if err != nil {
		panic(err)
	}
	o, err := r.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: res.OrderID})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Provider, o.Provider, o.Status)
	// Output:
	// cashgit weight
	// paypro fallback
	// deekpay fallback
	// cashy cashy pending
}
