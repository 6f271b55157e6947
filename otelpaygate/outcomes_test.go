package otelpaygate_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/webhook"
)

// TestProviderTimeoutIsNotCanceled: a read (query, balance) that the provider does not
// answer within Config.Timeout fails on the attempt's own deadline, while the caller's context
// is alive. paygate.OutcomeCanceled is "the caller's context ended": the attempt's timeout
// was context.DeadlineExceeded, so paygate.client.operation.duration{paygate.outcome=
// "canceled"} blamed the merchant's callers for a provider that is slow or down, and "error"
// stayed flat. It is paygate.ErrProviderTimeout now, an "error".
func TestProviderTimeoutIsNotCanceled(t *testing.T) {
	tests := []struct {
		name     string
		attempts int
		call     func(ctx context.Context, gw paygate.Gateway) error
		op       string
	}{
		{"balance, one attempt", 1, func(ctx context.Context, gw paygate.Gateway) error {
			_, err := gw.Balance(ctx)
			return err
		}, "paygate.balance"},
		{"query, retried", 2, func(ctx context.Context, gw paygate.Gateway) error {
			_, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "ORD-SLOW-1"})
			return err
		}, "paygate.query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
				select { // the provider is slow: no answer within the timeout
				case <-req.Context().Done():
				case <-release:
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) })
			gw, err := paygate.New(paygate.Config{Provider: "cashgit", MerchantID: "M77001", APIKey: "k", Secret: "s",
				BaseURL: srv.URL, Timeout: 100 * time.Millisecond, Options: map[string]string{"rate_limit": "0"}},
				paygate.WithObserver(r.obs),
				paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: tt.attempts, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
			require.NoError(t, err)
			t.Cleanup(func() { gw.(interface{ CloseIdleConnections() }).CloseIdleConnections() })

			ctx := context.Background() // the caller never cancels and sets no deadline
			err = tt.call(ctx, gw)
			require.Error(t, err)
			require.NoError(t, ctx.Err())
			require.ErrorIs(t, err, paygate.ErrProviderTimeout)
			require.NotErrorIs(t, err, context.DeadlineExceeded)
			require.Equal(t, paygate.OutcomeFailed, paygate.ClassifyOutcome(err),
				"the caller's context did not end; the provider timed out: %v", err)
			a := attrs(r.span(t, tt.op).Attributes())
			require.Equal(t, "error", a["paygate.outcome"])
		})
	}
}

// TestAttemptBodyTimeoutIsAnError: the provider answers 200 with its headers at once,
// then stalls its body past the attempt's timeout. The create ends outcome_unknown; its
// CLIENT span (and http.client.request.duration) reported a successful 200 with no
// error.type, as the attempt was ended with the headers: it ends with the body now.
func TestAttemptBodyTimeoutIsAnError(t *testing.T) {
	tests := []struct {
		name string
		call func(ctx context.Context, gw paygate.Gateway) error
		op   string
		want paygate.Outcome
	}{
		{"create", func(ctx context.Context, gw paygate.Gateway) error {
			in := paygatetest.Fixtures(paygate.INR).PayIn()
			in.OrderID, in.NotifyURL, in.Amount = "ORD-SLOWBODY-1", "https://merchant.example/cb", paygate.MustParseMoney("500.00", paygate.INR)
			_, err := gw.PayIn(ctx, in)
			return err
		}, "paygate.payin", paygate.OutcomeUnknown},
		{"read", func(ctx context.Context, gw paygate.Gateway) error {
			_, err := gw.Balance(ctx)
			return err
		}, "paygate.balance", ""}, // the read's outcome: see TestProviderTimeoutIsNotCanceled
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte(`{"code":`))
				w.(http.Flusher).Flush()
				select { // the rest of the body never comes in time
				case <-req.Context().Done():
				case <-release:
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) })
			gw, err := paygate.New(paygate.Config{Provider: "cashgit", MerchantID: "M77001", APIKey: "k", Secret: "s",
				BaseURL: srv.URL, Timeout: 150 * time.Millisecond, Options: map[string]string{"rate_limit": "0"}},
				paygate.WithObserver(r.obs), paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 1}))
			require.NoError(t, err)
			t.Cleanup(func() { gw.(interface{ CloseIdleConnections() }).CloseIdleConnections() })

			err = tt.call(context.Background(), gw)
			require.Error(t, err)
			if op := r.span(t, tt.op); tt.want != "" {
				require.Equal(t, string(tt.want), attrs(op.Attributes())["paygate.outcome"], "%v", err)
			}

			var tries []sdktrace.ReadOnlySpan
			for _, s := range r.ended() {
				if s.SpanKind() == trace.SpanKindClient {
					tries = append(tries, s)
				}
			}
			require.Len(t, tries, 1)
			a := attrs(tries[0].Attributes())
			require.Equal(t, codes.Error, tries[0].Status().Code, "the attempt failed (its body timed out): %v", a)
			require.Contains(t, a, "error.type", "the attempt's failure is classified")
			for _, p := range histogram(t, r.metrics(t)["http.client.request.duration"]) {
				require.Contains(t, setAttrs(p.Attributes), "error.type", "http.client.request.duration counts it as failed")
			}
		})
	}
}

// confirming is a Gateway whose callbacks claim one thing and whose Query (the webhook's
// confirmation) answers another: the provider's answer is the truth fn acts on.
type confirming struct {
	paygate.Gateway // only Name, ParseCallback and Query are called
	claim           paygate.Callback
	answers         map[paygate.Kind]paygate.Status // kind -> the provider's status; absent: not found
}

