package otelpaygate

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/httpconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/option"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/paygate-go/paygate/otelpaygate"

// Attribute keys of paygate's own attributes.
const (
	ProviderKey      = attribute.Key("paygate.provider")       // "cashgit"
	OperationKey     = attribute.Key("paygate.operation")      // "payin", "payout", "query", "balance", ...
	OutcomeKey       = attribute.Key("paygate.outcome")        // a paygate.Outcome, or a callback's or poll's outcome
	KindKey          = attribute.Key("paygate.order.kind")     // "payin" or "payout"
	StatusKey        = attribute.Key("paygate.order.status")   // a paygate.Status
	RouteDecisionKey = attribute.Key("paygate.route.decision") // "chosen", "failover", "skipped", "stopped", "exhausted"
	RouteReasonKey   = attribute.Key("paygate.route.reason")   // "weight", "not_sent", ...
)

// operationSpanName prefixes the operation in an operation span's name.
const operationSpanName = "paygate."

// Metric names.
const (
	OperationDurationName = "paygate.client.operation.duration"
	CallbacksName         = "paygate.webhook.callbacks"
	CallbackDurationName  = "paygate.webhook.callback.duration"
	PollsName             = "paygate.tracker.polls"
	RouteDecisionsName    = "paygate.router.decisions"
)

// Option configures New.
type Option func(*config)

type config struct {
	tp         trace.TracerProvider
	mp         metric.MeterProvider
	propagate  bool
	propagator propagation.TextMapPropagator
}

// WithTracerProvider makes spans with tp (default: otel.GetTracerProvider() at New). A nil tp
// keeps the default.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	}
}

// WithMeterProvider records metrics with mp (default: otel.GetMeterProvider() at New). A nil
// mp keeps the default.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	}
}

// WithPropagation writes the trace context of each HTTP attempt into the request sent to the
// provider (a traceparent header, with the W3C propagator), through the propagator given by
// WithPropagator or else otel.GetTextMapPropagator() at the time of the request. Off by
// default: providers do not expect these headers.
func WithPropagation() Option { return func(c *config) { c.propagate = true } }

// WithPropagator sets the propagator WithPropagation uses. It does not turn propagation on.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.propagator = p }
}

// New returns an Observer that reports to OpenTelemetry. Give it to paygate.WithObserver and
// to webhook.WithObserver (and to a tracker's or router's observer option); one Observer may
// serve any number of gateways at once.
func New(opts ...Option) paygate.Observer {
	c := config{}
	option.Apply(&c, opts)
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	o := &observer{
		tracer:     c.tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
		propagate:  c.propagate,
		propagator: c.propagator,
	}
	m := c.mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
	hd, err := httpconv.NewClientRequestDuration(m)
	report(err)
	o.httpDuration = hd.Inst()
	o.opDuration = seconds(m, OperationDurationName, "Duration of paygate Gateway operations, retries included.")
	o.callbacks = counter(m, CallbacksName, "Provider callbacks answered by a paygate webhook handler.", "{callback}")
	o.callbackDuration = seconds(m, CallbackDurationName, "Duration of handling one provider callback.")
	o.polls = counter(m, PollsName, "Orders queried by a paygate tracker.", "{poll}")
	o.routes = counter(m, RouteDecisionsName, "Routing decisions of a paygate router.", "{decision}")
	return o
}

// seconds makes the histogram name of durations in seconds, in durationBuckets.
func seconds(m metric.Meter, name, description string) metric.Float64Histogram {
	h, err := m.Float64Histogram(name,
		metric.WithDescription(description),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	report(err)
	return h
}

// counter makes the counter name of unit.
func counter(m metric.Meter, name, description, unit string) metric.Int64Counter {
	c, err := m.Int64Counter(name, metric.WithDescription(description), metric.WithUnit(unit))
	report(err)
	return c
}

// report hands an error making an instrument to OpenTelemetry's error handler; the
// instrument returned with the error is used all the same.
func report(err error) {
	if err != nil {
		otel.Handle(err)
	}
}

// durationBuckets are the semantic conventions' buckets for HTTP durations, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

type observer struct {
	tracer     trace.Tracer
	propagate  bool
	propagator propagation.TextMapPropagator

	httpDuration     metric.Float64Histogram
	opDuration       metric.Float64Histogram
	callbacks        metric.Int64Counter
	callbackDuration metric.Float64Histogram
	polls            metric.Int64Counter
	routes           metric.Int64Counter

	// What each distinct event needs (span name, start options, attribute sets), built once:
	// a few dozen entries in practice, since every field of a key is low-cardinality.
	opStarts      cache[opKey, started]
	opEnds        cache[opEndKey, ended]
	attemptStarts cache[attemptKey, started]
	attemptEnds   cache[attemptEndKey, ended]
}

type (
	opKey    struct{ provider, operation string }
	opEndKey struct {
		provider, operation string
		outcome             paygate.Outcome
	}
	attemptKey struct {
		provider, operation, method, host, template string
		port                                        int
	}
	attemptEndKey struct {
		provider, method, host, template, errorType string
		port, status                                int
	}
	// started is a span's name and start options.
	started struct {
		name string
		opts []trace.SpanStartOption
	}
	// ended is what a span gains at its end, and its metric's attributes.
	ended struct {
		attrs     []attribute.KeyValue
		record    []metric.RecordOption
		errorType string // "" unless the span failed
	}
)

// maxCached bounds each cache; past it, events are still reported, only built afresh.
const maxCached = 1024

// cache is a bounded map of values built once per key.
type cache[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

func (c *cache[K, V]) get(k K, build func() V) V {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	v = build()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[K]V)
	}
	if len(c.m) < maxCached {
		c.m[k] = v
	}
	return v
}

