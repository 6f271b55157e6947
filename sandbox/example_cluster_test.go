package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/paypro" // registers "paypro"
	"github.com/paygate-go/paygate/sandbox"
)

// A cluster runs every provider's fake; its dashboard is an http.Handler. Here the next
// PayPro create loses its answer: the SDK reports an unknown outcome while the fake has the
// order.
func ExampleNewCluster() {
	c, err := sandbox.NewCluster(nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	dash := httptest.NewServer(c.Dashboard())
	defer dash.Close()

	gw, err := paygate.New(c.Config("paypro"))
	if err != nil {
		panic(err)
	}
	if err := c.Server("paypro").SetFault(sandbox.FaultAnswerLost); err != nil {
		panic(err)
	}
	_, err = gw.PayIn(context.Background(), &paygate.PayInRequest{
		OrderID: "ORDER_0001", Amount: paygate.MustParseMoney("500", paygate.INR),
		Customer:  paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com", Phone: "9876543210", IP: "203.0.113.7"},
		NotifyURL: "https://merchant.example/cb", ReturnURL: "https://merchant.example/return",
	})
	fmt.Println("outcome unknown:", errors.Is(err, paygate.ErrOutcomeUnknown))
	o, err := c.Server("paypro").Order("ORDER_0001")
	fmt.Println("the fake has it:", err == nil, o.Status)

	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, dash.URL+"/api/orders?provider=paypro", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	_ = resp.Body.Close()
	fmt.Println("dashboard API:", resp.Status)
	// Output:
	// outcome unknown: true
	// the fake has it: true processing
	// dashboard API: 200 OK
}
