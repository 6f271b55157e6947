// Command quickstart runs paygate's whole flow against the in-process sandbox, with no
// provider account: it creates a pay-in, has the sandbox settle it, receives and verifies the
// signed callback through webhook.Handler, and queries the order.
//
//	go run ./examples/quickstart                   # CashGit
//	go run ./examples/quickstart -provider cashy   # any of caipay, cashgit, cashy, deekpay, paypro
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/providers" // registers every provider with paygate.New
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

func main() {
	provider := flag.String("provider", "cashgit", "provider to run against: caipay, cashgit, cashy, deekpay or paypro")
	flag.Parse()
	if err := run(*provider); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(provider string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// 1. A sandbox of the provider, and a Gateway configured for it. Against the real provider
	//    only the Config changes: its BaseURL and the credentials of your merchant account.
	cfg := paygate.Config{Provider: provider, MerchantID: "M10001", APIKey: "demo-api-key", Secret: "demo-secret"}
	sb, err := sandbox.New(provider, cfg)
	if err != nil {
		return err
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := paygate.New(cfg)
	if err != nil {
		return err
	}
	fmt.Printf("sandbox   %s listening at %s\n", provider, sb.URL())

	// 2. The merchant's callback endpoint: webhook.Handler verifies the signature, then hands
	//    the normalized callback to our function and answers the provider's expected Ack.
	callbacks := make(chan *paygate.Callback, 1)
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: webhook.Handler(gw,
		func(_ context.Context, cb *paygate.Callback) error {
			callbacks <- cb // a real merchant stores it, idempotently, here
			return nil
		})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	notifyURL := "http://" + ln.Addr().String() + "/callbacks/" + provider

	// 3. Take money in.
	req := payIn(gw.Capabilities().Currency, notifyURL)
	res, err := gw.PayIn(ctx, req)
	if err != nil {
		return fmt.Errorf("pay-in: %w", err)
	}
	fmt.Printf("pay-in    order %s created as %s (provider order %s, status %s)\n",
		res.OrderID, req.Amount, res.ProviderOrderID, res.Status)
	if url := cmp.Or(res.PaymentURL, res.UPIURL, res.PayCode); url != "" {
		fmt.Printf("          the customer pays at %s\n", url)
	}

	// 4. The customer pays: the sandbox settles the order and POSTs its signed callback.
	if err := sb.Settle(req.OrderID, paygate.StatusSucceeded); err != nil {
		return fmt.Errorf("settle: %w", err)
	}
	var cb *paygate.Callback
	select {
	case cb = <-callbacks:
	case <-ctx.Done():
		return errors.New("no callback arrived")
	}
	fmt.Printf("callback  verified: order %s %s, %s, UTR %s; answered %d %q\n",
		cb.OrderID, cb.Status, cb.Amount, cmp.Or(cb.UTR, "(none)"), cb.Ack.StatusCode, cb.Ack.Body)

	// 5. A callback is a hint; the query is the truth.
	order, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: res.OrderID, ProviderOrderID: res.ProviderOrderID})
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	fmt.Printf("query     order %s is %s (provider says %q), amount %s\n", order.OrderID, order.Status, order.RawStatus, order.Amount)
	if order.Status != paygate.StatusSucceeded {
		return fmt.Errorf("order ended %s, expected succeeded", order.Status)
	}
	fmt.Println("done      the order succeeded")
	return nil
}

// payIn is a pay-in every provider of currency accepts: Indian customers pay in rupees,
// Pakistani ones (Cashy) in Pakistani rupees.
func payIn(currency paygate.Currency, notifyURL string) *paygate.PayInRequest {
	req := &paygate.PayInRequest{
		OrderID:   fmt.Sprintf("QS%d", time.Now().UnixMilli()),
		Amount:    paygate.MustParseMoney("500.00", currency),
		Customer:  paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com", Phone: "9876543210", IP: "203.0.113.7"},
		NotifyURL: notifyURL,
		ReturnURL: "https://merchant.example/thanks",
		Remark:    "quickstart",
	}
	if currency == paygate.PKR {
		req.Customer = paygate.Customer{Name: "Ali Khan", Email: "ali.khan@gmail.com", Phone: "3001234567", IDNumber: "3310401123456"}
	}
	return req
}