// The spans this observer started, kept in the context it returned, so that an End never
// ends a span it did not start (the caller's own, say).
type (
	operationSpanKey struct{}
	attemptSpanKey   struct{}
)

var (
	internal = trace.WithSpanKind(trace.SpanKindInternal)
	client   = trace.WithSpanKind(trace.SpanKindClient)
)

// OperationStart starts the operation's INTERNAL span.
func (o *observer) OperationStart(ctx context.Context, e paygate.OperationEvent) context.Context {
	st := o.opStarts.get(opKey{e.Provider, e.Operation}, func() started {
		return started{name: operationSpanName + e.Operation, opts: []trace.SpanStartOption{internal,
			trace.WithAttributes(ProviderKey.String(e.Provider), OperationKey.String(e.Operation))}}
	})
	ctx, span := o.tracer.Start(ctx, st.name, st.opts...)
	return context.WithValue(ctx, operationSpanKey{}, span)
}

// OperationEnd ends the operation's span and records its duration.
func (o *observer) OperationEnd(ctx context.Context, e paygate.OperationEvent) {
	outcome := e.Outcome
	if outcome == "" {
		outcome = paygate.ClassifyOutcome(e.Err)
	}
	end := o.opEnds.get(opEndKey{e.Provider, e.Operation, outcome}, func() ended {
		attrs := []attribute.KeyValue{ProviderKey.String(e.Provider), OperationKey.String(e.Operation), OutcomeKey.String(string(outcome))}
		var errType string
		if outcome != paygate.OutcomeOK {
			errType = string(outcome)
			attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
		}
		span := slices.Clone(attrs[2:]) // NewSet sorts attrs in place
		return ended{attrs: span, errorType: errType,
			record: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attrs...))}}
	})
	o.opDuration.Record(ctx, duration(e.Start, e.Duration).Seconds(), end.record...)
	if span, ok := ctx.Value(operationSpanKey{}).(trace.Span); ok {
		endSpan(span, end)
	}
}

// endSpan sets what a span gains at its end, and ends it.
func endSpan(span trace.Span, end ended) {
	if span.IsRecording() {
		span.SetAttributes(end.attrs...)
		if end.errorType != "" {
			span.SetStatus(codes.Error, end.errorType)
		}
	}
	span.End()
}

// AttemptStart starts the attempt's CLIENT span and, with WithPropagation, writes its trace
// context into the outgoing header.
func (o *observer) AttemptStart(ctx context.Context, e paygate.AttemptEvent) context.Context {
	tmpl := urlTemplate(e.URLTemplate)
	st := o.attemptStarts.get(attemptKey{e.Provider, e.Operation, e.Method, e.ServerAddress, tmpl, e.ServerPort}, func() started {
		method, original := httpMethod(e.Method)
		attrs := []attribute.KeyValue{
			semconv.HTTPRequestMethodKey.String(method),
			semconv.ServerAddressKey.String(e.ServerAddress),
			semconv.ServerPortKey.Int(e.ServerPort),
			ProviderKey.String(e.Provider),
			OperationKey.String(e.Operation),
		}
		if original != "" {
			attrs = append(attrs, semconv.HTTPRequestMethodOriginalKey.String(original))
		}
		if tmpl != "" {
			attrs = append(attrs, semconv.URLTemplateKey.String(tmpl))
		}
		return started{name: spanName(method, tmpl), opts: []trace.SpanStartOption{client, trace.WithAttributes(attrs...)}}
	})
	ctx, span := o.tracer.Start(ctx, st.name, st.opts...)
	if e.ResendCount > 0 && span.IsRecording() {
		span.SetAttributes(semconv.HTTPRequestResendCountKey.Int(e.ResendCount))
	}
	if o.propagate && e.Header != nil {
		p := o.propagator
		if p == nil {
			p = otel.GetTextMapPropagator()
		}
		p.Inject(ctx, propagation.HeaderCarrier(e.Header))
	}
	return context.WithValue(ctx, attemptSpanKey{}, span)
}

