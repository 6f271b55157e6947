package otelpaygate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/otelpaygate"
	"github.com/paygate-go/paygate/paygatetest"
	_ "github.com/paygate-go/paygate/providers" // every provider
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

// wire remembers every value that crossed the wire between a gateway, its sandbox and the
// webhook handler: request and answer bodies, headers, query strings. None may reach
// telemetry.
type wire struct {
	mu       sync.Mutex
	values   map[string]bool
	requests int // requests sent to the provider
	traced   int // of which carried a traceparent header
}

func (w *wire) add(v string) {
	v = strings.TrimSpace(v)
	if len(v) < 6 { // short values ("INR", "1", "true") are everywhere and say nothing
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.values[v] = true
}

// addBody records a body's leaves: JSON values, form values, or the whole text.
func (w *wire) addBody(b []byte) {
	var v any
	if json.Unmarshal(b, &v) == nil {
		w.addJSON(v)
		return
	}
	if q, err := url.ParseQuery(string(b)); err == nil && len(q) > 0 {
		w.addValues(q)
		return
	}
	w.add(string(b))
}

func (w *wire) addJSON(v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			w.addJSON(e)
		}
	case []any:
		for _, e := range v {
			w.addJSON(e)
		}
	case string:
		w.add(v)
		var inner any // some providers nest JSON in a string
		if json.Unmarshal([]byte(v), &inner) == nil {
			w.addJSON(inner)
		}
	case float64:
		w.add(strconv.FormatFloat(v, 'f', -1, 64))
		w.add(strconv.FormatFloat(v, 'f', 2, 64))
	}
}

func (w *wire) addValues(q url.Values) {
	for _, vs := range q {
		for _, v := range vs {
			w.add(v)
		}
	}
}

func (w *wire) addHeader(h http.Header) {
	for _, vs := range h {
		for _, v := range vs {
			w.add(v)
		}
	}
}

// vocabulary is what telemetry says on purpose; a request may carry one of these words too
// (a remark "payout", a status "processing"), which is no leak.
var vocabulary = func() map[string]bool {
	m := map[string]bool{"127.0.0.1": true, "paygate": true}
	for _, w := range []string{"payin", "payout", "query", "balance", "pending", "processing", "succeeded", "failed",
		"cancelled", "reversed", "unknown", "refused", "invalid", "outcome_unknown", "not_sent", "error", "canceled",
		"handled", "duplicate", "timeout", "connection", "GET", "POST"} {
		m[w] = true
	}
	for _, p := range sandbox.Providers() {
		m[p] = true
	}
	return m
}()

func (w *wire) snapshot() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.values))
	for v := range w.values {
		if !vocabulary[v] {
			out = append(out, v)
		}
	}
	return out
}

// RoundTrip records the request and its answer.
type tap struct {
	w    *wire
	next http.RoundTripper
}

func (t tap) RoundTrip(r *http.Request) (*http.Response, error) {
	t.w.mu.Lock()
	t.w.requests++
	if r.Header.Get("traceparent") != "" {
		t.w.traced++
	}
	t.w.mu.Unlock()
	t.w.add(r.URL.String())
	t.w.add(r.URL.RawQuery)
	t.w.addValues(r.URL.Query())
	t.w.addHeader(r.Header)
	if r.GetBody != nil {
		if body, err := r.GetBody(); err == nil {
			b, _ := io.ReadAll(body)
			t.w.addBody(b)
		}
	}
	res, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	t.w.addBody(b)
	res.Body = io.NopCloser(bytes.NewReader(b))
	return res, nil
}

// allowedKeys are all the attribute keys telemetry may carry.
var allowedKeys = map[attribute.Key]bool{
	"paygate.provider": true, "paygate.operation": true, "paygate.outcome": true,
	"paygate.order.kind": true, "paygate.order.status": true,
	"paygate.route.decision": true, "paygate.route.reason": true,
	"http.request.method": true, "http.request.method_original": true, "server.address": true, "server.port": true,
	"url.template": true, "http.response.status_code": true, "error.type": true, "http.request.resend_count": true,
}

