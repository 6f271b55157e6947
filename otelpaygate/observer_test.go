package otelpaygate_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/otelpaygate"
)

var semconvBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// attempt plays one HTTP attempt of an operation, as a Gateway's transport reports it.
func attempt(ctx context.Context, o paygate.Observer, resend, status int, errType string, h http.Header) {
	e := paygate.AttemptEvent{Provider: "cashgit", Operation: "payin", Method: http.MethodPost,
		URLTemplate: "/api/pay", ServerAddress: "api.cashgit.example", ServerPort: 443,
		ResendCount: resend, Header: h, Start: time.Now()}
	actx := o.AttemptStart(ctx, e)
	e.Header = nil
	e.Duration, e.StatusCode, e.ErrorType = 30*time.Millisecond, status, errType
	o.AttemptEnd(actx, e)
}

// operation plays one operation with the given attempts.
func operation(ctx context.Context, o paygate.Observer, op string, err error, attempts func(ctx context.Context)) {
	e := paygate.OperationEvent{Provider: "cashgit", Operation: op, Start: time.Now()}
	octx := o.OperationStart(ctx, e)
	if attempts != nil {
		attempts(octx)
	}
	e.Duration, e.Err, e.Outcome = 70*time.Millisecond, err, paygate.ClassifyOutcome(err)
	o.OperationEnd(octx, e)
}

func TestOperationWithRetry(t *testing.T) {
	r := newRig(t)
	ctx, parent := r.tp.Tracer("caller").Start(context.Background(), "checkout")
	operation(ctx, r.obs, "payin", nil, func(ctx context.Context) {
		attempt(ctx, r.obs, 0, http.StatusServiceUnavailable, "", nil)
		attempt(ctx, r.obs, 1, 0, "timeout", nil)
		attempt(ctx, r.obs, 2, http.StatusOK, "", nil)
	})
	parent.End()

	op := r.span(t, "paygate.payin")
	require.Equal(t, trace.SpanKindInternal, op.SpanKind())
	require.Equal(t, parent.SpanContext().SpanID(), op.Parent().SpanID(), "the operation is a child of the caller's span")
	require.Equal(t, parent.SpanContext().TraceID(), op.SpanContext().TraceID())
	require.Equal(t, map[string]any{"paygate.provider": "cashgit", "paygate.operation": "payin", "paygate.outcome": "ok"}, attrs(op.Attributes()))
	require.Equal(t, codes.Unset, op.Status().Code)
	require.Positive(t, op.EndTime().Sub(op.StartTime()))

	var tries []sdktrace.ReadOnlySpan
	for _, s := range r.ended() {
		if s.Name() == "POST /api/pay" {
			tries = append(tries, s)
		}
	}
	require.Len(t, tries, 3, "every attempt is its own span")
	base := map[string]any{"http.request.method": "POST", "server.address": "api.cashgit.example", "server.port": int64(443),
		"url.template": "/api/pay", "paygate.provider": "cashgit", "paygate.operation": "payin"}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	want := []struct {
		attrs  map[string]any
		status codes.Code
		desc   string
	}{
		{with("http.response.status_code", int64(503), "error.type", "503"), codes.Error, "503"},
		{with("http.request.resend_count", int64(1), "error.type", "timeout"), codes.Error, "timeout"},
		{with("http.request.resend_count", int64(2), "http.response.status_code", int64(200)), codes.Unset, ""},
	}
	for i, s := range tries {
		require.Equal(t, trace.SpanKindClient, s.SpanKind())
		require.Equal(t, op.SpanContext().SpanID(), s.Parent().SpanID(), "attempt %d is a child of the operation", i)
		require.Equal(t, want[i].attrs, attrs(s.Attributes()), "attempt %d", i)
		require.Equal(t, want[i].status, s.Status().Code, "attempt %d", i)
		require.Equal(t, want[i].desc, s.Status().Description, "attempt %d", i)
		require.False(t, s.StartTime().Before(op.StartTime()), "the attempt starts within its operation")
		require.False(t, s.EndTime().After(op.EndTime()), "and ends within it")
	}

	m := r.metrics(t)
	httpDur := m["http.client.request.duration"]
	require.Equal(t, "s", httpDur.Unit)
	points := histogram(t, httpDur)
	require.Len(t, points, 3, "one series per status / error class")
	seen := map[string]uint64{}
	for _, p := range points {
		a := setAttrs(p.Attributes)
		require.Equal(t, "POST", a["http.request.method"])
		require.Equal(t, "api.cashgit.example", a["server.address"])
		require.Equal(t, int64(443), a["server.port"])
		require.Equal(t, "/api/pay", a["url.template"])
		require.NotContains(t, a, "http.request.resend_count", "resend_count is a span attribute only")
		require.Equal(t, semconvBuckets, p.Bounds)
		require.InDelta(t, 0.03, p.Sum, 1e-9)
		seen[fmt.Sprint(a["http.response.status_code"], "/", a["error.type"])] += p.Count
	}
	require.Equal(t, map[string]uint64{"503/503": 1, "<nil>/timeout": 1, "200/<nil>": 1}, seen)

	opDur := m[otelpaygate.OperationDurationName]
	require.Equal(t, "s", opDur.Unit)
	op1 := histogram(t, opDur)
	require.Len(t, op1, 1)
	require.Equal(t, map[string]any{"paygate.provider": "cashgit", "paygate.operation": "payin", "paygate.outcome": "ok"}, setAttrs(op1[0].Attributes))
	require.Equal(t, uint64(1), op1[0].Count)
	require.InDelta(t, 0.07, op1[0].Sum, 1e-9)
	require.Equal(t, semconvBuckets, op1[0].Bounds)
}

