package engine_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
)

// A provider spec and one create whose answer names another order: outcome-unknown.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"code":"OK","data":{"order":"SOMEONE_ELSE","id":"P1"}}`))
	}))
	defer srv.Close()
	b, err := engine.New(spec, paygate.Config{MerchantID: "M1", Secret: "s"}, engine.Options{BaseURL: srv.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.CloseIdleConnections()

	var d created
	_, err = b.Call(context.Background(), &engine.Call{Op: "payin", Path: "/pay", Body: []byte(`{}`),
		Create: &engine.Order{ID: "ORDER1", Amount: paygate.MustParseMoney("10", paygate.INR)}}, &d)
	fmt.Println(errors.Is(err, paygate.ErrOutcomeUnknown))
	// Output: true
}

// created is the data of the test provider's create: it answers what it says about the order.
type created struct {
	Order, ID, Currency, Merchant string
	Kind                          paygate.Kind
	Amount                        wire.Amount
}

func (d *created) Answer() engine.Answer {
	return engine.Answer{OrderID: d.Order, ProviderOrderID: d.ID, Amount: d.Amount, Currency: d.Currency,
		Merchant: d.Merchant, Kind: d.Kind}
}
