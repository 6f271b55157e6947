package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/transport"
)

// A create answered with a 502 may have been taken by the provider: it is never re-sent, and
// the error says to query the order first.
func ExampleClient_Do() {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits++
		http.Error(w, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
	}))
	defer srv.Close()
	c := transport.New(transport.Options{Provider: "demo", BaseURL: srv.URL}, paygate.Resolve())
	defer c.CloseIdleConnections()

	_, err := c.Do(context.Background(), &transport.Request{Op: "payout", Method: http.MethodPost,
		Path: "/payout", Body: []byte(`{}`), Create: true, OrderID: "PO_1"})
	fmt.Println(errors.Is(err, paygate.ErrOutcomeUnknown), hits)
	// Output: true 1
}