// run is one provider's gateway, sandbox and webhook handler, all observed by r.
type run struct {
	r         *rig
	gw        paygate.Gateway
	sb        *sandbox.Server
	wire      *wire
	forbidden []string // secret, API key, order numbers, amounts
	callbacks chan *paygate.Callback
	notify    string // + "payin" or "payout"
	confirms  bool   // the handler confirms each callback by a query (CaiPay, PayPro)
}

func newRun(t *testing.T, provider string, propagate bool) *run {
	t.Helper()
	var opts []otelpaygate.Option
	if propagate {
		opts = append(opts, otelpaygate.WithPropagation(), otelpaygate.WithPropagator(propagation.TraceContext{}))
	}
	r := newRig(t, opts...)
	w := &wire{values: map[string]bool{}}
	cfg := paygate.Config{Provider: provider, MerchantID: "M77001", APIKey: "api-key-" + provider + "-K3y", Secret: "otel-secret-" + provider}
	sb, err := sandbox.New(provider, cfg, sandbox.WithMinute(time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	cfg.BaseURL = sb.URL()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	gw, err := paygate.New(cfg, paygate.WithObserver(r.obs), paygate.WithHTTPClient(&http.Client{Transport: tap{w: w, next: tr}}))
	require.NoError(t, err)

	run := &run{r: r, gw: gw, sb: sb, wire: w, callbacks: make(chan *paygate.Callback, 16),
		forbidden: []string{cfg.Secret, cfg.APIKey, cfg.MerchantID}}
	// One callback address per kind, as a merchant gives the provider.
	mux := http.NewServeMux()
	for _, kind := range []paygate.Kind{paygate.KindPayIn, paygate.KindPayOut} {
		mux.Handle("/callbacks/"+provider+"/"+string(kind), webhook.Handler(paygatetest.ForKind(gw, kind),
			func(_ context.Context, cb *paygate.Callback) error {
				run.callbacks <- cb
				return nil
			}, webhook.WithObserver(r.obs)))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		w.addBody(b)
		w.addHeader(req.Header)
		req.Body = io.NopCloser(bytes.NewReader(b))
		mux.ServeHTTP(rw, req)
	}))
	t.Cleanup(srv.Close)
	run.notify = srv.URL + "/callbacks/" + provider + "/"
	_, run.confirms = gw.(interface{ ConfirmCallbacks() bool })
	if run.confirms {
		run.confirms = gw.(interface{ ConfirmCallbacks() bool }).ConfirmCallbacks()
	}
	return run
}

func (run *run) next(t *testing.T) *paygate.Callback {
	t.Helper()
	select {
	case cb := <-run.callbacks:
		return cb
	case <-time.After(10 * time.Second):
		t.Fatal("no callback")
		return nil
	}
}

