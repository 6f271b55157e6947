package otelpaygate_test

import (
	"context"
	"fmt"
	"log"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/otelpaygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// A Gateway reporting to OpenTelemetry: an operation span under the caller's span, and a
// CLIENT span per HTTP attempt under it. A service passes its own providers, or none to use
// the global ones: otelpaygate.New().
func Example() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) }()

	cfg := paygate.Config{Provider: "cashgit", MerchantID: "M10001", APIKey: "demo-api-key", Secret: "demo-secret"}
	sb, err := sandbox.New(cfg.Provider, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()

	obs := otelpaygate.New(otelpaygate.WithTracerProvider(tp), otelpaygate.WithMeterProvider(mp))
	gw, err := paygate.New(cfg, paygate.WithObserver(obs))
	if err != nil {
		log.Fatal(err)
	}

	ctx, checkout := tp.Tracer("merchant").Start(context.Background(), "checkout")
	req := paygatetest.Fixtures(paygate.INR).PayIn()
	req.OrderID, req.NotifyURL = paygatetest.OrderID("EX"), "https://merchant.example/callbacks/cashgit"
	req.Amount = paygate.MustParseMoney("500.00", paygate.INR)
	if _, err := gw.PayIn(ctx, req); err != nil {
		log.Fatal(err)
	}
	checkout.End()

	names := map[any]string{}
	for _, s := range spans.Ended() {
		names[s.SpanContext().SpanID()] = s.Name()
	}
	for _, s := range spans.Ended() {
		if s.Parent().IsValid() {
			fmt.Printf("%s (%s) under %s\n", s.Name(), s.SpanKind(), names[s.Parent().SpanID()])
		}
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		log.Fatal(err)
	}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		fmt.Printf("%s (%s)\n", m.Name, m.Unit)
	}
	// Output:
	// POST /api/pay (client) under paygate.payin
	// paygate.payin (internal) under checkout
	// http.client.request.duration (s)
	// paygate.client.operation.duration (s)
}