func TestOperationOutcomes(t *testing.T) {
	tests := []struct {
		err     error
		outcome paygate.Outcome
	}{
		{nil, paygate.OutcomeOK},
		{fmt.Errorf("amount: %w", paygate.ErrInvalidRequest), paygate.OutcomeInvalid},
		{&paygate.ProviderError{Provider: "cashgit", Code: "1001", Message: "order ORD-1 exists"}, paygate.OutcomeRefused},
		{fmt.Errorf("create: %w", paygate.ErrOutcomeUnknown), paygate.OutcomeUnknown},
		{fmt.Errorf("dial: %w", paygate.ErrNotSent), paygate.OutcomeNotSent},
		{context.Canceled, paygate.OutcomeCanceled},
		{errors.New("signature of answer ORD-1 wrong"), paygate.OutcomeFailed},
	}
	for _, tt := range tests {
		t.Run(string(tt.outcome), func(t *testing.T) {
			r := newRig(t)
			operation(context.Background(), r.obs, "payout", tt.err, nil)
			s := r.span(t, "paygate.payout")
			a := attrs(s.Attributes())
			require.Equal(t, string(tt.outcome), a["paygate.outcome"])
			if tt.err == nil {
				require.Equal(t, codes.Unset, s.Status().Code)
				require.NotContains(t, a, "error.type")
				return
			}
			require.Equal(t, codes.Error, s.Status().Code)
			require.Equal(t, string(tt.outcome), s.Status().Description, "the outcome class, never the error's text")
			require.Equal(t, string(tt.outcome), a["error.type"])
			require.Empty(t, s.Events(), "the error is not recorded: its text may carry an order number")

			p := histogram(t, r.metrics(t)[otelpaygate.OperationDurationName])
			require.Len(t, p, 1)
			require.Equal(t, string(tt.outcome), setAttrs(p[0].Attributes)["paygate.outcome"])
			require.Equal(t, string(tt.outcome), setAttrs(p[0].Attributes)["error.type"])
		})
	}
}

func TestOutcomeFromErrWhenUnset(t *testing.T) {
	r := newRig(t)
	e := paygate.OperationEvent{Provider: "cashy", Operation: "query", Start: time.Now()}
	ctx := r.obs.OperationStart(context.Background(), e)
	e.Err = fmt.Errorf("x: %w", paygate.ErrNotSent)
	r.obs.OperationEnd(ctx, e)
	s := r.span(t, "paygate.query")
	require.Equal(t, "not_sent", attrs(s.Attributes())["paygate.outcome"])
	require.Positive(t, s.EndTime().Sub(s.StartTime()))
}

func TestNoSpanWithoutParentTrace(t *testing.T) {
	r := newRig(t)
	operation(context.Background(), r.obs, "balance", nil, func(ctx context.Context) {
		attempt(ctx, r.obs, 0, 200, "", nil)
	})
	op := r.span(t, "paygate.balance")
	require.False(t, op.Parent().IsValid(), "a root span when the caller has none")
	require.Equal(t, op.SpanContext().SpanID(), r.span(t, "POST /api/pay").Parent().SpanID())
}

