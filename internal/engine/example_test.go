package engine_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/engine"
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

	var d struct{ Order, ID string }
	r, err := b.Call(context.Background(), &engine.Call{Op: "payin", Path: "/pay", Body: []byte(`{}`), Create: true, OrderID: "ORDER1"}, &d)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = r.Created(engine.Answer{OrderID: d.Order, ProviderOrderID: d.ID}, paygate.MustParseMoney("10", paygate.INR))
	fmt.Println(errors.Is(err, paygate.ErrOutcomeUnknown))
	// Output: true
}