func (confirming) Name() string { return "fakepay" }
func (g confirming) ParseCallback(http.Header, []byte) (*paygate.Callback, error) {
	cb := g.claim
	return &cb, nil
}

func (g confirming) Query(_ context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
	st, ok := g.answers[req.Kind]
	if !ok {
		return nil, fmt.Errorf("fakepay: %w", paygate.ErrOrderNotFound)
	}
	return &paygate.Order{Kind: req.Kind, OrderID: req.OrderID, ProviderOrderID: req.ProviderOrderID, Status: st}, nil
}

// TestCallbackReportsTheConfirmedStatus: with WithConfirm the handler acts on the status
// and kind the provider's query answered, not the ones the callback claimed (which a forger
// can change for CaiPay and PayPro). The paygate.callback span and the
// paygate.webhook.callbacks counter reported the claim: a dashboard of "succeeded pay-ins"
// counted forged or stale claims the handler never acted on as such. They report what fn
// was given.
func TestCallbackReportsTheConfirmedStatus(t *testing.T) {
	tests := []struct {
		name     string
		claim    paygate.Callback
		answers  map[paygate.Kind]paygate.Status
		wantKind paygate.Kind
		wantSt   paygate.Status
	}{
		{
			name:     "claims succeeded, provider says failed",
			claim:    paygate.Callback{Kind: paygate.KindPayIn, OrderID: "ORD-R1", ProviderOrderID: "P1", Status: paygate.StatusSucceeded},
			answers:  map[paygate.Kind]paygate.Status{paygate.KindPayIn: paygate.StatusFailed},
			wantKind: paygate.KindPayIn, wantSt: paygate.StatusFailed,
		},
		{
			name:     "claims a pay-in, provider knows it as a pay-out",
			claim:    paygate.Callback{Kind: paygate.KindPayIn, OrderID: "ORD-R2", ProviderOrderID: "P2", Status: paygate.StatusSucceeded},
			answers:  map[paygate.Kind]paygate.Status{paygate.KindPayOut: paygate.StatusSucceeded},
			wantKind: paygate.KindPayOut, wantSt: paygate.StatusSucceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			var seen *paygate.Callback
			h := webhook.Handler(confirming{claim: tt.claim, answers: tt.answers}, func(_ context.Context, cb *paygate.Callback) error {
				seen = cb
				return nil
			}, webhook.WithConfirm(), webhook.WithObserver(r.obs))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/cb", http.NoBody))
			require.Equal(t, http.StatusOK, rec.Code)
			require.NotNil(t, seen)
			require.Equal(t, tt.wantKind, seen.Kind, "fn is given the confirmed kind")
			require.Equal(t, tt.wantSt, seen.Status, "fn is given the confirmed status")

			a := attrs(r.span(t, "paygate.callback").Attributes())
			require.Equal(t, string(tt.wantKind), a["paygate.order.kind"], "span: the kind fn acted on")
			require.Equal(t, string(tt.wantSt), a["paygate.order.status"], "span: the status fn acted on")
			pts := sum(t, r.metrics(t)["paygate.webhook.callbacks"])
			require.Len(t, pts, 1)
			m := setAttrs(pts[0].Attributes)
			require.Equal(t, string(tt.wantSt), m["paygate.order.status"], "metric: the status fn acted on")
			require.Equal(t, string(tt.wantKind), m["paygate.order.kind"], "metric: the kind fn acted on")
		})
	}
}

// nilObserver is a merchant's observer type; a nil *nilObserver is the classic typed nil.
type nilObserver struct{ paygate.NopObserver }

// TestTypedNilObserver: Settings.Observer documents "nil: nothing is reported". A typed-nil
// Observer (a *T left nil behind a feature flag) passed the library's == nil checks and
// panicked inside the first call; WithObserver now takes it as nil.
func TestTypedNilObserver(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"code":0,"msg":"ok","data":{}}`))
	}))
	t.Cleanup(srv.Close)
	var obs *nilObserver // tracing turned off
	gw, err := paygate.New(paygate.Config{Provider: "cashgit", MerchantID: "M77001", APIKey: "k", Secret: "s",
		BaseURL: srv.URL, Options: map[string]string{"rate_limit": "0"}}, paygate.WithObserver(obs))
	require.NoError(t, err)
	t.Cleanup(func() { gw.(interface{ CloseIdleConnections() }).CloseIdleConnections() })
	require.NotPanics(t, func() { _, _ = gw.Balance(context.Background()) })
}

// TestConcurrentUse: one Observer serves many gateways at once (its caches under -race).
func TestConcurrentUse(t *testing.T) {
	r := newRig(t)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 50 {
				e := paygate.OperationEvent{Provider: fmt.Sprintf("p%d", i%4), Operation: "payin", Start: time.Now()}
				ctx := r.obs.OperationStart(context.Background(), e)
				ae := paygate.AttemptEvent{Provider: e.Provider, Operation: "payin", Method: "POST", URLTemplate: "/x",
					ServerAddress: "h", ServerPort: 443, ResendCount: j % 3, Start: time.Now()}
				actx := r.obs.AttemptStart(ctx, ae)
				ae.StatusCode = 200 + j%2*300
				r.obs.AttemptEnd(actx, ae)
				e.Outcome = paygate.OutcomeOK
				r.obs.OperationEnd(ctx, e)
			}
		})
	}
	wg.Wait()
	require.Len(t, r.ended(), 16*50*2)
}