// An End given a context the observer did not return never ends the caller's span.
func TestEndWithForeignContext(t *testing.T) {
	r := newRig(t)
	ctx, caller := r.tp.Tracer("caller").Start(context.Background(), "caller")
	r.obs.OperationEnd(ctx, paygate.OperationEvent{Provider: "cashgit", Operation: "payin", Duration: time.Millisecond})
	r.obs.AttemptEnd(ctx, paygate.AttemptEvent{Provider: "cashgit", Method: "GET", StatusCode: 200, Duration: time.Millisecond})
	require.True(t, caller.IsRecording(), "the caller's span is still open")
	require.Empty(t, r.ended())
	caller.End()
	m := r.metrics(t)
	require.Len(t, histogram(t, m[otelpaygate.OperationDurationName]), 1, "the metrics are still recorded")
	require.Len(t, histogram(t, m["http.client.request.duration"]), 1)
}

func TestURLTemplateNeverCarriesAQuery(t *testing.T) {
	r := newRig(t)
	e := paygate.AttemptEvent{Provider: "caipay", Operation: "query", Method: "GET",
		URLTemplate: "/api/order/query?token=SECRET-TOKEN&orderNo=ORD-1", ServerAddress: "pay.caipay.example", ServerPort: 443}
	ctx := r.obs.AttemptStart(context.Background(), e)
	e.StatusCode = 200
	r.obs.AttemptEnd(ctx, e)
	s := r.span(t, "GET /api/order/query")
	require.Equal(t, "/api/order/query", attrs(s.Attributes())["url.template"])
	p := histogram(t, r.metrics(t)["http.client.request.duration"])
	require.Equal(t, "/api/order/query", setAttrs(p[0].Attributes)["url.template"])
}

func TestMethodsAndNames(t *testing.T) {
	tests := []struct{ method, tmpl, name, attr, original string }{
		{"POST", "/api/pay", "POST /api/pay", "POST", ""},
		{"GET", "", "GET", "GET", ""},
		{"", "/x", "GET /x", "GET", ""},
		{"PURGE", "/x", "_OTHER /x", "_OTHER", "PURGE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			e := paygate.AttemptEvent{Provider: "p", Method: tt.method, URLTemplate: tt.tmpl, ServerAddress: "h", ServerPort: 80}
			ctx := r.obs.AttemptStart(context.Background(), e)
			e.StatusCode = 204
			r.obs.AttemptEnd(ctx, e)
			a := attrs(r.span(t, tt.name).Attributes())
			require.Equal(t, tt.attr, a["http.request.method"])
			if tt.original != "" {
				require.Equal(t, tt.original, a["http.request.method_original"])
			} else {
				require.NotContains(t, a, "http.request.method_original")
			}
			if tt.tmpl == "" {
				require.NotContains(t, a, "url.template")
			}
		})
	}
}

func TestPropagation(t *testing.T) {
	tc := propagation.TraceContext{}
	t.Run("off by default", func(t *testing.T) {
		r := newRig(t, otelpaygate.WithPropagator(tc))
		h := http.Header{}
		operation(context.Background(), r.obs, "payin", nil, func(ctx context.Context) { attempt(ctx, r.obs, 0, 200, "", h) })
		require.Empty(t, h, "providers do not expect traceparent: nothing is written unless asked")
	})
	t.Run("on", func(t *testing.T) {
		r := newRig(t, otelpaygate.WithPropagation(), otelpaygate.WithPropagator(tc))
		h := http.Header{}
		operation(context.Background(), r.obs, "payin", nil, func(ctx context.Context) { attempt(ctx, r.obs, 0, 200, "", h) })
		s := r.span(t, "POST /api/pay")
		sc := trace.SpanContextFromContext(tc.Extract(context.Background(), propagation.HeaderCarrier(h)))
		require.Equal(t, s.SpanContext().TraceID(), sc.TraceID())
		require.Equal(t, s.SpanContext().SpanID(), sc.SpanID(), "the provider sees the attempt's span as parent")
		require.True(t, sc.IsSampled())
	})
	t.Run("nil header", func(t *testing.T) {
		r := newRig(t, otelpaygate.WithPropagation(), otelpaygate.WithPropagator(tc))
		operation(context.Background(), r.obs, "payin", nil, func(ctx context.Context) { attempt(ctx, r.obs, 0, 200, "", nil) })
		require.Len(t, r.ended(), 2)
	})
}

