package otelpaygate_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/otelpaygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// recordingObserver is an Observer over the SDK as a service runs it: every span sampled and
// batched to an exporter (one that drops them), every metric aggregated for a reader.
func recordingObserver(b *testing.B) paygate.Observer { return sdkObserver(b) }

// sampledObserver is recordingObserver with one trace in ten sampled, as busy services run.
func sampledObserver(b *testing.B) paygate.Observer {
	return sdkObserver(b, sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))))
}

func sdkObserver(b *testing.B, opts ...sdktrace.TracerProviderOption) paygate.Observer {
	b.Helper()
	tp := sdktrace.NewTracerProvider(append(opts, sdktrace.WithBatcher(tracetest.NewNoopExporter()))...)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		require.NoError(b, tp.Shutdown(context.Background()))
		require.NoError(b, mp.Shutdown(context.Background()))
	})
	return otelpaygate.New(otelpaygate.WithTracerProvider(tp), otelpaygate.WithMeterProvider(mp))
}

// observers are the three cases of every benchmark, in the same run.
var observers = []struct {
	name string
	obs  func(*testing.B) paygate.Observer
}{
	{"observer=none", func(*testing.B) paygate.Observer { return nil }},
	{"observer=nop", func(*testing.B) paygate.Observer { return paygate.NopObserver{} }},
	{"observer=otel-sdk", recordingObserver},
	{"observer=otel-sdk-sampled", sampledObserver},
}

// BenchmarkPayIn is one pay-in round trip against the CashGit sandbox: with no observer (the
// baseline), with paygate.NopObserver, and with otelpaygate over the recording SDK.
func BenchmarkPayIn(b *testing.B) {
	for _, c := range observers {
		b.Run(c.name, func(b *testing.B) {
			payIn := payInRig(b, c.obs(b))
			for range 200 { // warm up: connections, pools, caches
				payIn()
			}
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				payIn()
			}
			cpu.report(b)
		})
	}
}