// AttemptEnd ends the attempt's span and records http.client.request.duration.
func (o *observer) AttemptEnd(ctx context.Context, e paygate.AttemptEvent) {
	errType := e.ErrorType
	switch {
	case errType != "":
	case e.StatusCode >= 400:
		errType = strconv.Itoa(e.StatusCode)
	case e.StatusCode <= 0:
		errType = semconv.ErrorTypeOther.Value.AsString()
	}
	tmpl := urlTemplate(e.URLTemplate)
	key := attemptEndKey{e.Provider, e.Method, e.ServerAddress, tmpl, errType, e.ServerPort, e.StatusCode}
	end := o.attemptEnds.get(key, func() ended {
		method, _ := httpMethod(e.Method)
		var span []attribute.KeyValue
		if e.StatusCode > 0 {
			span = append(span, semconv.HTTPResponseStatusCodeKey.Int(e.StatusCode))
		}
		if errType != "" {
			span = append(span, semconv.ErrorTypeKey.String(errType))
		}
		attrs := append([]attribute.KeyValue{
			semconv.HTTPRequestMethodKey.String(method),
			semconv.ServerAddressKey.String(e.ServerAddress),
			semconv.ServerPortKey.Int(e.ServerPort),
			ProviderKey.String(e.Provider),
		}, span...)
		if tmpl != "" {
			attrs = append(attrs, semconv.URLTemplateKey.String(tmpl))
		}
		return ended{attrs: span, errorType: errType,
			record: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attrs...))}}
	})
	o.httpDuration.Record(ctx, duration(e.Start, e.Duration).Seconds(), end.record...)
	if span, ok := ctx.Value(attemptSpanKey{}).(trace.Span); ok {
		endSpan(span, end)
	}
}

// Callback records a span and the metrics of one callback answered.
func (o *observer) Callback(ctx context.Context, e paygate.CallbackEvent) {
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs, ProviderKey.String(e.Provider), OutcomeKey.String(e.Outcome))
	if e.Kind != "" {
		attrs = append(attrs, KindKey.String(string(e.Kind)))
	}
	if e.Status != "" {
		attrs = append(attrs, StatusKey.String(string(e.Status)))
	}
	if e.HTTPStatus > 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCodeKey.Int(e.HTTPStatus))
	}
	set := metric.WithAttributeSet(attribute.NewSet(attrs...))
	o.callbacks.Add(ctx, 1, set)
	o.callbackDuration.Record(ctx, e.Duration.Seconds(), set)

	end := time.Now()
	_, span := o.tracer.Start(ctx, "paygate.callback",
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithTimestamp(end.Add(-e.Duration)),
		trace.WithAttributes(attrs...))
	if failedCallback(e) {
		span.SetStatus(codes.Error, e.Outcome)
	}
	span.End(trace.WithTimestamp(end))
}

// failedCallback reports whether the handler did not acknowledge the callback.
func failedCallback(e paygate.CallbackEvent) bool {
	return e.HTTPStatus == 0 || e.HTTPStatus >= http.StatusBadRequest
}

// Poll counts one tracker query.
func (o *observer) Poll(ctx context.Context, e paygate.PollEvent) {
	attrs := make([]attribute.KeyValue, 0, 3)
	attrs = append(attrs, ProviderKey.String(e.Provider), OutcomeKey.String(e.Outcome))
	if e.Kind != "" {
		attrs = append(attrs, KindKey.String(string(e.Kind)))
	}
	o.polls.Add(ctx, 1, metric.WithAttributes(attrs...))
}

// Route counts one routing decision.
func (o *observer) Route(ctx context.Context, e paygate.RouteEvent) {
	o.routes.Add(ctx, 1, metric.WithAttributes(
		OperationKey.String(e.Operation),
		ProviderKey.String(e.Provider),
		RouteDecisionKey.String(e.Decision),
		RouteReasonKey.String(e.Reason),
	))
}

// spanName is "{METHOD} {url.template}", or "{METHOD}" without a template.
func spanName(method, tmpl string) string {
	if tmpl == "" {
		return method
	}
	return method + " " + tmpl
}

// httpMethod returns the method as the semantic conventions name it: a known method, or
// "_OTHER" and the original.
func httpMethod(m string) (method, original string) {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch,
		http.MethodHead, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m, ""
	case "":
		return http.MethodGet, "" // net/http's default
	}
	return "_OTHER", m
}

// urlTemplate cuts anything from a '?' or '#' off: a template is a path, never a query
// (CaiPay's GET requests carry the token in theirs).
func urlTemplate(t string) string {
	if i := strings.IndexAny(t, "?#"); i >= 0 {
		return t[:i]
	}
	return t
}

// duration is d, or the time since start when d is not set.
func duration(start time.Time, d time.Duration) time.Duration {
	if d == 0 && !start.IsZero() {
		return time.Since(start)
	}
	return d
}