// TestSandbox runs every operation of every provider against its sandbox with a recording
// SDK, checks the spans and metrics they made, and walks every attribute of every span and
// metric data point for anything that crossed the wire; with and without a traceparent sent
// to the provider.
func TestSandbox(t *testing.T) {
	type sandboxCase struct {
		provider  string
		propagate bool
	}
	var cases []sandboxCase
	for _, p := range sandbox.Providers() {
		cases = append(cases, sandboxCase{p, false}, sandboxCase{p, true})
	}
	for _, c := range cases {
		provider := c.provider
		t.Run(fmt.Sprintf("%s/propagation=%v", provider, c.propagate), func(t *testing.T) {
			run := newRun(t, provider, c.propagate)
			gw, r := run.gw, run.r
			caps := gw.Capabilities()
			fx := paygatetest.Fixtures(caps.Currency)
			amount := paygate.MustParseMoney(fx.Amount, fx.Currency)
			run.forbidden = append(run.forbidden, fx.Amount, amount.String(), amount.Decimal().String())

			ctx, root := r.tp.Tracer("merchant").Start(context.Background(), "checkout")
			ops := map[string]int{} // operation -> operations run

			in := fx.PayIn()
			in.OrderID, in.NotifyURL, in.Amount = paygatetest.OrderID("OT"), run.notify+"payin", amount
			in.Remark = "otel remark in"
			res, err := gw.PayIn(ctx, in)
			require.NoError(t, err)
			ops["payin"]++
			run.forbidden = append(run.forbidden, in.OrderID, res.ProviderOrderID)
			_, err = gw.PayIn(ctx, in)
			require.Error(t, err, "a duplicate is refused")
			ops["payin"]++
			require.NoError(t, run.sb.Settle(in.OrderID, paygate.StatusSucceeded))
			require.Equal(t, in.OrderID, run.next(t).OrderID)
			if caps.QueryPayIn {
				_, err = gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: in.OrderID, ProviderOrderID: res.ProviderOrderID})
				require.NoError(t, err)
				ops["query"]++
			}

			out := fx.PayOut()
			out.OrderID, out.NotifyURL, out.Amount = paygatetest.OrderID("OU"), run.notify+"payout", amount
			out.Remark = "otel remark out"
			run.forbidden = append(run.forbidden, out.OrderID, out.Beneficiary.AccountNumber, out.Beneficiary.Name)
			ores, err := gw.PayOut(ctx, out)
			if caps.PayOut {
				ops["payout"]++
				require.NoError(t, err)
				run.forbidden = append(run.forbidden, ores.ProviderOrderID)
				require.NoError(t, run.sb.Settle(out.OrderID, paygate.StatusSucceeded))
				require.Equal(t, out.OrderID, run.next(t).OrderID)
				if caps.QueryPayOut {
					_, err = gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: out.OrderID, ProviderOrderID: ores.ProviderOrderID})
					require.NoError(t, err)
					ops["query"]++
				}
			} else {
				require.ErrorIs(t, err, paygate.ErrUnsupported)
			}
			_, err = gw.Balance(ctx)
			if caps.Balance {
				ops["balance"]++
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, paygate.ErrUnsupported)
			}
			bad := fx.PayIn()
			bad.OrderID, bad.NotifyURL, bad.Amount = paygatetest.OrderID("OB"), run.notify+"payin", paygate.MustParseMoney("-1", fx.Currency)
			_, err = gw.PayIn(ctx, bad)
			require.ErrorIs(t, err, paygate.ErrInvalidRequest)
			ops["payin"]++
			run.forbidden = append(run.forbidden, bad.OrderID)
			root.End()

			if c.propagate {
				require.Equal(t, run.wire.requests, run.wire.traced, "every request carries a traceparent")
			} else {
				require.Zero(t, run.wire.traced, "no request carries a traceparent")
			}
			require.Positive(t, run.wire.requests)
			spans, m := r.ended(), r.metrics(t)
			checkClean(t, spans, m, append(run.forbidden, run.wire.snapshot()...))
			callbacks := 1
			if caps.PayOut {
				callbacks++
			}
			confirms := 0
			if run.confirms {
				confirms = callbacks
			}
			checkSpans(t, provider, root, spans, ops, callbacks, confirms)
			ops["query"] += confirms
			checkMetrics(t, provider, m, ops)
		})
	}
}

