// Command observability runs a pay-in against a provider's in-process sandbox with paygate
// reporting to OpenTelemetry, and prints the spans and metrics it made to stdout: the
// operation spans, one CLIENT span per HTTP attempt, the callback handled by webhook.Handler,
// http.client.request.duration and paygate's own metrics.
//
//	go run ./examples/observability                   # CashGit
//	go run ./examples/observability -provider caipay  # any of caipay, cashgit, cashy, deekpay, paypro
//
// In a service, replace the stdout exporters with OTLP ones; the three paygate lines stay.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/otelpaygate"
	_ "github.com/paygate-go/paygate/providers" // registers every provider with paygate.New
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

func main() {
	provider := flag.String("provider", "cashgit", "provider to run against: caipay, cashgit, cashy, deekpay or paypro")
	flag.Parse()
	if err := run(os.Stdout, *provider); err != nil {
		fmt.Fprintln(os.Stderr, "observability:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, provider string) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// 1. OpenTelemetry, as a service sets it up: here printing to w.
	spans, err := stdouttrace.New(stdouttrace.WithWriter(w), stdouttrace.WithPrettyPrint())
	if err != nil {
		return err
	}
	metrics, err := stdoutmetric.New(stdoutmetric.WithWriter(w), stdoutmetric.WithPrettyPrint())
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)) // a service uses WithBatcher
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	defer func() { // flushes: the metrics are printed here
		err = errors.Join(err, tp.Shutdown(context.Background()), mp.Shutdown(context.Background()))
	}()
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)

	// 2. A sandbox of the provider, and a Gateway reporting to OpenTelemetry.
	cfg := paygate.Config{Provider: provider, MerchantID: "M10001", APIKey: "demo-api-key", Secret: "demo-secret"}
	sb, err := sandbox.New(provider, cfg)
	if err != nil {
		return err
	}
	defer sb.Close()

	obs := otelpaygate.New() // the global TracerProvider and MeterProvider
	gw, err := paygate.New(sb.Config(), paygate.WithObserver(obs))
	if err != nil {
		return err
	}
	callbacks := make(chan *paygate.Callback, 1)
	handler := webhook.Handler(gw, func(_ context.Context, cb *paygate.Callback) error {
		callbacks <- cb
		return nil
	}, webhook.WithObserver(obs))

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: handler}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	// 3. The merchant's own span around the checkout: paygate's spans are its children.
	ctx, checkout := tp.Tracer("merchant").Start(ctx, "checkout")
	defer checkout.End()

	req := payIn(gw.Capabilities().Currency, "http://"+ln.Addr().String()+"/callbacks/"+provider)
	res, err := gw.PayIn(ctx, req)
	if err != nil {
		return fmt.Errorf("pay-in: %w", err)
	}
	if err := sb.Settle(req.OrderID, paygate.StatusSucceeded); err != nil {
		return fmt.Errorf("settle: %w", err)
	}
	select {
	case <-callbacks:
	case <-ctx.Done():
		return errors.New("no callback arrived")
	}
	if gw.Capabilities().QueryPayIn {
		if _, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: res.OrderID, ProviderOrderID: res.ProviderOrderID}); err != nil {
			return fmt.Errorf("query: %w", err)
		}
	}
	return nil
}

// payIn is a pay-in in the provider's currency (Cashy settles in Pakistani rupees and asks
// for the customer's CNIC).
func payIn(currency paygate.Currency, notifyURL string) *paygate.PayInRequest {
	req := &paygate.PayInRequest{
		OrderID:   fmt.Sprintf("OBS%d", time.Now().UnixNano()),
		Amount:    paygate.MustParseMoney("500.00", currency),
		Customer:  paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com", Phone: "9876543210", IP: "203.0.113.7"},
		NotifyURL: notifyURL,
		ReturnURL: "https://merchant.example/thanks",
		Remark:    "observability",
	}
	if currency == paygate.PKR {
		req.Customer = paygate.Customer{Name: "Ali Khan", Email: "ali.khan@gmail.com", Phone: "3001234567", IDNumber: "3310401123456"}
	}
	return req
}
