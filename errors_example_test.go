package paygate_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/providers"
	"github.com/paygate-go/paygate/sandbox"
)

// checkout creates a pay-in and says what the merchant should do with each kind of failure.
// The README's error-handling snippet is this function.
func checkout(ctx context.Context, gw paygate.Gateway, req *paygate.PayInRequest) (paymentURL string, err error) {
	res, err := gw.PayIn(ctx, req)
	if err == nil {
		return res.PaymentURL, nil // send the customer there
	}
	var (
		ve *paygate.ValidationError
		pe *paygate.ProviderError
	)
	switch {
	case errors.As(err, &ve):
		// Refused before anything was sent: fix the request. ve.Problems lists every field.
		return "", fmt.Errorf("fix the request (%d problems, first %s): %w", len(ve.AllProblems()), ve.Field, err)
	case errors.Is(err, paygate.ErrNotSent):
		// This request never left this machine (connection refused, limiter, open circuit):
		// send it again under the same order number to the same provider; to another only if
		// no earlier send of this order number may have reached one.
		return "", fmt.Errorf("not sent, safe to retry: %w", err)
	case errors.Is(err, paygate.ErrOutcomeUnknown):
		// May have reached the provider (timeout, reset, 5xx, unreadable answer): Query the
		// order before deciding; never send it again blindly.
		return "", fmt.Errorf("outcome unknown, query %s before retrying: %w", req.OrderID, err)
	case errors.Is(err, paygate.ErrDuplicateOrder):
		// The provider already has this order number: Query it.
		return "", fmt.Errorf("order exists, query it: %w", err)
	case errors.As(err, &pe):
		// The provider said no: nothing was created. pe.Code and pe.Message say why.
		return "", fmt.Errorf("refused (code %s), nothing was created: %w", pe.Code, err)
	case errors.Is(err, paygate.ErrUnsupported):
		// This provider has no such operation: check gw.Capabilities() first.
		return "", fmt.Errorf("unsupported: %w", err)
	default:
		// Anything else (a cancelled context, a failure before the provider was reached
		// that cannot be proved unsent): treat a create as outcome unknown and Query it.
		return "", fmt.Errorf("failed, query %s before retrying: %w", req.OrderID, err)
	}
}

// decision is the first words of checkout's answer, for the example's output.
func decision(err error) string {
	if err == nil {
		return "ok"
	}
	msg := err.Error()
	for i := range msg {
		if msg[i] == ',' || msg[i] == '(' || msg[i] == ':' {
			return strings.TrimSpace(msg[:i])
		}
	}
	return msg
}

// Example_errorHandling runs checkout against the CashGit sandbox, a refused connection and a
// provider answering an HTML 502 page.
func Example_errorHandling() {
	ctx := context.Background()
	cfg := paygate.Config{Provider: "cashgit", MerchantID: "cgpay", Secret: "sandbox-secret",
		Options: map[string]string{"rate_limit": "0"}}
	sb, err := sandbox.New("cashgit", cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := paygate.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	order := func(id, amount string) *paygate.PayInRequest {
		return &paygate.PayInRequest{OrderID: id, Amount: paygate.MustParseMoney(amount, paygate.INR),
			NotifyURL: "https://merchant.example/callbacks/cashgit"}
	}

	_, err = checkout(ctx, gw, order("ORDER_0001", "500.00"))
	fmt.Println("created:", decision(err))
	_, err = checkout(ctx, gw, order("ORDER_0001", "500.00"))
	fmt.Println("same order again:", decision(err))
	_, err = checkout(ctx, gw, order("", "5"))
	fmt.Println("bad request:", decision(err))

	// A provider host that refuses the connection.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	refused := ln.Addr().String()
	_ = ln.Close()
	down := cfg
	down.BaseURL = "http://" + refused
	gwDown, _ := paygate.New(down)
	_, err = checkout(ctx, gwDown, order("ORDER_0002", "500.00"))
	fmt.Println("connection refused:", decision(err))

	// A provider answering an HTML error page.
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	}))
	defer page.Close()
	bad := cfg
	bad.BaseURL = page.URL
	gwBad, _ := paygate.New(bad)
	_, err = checkout(ctx, gwBad, order("ORDER_0003", "500.00"))
	fmt.Println("502 page:", decision(err))
	var re *paygate.ResponseError
	fmt.Println("502 page is a *ResponseError:", errors.As(err, &re))

	// Output:
	// created: ok
	// same order again: order exists
	// bad request: fix the request
	// connection refused: not sent
	// 502 page: outcome unknown
	// 502 page is a *ResponseError: true
}
