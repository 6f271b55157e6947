package otelpaygate_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
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