// checkSpans checks the shape of the trace: operations under the caller's span, attempts
// under their operation, callbacks in the webhook's requests.
// A webhook handler that confirms callbacks (CaiPay's, PayPro's) queries the provider in the
// callback's request: those queries are root spans here, where no server span wraps the
// handler.
func checkSpans(t *testing.T, provider string, root trace.Span, spans []sdktrace.ReadOnlySpan, ops map[string]int, callbacks, confirms int) {
	t.Helper()
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	got := map[string]int{}
	attempts := map[trace.SpanID]int{} // operation span -> attempts under it
	gotCallbacks, gotConfirms := 0, 0
	for _, s := range spans {
		a := attrs(s.Attributes())
		switch {
		case s.Name() == "checkout":
		case s.Name() == "paygate.callback":
			gotCallbacks++
			require.Equal(t, trace.SpanKindInternal, s.SpanKind())
			require.Equal(t, provider, a["paygate.provider"])
			require.Equal(t, "handled", a["paygate.outcome"])
			require.Equal(t, "succeeded", a["paygate.order.status"])
			require.Contains(t, []any{"payin", "payout"}, a["paygate.order.kind"])
		case strings.HasPrefix(s.Name(), "paygate."):
			op := strings.TrimPrefix(s.Name(), "paygate.")
			require.Equal(t, trace.SpanKindInternal, s.SpanKind(), s.Name())
			if op == "query" && !s.Parent().IsValid() {
				gotConfirms++
			} else {
				require.Equal(t, root.SpanContext().SpanID(), s.Parent().SpanID(), "%s is a child of the caller's span", s.Name())
				if op == "payin" || ops[op] > 0 {
					got[op]++
				} else { // an operation the provider does not offer may be reported, as invalid
					require.Equal(t, "invalid", a["paygate.outcome"], "%s unsupported", s.Name())
				}
			}
			require.Equal(t, provider, a["paygate.provider"])
			require.Equal(t, op, a["paygate.operation"])
			require.Contains(t, a, "paygate.outcome")
		default:
			require.Equal(t, trace.SpanKindClient, s.SpanKind(), s.Name())
			parent, ok := byID[s.Parent().SpanID()]
			require.True(t, ok, "attempt %s has an operation span as parent", s.Name())
			require.True(t, strings.HasPrefix(parent.Name(), "paygate."), "attempt %s under %s", s.Name(), parent.Name())
			attempts[parent.SpanContext().SpanID()]++
			require.Equal(t, s.Name(), a["http.request.method"].(string)+" "+a["url.template"].(string), "{METHOD} {url.template}")
			require.True(t, strings.HasPrefix(a["url.template"].(string), "/"), "a path: %v", a["url.template"])
			require.Equal(t, "127.0.0.1", a["server.address"])
			require.Positive(t, a["server.port"])
			require.Contains(t, a, "http.response.status_code")
			require.Equal(t, provider, a["paygate.provider"])
		}
	}
	require.Equal(t, ops, got, "one operation span per operation")
	require.Equal(t, callbacks, gotCallbacks, "one callback span per callback answered")
	require.Equal(t, confirms, gotConfirms, "one query per callback confirmed")
	for _, s := range spans {
		if !strings.HasPrefix(s.Name(), "paygate.") || s.Name() == "paygate.callback" {
			continue
		}
		a := attrs(s.Attributes())
		n := attempts[s.SpanContext().SpanID()]
		switch a["paygate.outcome"] {
		case "invalid":
			require.Zero(t, n, "%s refused before any I/O makes no attempt", s.Name())
		case "ok", "refused":
			require.Equal(t, 1, n, "%s: attempts", s.Name())
		}
	}
}

// checkMetrics checks the operations and attempts metrics of a run.
func checkMetrics(t *testing.T, provider string, m map[string]metricdata.Metrics, ops map[string]int) {
	t.Helper()
	got := map[string]int{}
	for _, p := range histogram(t, m["paygate.client.operation.duration"]) {
		a := setAttrs(p.Attributes)
		require.Equal(t, provider, a["paygate.provider"])
		if op := a["paygate.operation"].(string); op == "payin" || ops[op] > 0 {
			got[op] += int(p.Count)
		} else { // an operation the provider does not offer may be reported, as invalid
			require.Equal(t, "invalid", a["paygate.outcome"])
		}
	}
	require.Equal(t, ops, got)
	var attempts uint64
	for _, p := range histogram(t, m["http.client.request.duration"]) {
		a := setAttrs(p.Attributes)
		for _, k := range []string{"http.request.method", "server.address", "server.port", "url.template", "http.response.status_code"} {
			require.Contains(t, a, k)
		}
		attempts += p.Count
	}
	require.Positive(t, attempts)
	require.Equal(t, "s", m["http.client.request.duration"].Unit)
	cbs := sum(t, m["paygate.webhook.callbacks"])
	require.NotEmpty(t, cbs)
	for _, p := range cbs {
		a := setAttrs(p.Attributes)
		require.Equal(t, "handled", a["paygate.outcome"])
		require.Equal(t, provider, a["paygate.provider"])
	}
}