func TestCallbackPollRoute(t *testing.T) {
	r := newRig(t)
	ctx, server := r.tp.Tracer("caller").Start(context.Background(), "POST /callbacks/{provider}", trace.WithSpanKind(trace.SpanKindServer))
	r.obs.Callback(ctx, paygate.CallbackEvent{Provider: "paypro", Kind: paygate.KindPayIn, Status: paygate.StatusSucceeded,
		Outcome: "handled", HTTPStatus: 200, Duration: 4 * time.Millisecond})
	r.obs.Callback(ctx, paygate.CallbackEvent{Provider: "paypro", Outcome: "invalid_signature", HTTPStatus: 401, Duration: time.Millisecond})
	r.obs.Callback(ctx, paygate.CallbackEvent{Provider: "paypro", Kind: paygate.KindPayOut, Status: paygate.StatusFailed,
		Outcome: "handler_panic", Duration: time.Millisecond})
	server.End()
	for range 2 {
		r.obs.Poll(context.Background(), paygate.PollEvent{Provider: "cashy", Kind: paygate.KindPayOut, Outcome: "changed", Duration: time.Millisecond})
	}
	r.obs.Route(context.Background(), paygate.RouteEvent{Operation: "payin", Provider: "cashgit", Decision: "failover", Reason: "not_sent"})

	var cbs []sdktrace.ReadOnlySpan
	for _, s := range r.ended() {
		if s.Name() == "paygate.callback" {
			cbs = append(cbs, s)
		}
	}
	require.Len(t, cbs, 3)
	require.Equal(t, trace.SpanKindInternal, cbs[0].SpanKind())
	require.Equal(t, server.SpanContext().SpanID(), cbs[0].Parent().SpanID(), "under the request's span")
	require.Equal(t, map[string]any{"paygate.provider": "paypro", "paygate.outcome": "handled", "paygate.order.kind": "payin",
		"paygate.order.status": "succeeded", "http.response.status_code": int64(200)}, attrs(cbs[0].Attributes()))
	require.Equal(t, 4*time.Millisecond, cbs[0].EndTime().Sub(cbs[0].StartTime()))
	require.Equal(t, codes.Unset, cbs[0].Status().Code)
	require.Equal(t, codes.Error, cbs[1].Status().Code)
	require.Equal(t, "invalid_signature", cbs[1].Status().Description)
	require.Equal(t, codes.Error, cbs[2].Status().Code)

	m := r.metrics(t)
	require.Equal(t, "{callback}", m[otelpaygate.CallbacksName].Unit)
	cp := sum(t, m[otelpaygate.CallbacksName])
	require.Len(t, cp, 3)
	byOutcome := map[any]int64{}
	for _, p := range cp {
		byOutcome[setAttrs(p.Attributes)["paygate.outcome"]] += p.Value
	}
	require.Equal(t, map[any]int64{"handled": 1, "invalid_signature": 1, "handler_panic": 1}, byOutcome)
	require.Equal(t, "s", m[otelpaygate.CallbackDurationName].Unit)
	require.Len(t, histogram(t, m[otelpaygate.CallbackDurationName]), 3)

	require.Equal(t, "{poll}", m[otelpaygate.PollsName].Unit)
	pp := sum(t, m[otelpaygate.PollsName])
	require.Len(t, pp, 1)
	require.Equal(t, int64(2), pp[0].Value)
	require.Equal(t, map[string]any{"paygate.provider": "cashy", "paygate.order.kind": "payout", "paygate.outcome": "changed"}, setAttrs(pp[0].Attributes))

	require.Equal(t, "{decision}", m[otelpaygate.RouteDecisionsName].Unit)
	rp := sum(t, m[otelpaygate.RouteDecisionsName])
	require.Len(t, rp, 1)
	require.Equal(t, map[string]any{"paygate.operation": "payin", "paygate.provider": "cashgit",
		"paygate.route.decision": "failover", "paygate.route.reason": "not_sent"}, setAttrs(rp[0].Attributes))
}

func TestDefaultsAreTheGlobals(t *testing.T) {
	o := otelpaygate.New(nil, otelpaygate.WithTracerProvider(nil), otelpaygate.WithMeterProvider(nil))
	ctx := o.OperationStart(context.Background(), paygate.OperationEvent{Provider: "p", Operation: "payin"})
	o.OperationEnd(ctx, paygate.OperationEvent{Provider: "p", Operation: "payin"}) // the no-op globals: nothing to see, nothing breaks
	o.Callback(ctx, paygate.CallbackEvent{Provider: "p"})
	o.Poll(ctx, paygate.PollEvent{Provider: "p"})
	o.Route(ctx, paygate.RouteEvent{Provider: "p"})
}
