package fakeserver_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
)

// toyFake is the smallest provider fake: one create endpoint that books a pay-in of the
// amount in its form and answers with the provider order number. A real fake (package
// caipaytest and its siblings) also checks the signature, serves queries and the balance,
// and builds the provider's signed callback.
type toyFake struct{ b *fakeserver.Books }

func (f *toyFake) Routes() []fakeserver.Route {
	return []fakeserver.Route{{Pattern: "POST /pay", Create: true, Handler: f.pay}}
}

func (f *toyFake) pay(w http.ResponseWriter, r *http.Request) {
	amount, err := decimal.NewFromString(r.FormValue("amount"))
	if err != nil {
		http.Error(w, "bad amount", http.StatusBadRequest)
		return
	}
	o, err := f.b.Create(paygate.KindPayIn, "TOY", &fakeserver.Order{OrderID: r.FormValue("order"), Amount: amount})
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	_, _ = io.WriteString(w, o.ProviderOrderID)
}

func (f *toyFake) Callback(*fakeserver.Order) (http.Header, []byte, error) { return nil, nil, nil }
func (f *toyFake) Acked(status int, _ []byte) bool                         { return status == http.StatusOK }
func (f *toyFake) Schedule() []int                                         { return []int{1, 5} }

// spec is registered once, at package initialization, as each provider's fake registers its own.
var spec = fakeserver.Register(fakeserver.Spec{Provider: "toypay", Title: "ToyPay", Currency: paygate.INR,
	New: func(b *fakeserver.Books) fakeserver.Fake { return &toyFake{b: b} }})

// New starts a registered fake on a loopback port; the server keeps the orders the fake's
// handlers book.
func Example() {
	srv, err := fakeserver.New(spec, paygate.Config{MerchantID: "M1", Secret: "s3cret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	resp, err := http.Post(srv.URL()+"/pay", "application/x-www-form-urlencoded",
		strings.NewReader("order=ORD-1&amount=250.00"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	id, _ := io.ReadAll(resp.Body)

	o, err := srv.Order("ORD-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, strings.HasPrefix(string(id), "TOY"), o.ProviderOrderID == string(id))
	fmt.Println(o.Kind, o.Amount.StringFixed(2), o.Currency, o.Status)
	// Output:
	// 200 true true
	// payin 250.00 INR pending
}