// cleanT is what checkClean needs of a *testing.T.
type cleanT interface {
	require.TestingT
	Helper()
	Logf(format string, args ...any)
}

// checkClean fails on any attribute of any span, span event or metric data point whose key is
// not one telemetry may carry, or whose value holds a query string or anything forbidden.
func checkClean(t cleanT, spans []sdktrace.ReadOnlySpan, m map[string]metricdata.Metrics, forbidden []string) {
	t.Helper()
	n := 0
	check := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			n++
			require.True(t, allowedKeys[kv.Key], "%s: attribute %s is not one telemetry may carry", where, kv.Key)
			v := kv.Value.String()
			require.NotContains(t, v, "?", "%s: %s=%q", where, kv.Key, v)
			for _, f := range forbidden {
				require.False(t, carries(v, f), "%s: %s=%q carries %q, a value that crossed the wire", where, kv.Key, v, f)
			}
		}
	}
	text := func(where, v string) {
		require.NotContains(t, v, "?", where)
		for _, f := range forbidden {
			require.False(t, carries(v, f), "%s %q carries %q, a value that crossed the wire", where, v, f)
		}
	}
	for _, s := range spans {
		text("span name", s.Name())
		text(s.Name()+" status", s.Status().Description)
		check(s.Name(), s.Attributes())
		for _, e := range s.Events() {
			text(s.Name()+" event", e.Name)
			check(s.Name()+" event "+e.Name, e.Attributes)
		}
		for _, l := range s.Links() {
			check(s.Name()+" link", l.Attributes)
		}
	}
	for name, mm := range m {
		switch d := mm.Data.(type) {
		case metricdata.Histogram[float64]:
			for _, p := range d.DataPoints {
				check(name, p.Attributes.ToSlice())
			}
		case metricdata.Sum[int64]:
			for _, p := range d.DataPoints {
				check(name, p.Attributes.ToSlice())
			}
		default:
			require.Failf(t, "unexpected metric data", "%s: %T", name, d)
		}
	}
	require.Positive(t, n)
	t.Logf("%d attributes checked against %d forbidden values", n, len(forbidden))
}

// carries reports whether v holds the forbidden value f. A number (an amount such as "500") is
// carried only where it stands as a number of its own: the digits 500 inside port 35009 are not
// the amount.
func carries(v, f string) bool {
	if f == "" {
		return false
	}
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' }
	for i := 0; ; {
		j := strings.Index(v[i:], f)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(f)
		if (!isDigit(f[0]) || start == 0 || !isDigit(v[start-1])) &&
			(!isDigit(f[len(f)-1]) || end == len(v) || !isDigit(v[end])) {
			return true
		}
		i = start + 1
	}
}

func TestCarries(t *testing.T) {
	tests := []struct {
		v, f string
		want bool
	}{
		{"35009", "500", false},
		{"15000", "500", false},
		{"500", "500", true},
		{"amount 500.00 refused", "500", true},
		{"350095, then 500", "500", true},
		{"ORD-123456", "ORD-123456", true},
		{"xORD-123456x", "ORD-123456", true},
		{"ORD-1234567", "ORD-123456", false},
		{"bad otel-secret-x", "otel-secret-x", true},
		{"anything", "", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, carries(tt.v, tt.f), "%q in %q", tt.f, tt.v)
	}
}

// failNow is the panic of a recorder's FailNow.
type failNow struct{}

// cleanRecorder is a cleanT that records whether checkClean failed.
type cleanRecorder struct{ failed bool }