// payInRig returns a function making one pay-in against its own CashGit sandbox, through a
// Gateway reporting to o (nil: no observer).
func payInRig(b *testing.B, o paygate.Observer) func() {
	b.Helper()
	cfg := paygate.Config{Provider: "cashgit", MerchantID: "M10001", APIKey: "bench-key", Secret: "bench-secret",
		Options: map[string]string{"rate_limit": "0"}}
	sb, err := sandbox.New(cfg.Provider, cfg)
	require.NoError(b, err)
	b.Cleanup(sb.Close)
	cfg.BaseURL = sb.URL()
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	b.Cleanup(tr.CloseIdleConnections)
	opts := []paygate.Option{paygate.WithHTTPClient(&http.Client{Transport: tr})}
	if o != nil {
		opts = append(opts, paygate.WithObserver(o))
	}
	gw, err := paygate.New(cfg, opts...)
	require.NoError(b, err)
	fx := paygatetest.Fixtures(gw.Capabilities().Currency)
	amount := paygate.MustParseMoney(fx.Amount, fx.Currency)
	ctx := context.Background()
	return func() {
		req := fx.PayIn()
		req.OrderID, req.NotifyURL, req.Amount = paygatetest.OrderID("B"), "http://127.0.0.1:9/cb", amount
		if _, err := gw.PayIn(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPayInInterleaved makes the pay-ins of BenchmarkPayIn's cases in turn, one of each
// per iteration in a rotating order, so that every case sees the same machine: on a machine
// shared with other work, separate benchmarks measure the neighbours more than the observer.
// It reports each case's median round trip and its ratio to no observer's.
func BenchmarkPayInInterleaved(b *testing.B) {
	rigs := make([]func(), len(observers))
	times := make([][]time.Duration, len(observers))
	for i, c := range observers {
		rigs[i] = payInRig(b, c.obs(b))
		for range 200 {
			rigs[i]()
		}
	}
	n := 0
	for b.Loop() {
		for j := range rigs {
			i := (n + j) % len(rigs)
			start := time.Now()
			rigs[i]()
			times[i] = append(times[i], time.Since(start))
		}
		n++
	}
	base := median(times[0])
	b.ReportMetric(float64(base.Nanoseconds()), "none-ns/op")
	for i, c := range observers[1:] {
		b.ReportMetric(float64(median(times[i+1]))/float64(base), strings.TrimPrefix(c.name, "observer=")+"-x")
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// replay answers every request with one recorded answer, in memory: no network, so that what
// the observer costs is not hidden by a round trip.
type replay struct {
	status int
	header http.Header
	body   []byte
}

func (r *replay) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: r.status, Header: r.header.Clone(), Body: io.NopCloser(bytes.NewReader(r.body)),
		ContentLength: int64(len(r.body)), Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
}

// capture is a RoundTripper keeping the last answer it passed on.
type capture struct {
	next http.RoundTripper
	last *replay
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	c.last = &replay{status: res.StatusCode, header: res.Header.Clone(), body: body}
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

// recordBalance has the sandbox answer one balance request and returns that answer.
func recordBalance(b *testing.B, cfg paygate.Config) *replay {
	b.Helper()
	sb, err := sandbox.New(cfg.Provider, cfg)
	require.NoError(b, err)
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &capture{next: tr}
	gw, err := paygate.New(cfg, paygate.WithHTTPClient(&http.Client{Transport: c}))
	require.NoError(b, err)
	_, err = gw.Balance(context.Background())
	require.NoError(b, err)
	require.NotNil(b, c.last)
	return c.last
}

// BenchmarkBalanceInMemory is a whole Balance operation (sign, send, verify, decode) with
// the provider's answer replayed in memory, so that the observer's cost is not hidden by a
// network round trip: no observer (the baseline: the nil path), NopObserver, and otelpaygate
// over the recording SDK.
func BenchmarkBalanceInMemory(b *testing.B) {
	cfg := paygate.Config{Provider: "cashgit", MerchantID: "M10001", APIKey: "bench-key", Secret: "bench-secret",
		Options: map[string]string{"rate_limit": "0"}}
	answer := recordBalance(b, cfg)
	cfg.BaseURL = "http://127.0.0.1:9" // never dialled: replay answers
	for _, c := range observers {
		b.Run(c.name, func(b *testing.B) {
			opts := []paygate.Option{paygate.WithHTTPClient(&http.Client{Transport: answer})}
			if o := c.obs(b); o != nil {
				opts = append(opts, paygate.WithObserver(o))
			}
			gw, err := paygate.New(cfg, opts...)
			require.NoError(b, err)
			ctx := context.Background()
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				if _, err := gw.Balance(ctx); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
		})
	}
}

// cpuClock measures the CPU time the process spent (every goroutine: the client, the
// sandbox serving it, the SDK's batcher), which a machine shared with other work inflates far
// less than the wall clock.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{start: cpuTime()} }

// report adds cpu-ns/op to the benchmark's results.
func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(cpuTime()-c.start)/float64(b.N), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkObserver is what one operation with one HTTP attempt costs the observer alone
// (OperationStart, AttemptStart, AttemptEnd, OperationEnd), with NopObserver and with
// otelpaygate over the recording SDK.
func BenchmarkObserver(b *testing.B) {
	b.Run("raw-otel", benchRawOTel)
	for _, c := range observers[1:] {
		b.Run(c.name, func(b *testing.B) {
			o := c.obs(b)
			ctx := context.Background()
			h := http.Header{}
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				oe := paygate.OperationEvent{Provider: "cashgit", Operation: "payin", Start: time.Now()}
				octx := o.OperationStart(ctx, oe)
				ae := paygate.AttemptEvent{Provider: "cashgit", Operation: "payin", Method: http.MethodPost, URLTemplate: "/api/pay",
					ServerAddress: "api.cashgit.example", ServerPort: 443, Header: h, Start: oe.Start}
				actx := o.AttemptStart(octx, ae)
				ae.Header, ae.StatusCode, ae.Duration = nil, http.StatusOK, time.Millisecond
				o.AttemptEnd(actx, ae)
				oe.Outcome, oe.Duration = paygate.OutcomeOK, 2*time.Millisecond
				o.OperationEnd(octx, oe)
			}
			cpu.report(b)
		})
	}
}

// benchRawOTel is the least the same telemetry costs written by hand against the SDK: two
// spans with their attributes and two histogram records with prebuilt attribute sets. It is
// the baseline of BenchmarkObserver/observer=otel-sdk.
func benchRawOTel(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		require.NoError(b, tp.Shutdown(context.Background()))
		require.NoError(b, mp.Shutdown(context.Background()))
	})
	tracer := tp.Tracer("raw")
	meter := mp.Meter("raw")
	opH, err := meter.Float64Histogram("op", metric.WithUnit("s"))
	require.NoError(b, err)
	httpH, err := meter.Float64Histogram("http", metric.WithUnit("s"))
	require.NoError(b, err)
	opStart := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attribute.String("paygate.provider", "cashgit"), attribute.String("paygate.operation", "payin"))}
	attStart := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("http.request.method", "POST"), attribute.String("server.address", "api.cashgit.example"),
		attribute.Int("server.port", 443), attribute.String("url.template", "/api/pay"))}
	opSet := []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attribute.String("paygate.provider", "cashgit"),
		attribute.String("paygate.operation", "payin"), attribute.String("paygate.outcome", "ok")))}
	httpSet := []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attribute.String("http.request.method", "POST"),
		attribute.String("server.address", "api.cashgit.example"), attribute.Int("server.port", 443),
		attribute.String("url.template", "/api/pay"), attribute.Int("http.response.status_code", 200)))}
	outcome := []attribute.KeyValue{attribute.String("paygate.outcome", "ok")}
	status := []attribute.KeyValue{attribute.Int("http.response.status_code", 200)}
	ctx := context.Background()
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		octx, op := tracer.Start(ctx, "paygate.payin", opStart...)
		_, att := tracer.Start(octx, "POST /api/pay", attStart...)
		att.SetAttributes(status...)
		att.End()
		httpH.Record(octx, 0.001, httpSet...)
		op.SetAttributes(outcome...)
		op.End()
		opH.Record(ctx, 0.002, opSet...)
	}
	cpu.report(b)
}