func (r *cleanRecorder) Errorf(string, ...any) { r.failed = true }
func (r *cleanRecorder) FailNow()              { panic(failNow{}) }
func (r *cleanRecorder) Helper()               {}
func (r *cleanRecorder) Logf(string, ...any)   {}

// TestCheckCleanCatches proves checkClean fails on what it must catch.
func TestCheckCleanCatches(t *testing.T) {
	tests := []struct {
		name string
		kv   attribute.KeyValue
	}{
		{"order id", attribute.String("paygate.outcome", "ORD-123456")},
		{"amount", attribute.String("paygate.order.status", "500.00")},
		{"query string", attribute.String("url.template", "/api/pay?token=x")},
		{"secret inside a value", attribute.String("error.type", "bad otel-secret-x")},
		{"a key telemetry must not carry", attribute.String("url.full", "http://h/api/pay")},
		{"an order key", attribute.String("paygate.order.id", "x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			_, s := r.tp.Tracer("x").Start(context.Background(), "x")
			s.SetAttributes(tt.kv)
			s.End()
			rec := &cleanRecorder{}
			func() {
				defer func() {
					if p := recover(); p != nil {
						if _, ok := p.(failNow); !ok {
							panic(p)
						}
					}
				}()
				checkClean(rec, r.ended(), r.metrics(t), []string{"ORD-123456", "500.00", "otel-secret-x"})
			}()
			require.True(t, rec.failed)
		})
	}
}

// TestWebhookRefusals: a callback the handler refuses is reported with its outcome and status,
// and nothing read from its body.
func TestWebhookRefusals(t *testing.T) {
	r := newRig(t)
	gw, err := paygate.New(paygate.Config{Provider: "cashgit", MerchantID: "M77001", APIKey: "k", Secret: "s3cret-value",
		BaseURL: "http://127.0.0.1:9"})
	require.NoError(t, err)
	srv := httptest.NewServer(webhook.Handler(gw, func(context.Context, *paygate.Callback) error { return nil }, webhook.WithObserver(r.obs)))
	t.Cleanup(srv.Close)
	forged := `{"mchId":"M77001","mchOrderNo":"ORD-FORGED-1","amount":"500.00","status":"2","sign":"0123456789abcdef0123456789abcdef"}`
	tests := []struct {
		method, body, outcome string
		status                int
	}{
		{http.MethodPost, forged, webhook.OutcomeInvalidSignature, http.StatusUnauthorized},
		{http.MethodPost, `{not json`, webhook.OutcomeMalformed, http.StatusBadRequest},
		{http.MethodGet, "", webhook.OutcomeMethodNotAllowed, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL, strings.NewReader(tt.body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		require.Equal(t, tt.status, res.StatusCode)
	}
	var got []map[string]any
	for _, s := range r.ended() {
		require.Equal(t, "paygate.callback", s.Name())
		require.Equal(t, "Error", s.Status().Code.String())
		got = append(got, attrs(s.Attributes()))
	}
	require.Len(t, got, len(tests))
	for i, tt := range tests {
		require.Equal(t, map[string]any{"paygate.provider": "cashgit", "paygate.outcome": tt.outcome,
			"http.response.status_code": int64(tt.status)}, got[i])
	}
	checkClean(t, r.ended(), r.metrics(t), []string{"ORD-FORGED-1", "500.00", "0123456789abcdef", "s3cret-value", "M77001"})
}

// panicky is a Gateway whose ParseCallback panics.
type panicky struct{ paygate.Gateway }

func (panicky) Name() string { return "panicky" }
func (panicky) ParseCallback(http.Header, []byte) (*paygate.Callback, error) {
	panic("parse")
}

// TestWebhookPanic: a delivery whose handling panicked is still reported, once.
func TestWebhookPanic(t *testing.T) {
	r := newRig(t)
	srv := httptest.NewUnstartedServer(webhook.Handler(panicky{}, func(context.Context, *paygate.Callback) error { return nil },
		webhook.WithObserver(r.obs)))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // net/http logs the panic it recovers
	srv.Start()
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader("{}"))
	require.NoError(t, err)
	if res, err := srv.Client().Do(req); err == nil { // net/http drops the connection
		_ = res.Body.Close()
	}
	require.Eventually(t, func() bool { return len(r.ended()) == 1 }, 5*time.Second, 5*time.Millisecond)
	s := r.ended()[0]
	require.Equal(t, map[string]any{"paygate.provider": "panicky", "paygate.outcome": webhook.OutcomeHandlerPanic}, attrs(s.Attributes()))
	require.Equal(t, "Error", s.Status().Code.String())
}

// flaky answers the first n requests 503 and passes the rest on; it records each request's
// traceparent header.
type flaky struct {
	mu          sync.Mutex
	n           int
	next        http.RoundTripper
	traceparent []string
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.traceparent = append(f.traceparent, r.Header.Get("traceparent"))
	fail := f.n > 0
	f.n--
	f.mu.Unlock()
	if fail {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Body: io.NopCloser(strings.NewReader("busy")),
			Header: http.Header{}, Request: r, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
	}
	return f.next.RoundTrip(r)
}

// TestRetriesAndPropagation: a read retried after a 503 is one operation span with one CLIENT
// span per attempt, the retry carrying http.request.resend_count; with WithPropagation each
// attempt's request carries its own span as traceparent, and without it none does.
func TestRetriesAndPropagation(t *testing.T) {
	for _, propagate := range []bool{false, true} {
		t.Run(fmt.Sprintf("propagation=%v", propagate), func(t *testing.T) {
			var opts []otelpaygate.Option
			if propagate {
				opts = append(opts, otelpaygate.WithPropagation(), otelpaygate.WithPropagator(propagation.TraceContext{}))
			}
			r := newRig(t, opts...)
			cfg := paygate.Config{Provider: "cashgit", MerchantID: "M77001", APIKey: "k", Secret: "s", Options: map[string]string{"rate_limit": "0"}}
			sb, err := sandbox.New(cfg.Provider, cfg)
			require.NoError(t, err)
			t.Cleanup(sb.Close)
			cfg.BaseURL = sb.URL()
			tr := &http.Transport{}
			t.Cleanup(tr.CloseIdleConnections)
			f := &flaky{n: 1, next: tr}
			gw, err := paygate.New(cfg, paygate.WithObserver(r.obs), paygate.WithHTTPClient(&http.Client{Transport: f}),
				paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
			require.NoError(t, err)
			_, err = gw.Balance(context.Background())
			require.NoError(t, err)

			op := r.span(t, "paygate.balance")
			require.Equal(t, "ok", attrs(op.Attributes())["paygate.outcome"])
			var tries []sdktrace.ReadOnlySpan
			for _, s := range r.ended() {
				if s.SpanKind() == trace.SpanKindClient {
					tries = append(tries, s)
				}
			}
			require.Len(t, tries, 2)
			first, second := attrs(tries[0].Attributes()), attrs(tries[1].Attributes())
			require.Equal(t, int64(503), first["http.response.status_code"])
			require.Equal(t, "503", first["error.type"])
			require.NotContains(t, first, "http.request.resend_count")
			require.Equal(t, int64(200), second["http.response.status_code"])
			require.Equal(t, int64(1), second["http.request.resend_count"])
			require.NotContains(t, second, "error.type")
			for _, s := range tries {
				require.Equal(t, op.SpanContext().SpanID(), s.Parent().SpanID())
			}

			require.Len(t, f.traceparent, 2)
			for i, tp := range f.traceparent {
				if !propagate {
					require.Empty(t, tp, "no traceparent unless asked")
					continue
				}
				sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(),
					propagation.HeaderCarrier{"Traceparent": []string{tp}}))
				require.Equal(t, tries[i].SpanContext().SpanID(), sc.SpanID(), "attempt %d's request carries its own span", i)
			}
			checkClean(t, r.ended(), r.metrics(t), []string{"M77001"})
		})
	}
}
