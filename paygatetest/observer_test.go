package paygatetest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

type recordingObserver struct {
	paygate.NopObserver
	mu       sync.Mutex
	ops      []paygate.OperationEvent
	attempts []paygate.AttemptEvent
}

func (o *recordingObserver) OperationEnd(_ context.Context, e paygate.OperationEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ops = append(o.ops, e)
}

func (o *recordingObserver) AttemptEnd(_ context.Context, e paygate.AttemptEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.attempts = append(o.attempts, e)
}

// TestObserverSeesEveryOperation: every provider reports each Gateway operation once, with
// its outcome class, and each HTTP attempt with a URL template, never a query string.
func TestObserverSeesEveryOperation(t *testing.T) {
	for _, provider := range sandbox.Providers() {
		t.Run(provider, func(t *testing.T) {
			cfg := testConfig(provider)
			sb, err := sandbox.New(provider, cfg)
			require.NoError(t, err)
			defer sb.Close()
			o := &recordingObserver{}
			gw := newGateway(t, provider, sb.URL(), 0, paygate.WithObserver(o))
			defer closeIdle(gw)
			ctx := context.Background()
			fx := paygatetest.Fixtures(gw.Capabilities().Currency)
			req := fx.PayIn()
			req.OrderID, req.Amount, req.NotifyURL = paygatetest.OrderID("OB"), paygate.MustParseMoney(fx.Amount, fx.Currency), "https://merchant.example/cb"
			_, err = gw.PayIn(ctx, req)
			require.NoError(t, err)
			req.Amount = paygate.MustParseMoney("-1", fx.Currency)
			_, err = gw.PayIn(ctx, req)
			require.ErrorIs(t, err, paygate.ErrInvalidRequest)
			_, _ = gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "NOSUCH12345"})

			require.Len(t, o.ops, 3)
			require.Equal(t, "payin", o.ops[0].Operation)
			require.Equal(t, provider, o.ops[0].Provider)
			require.Equal(t, paygate.OutcomeOK, o.ops[0].Outcome)
			require.Equal(t, paygate.OutcomeInvalid, o.ops[1].Outcome)
			require.Equal(t, "query", o.ops[2].Operation)
			require.Len(t, o.attempts, 2, "the invalid request never left")
			for _, a := range o.attempts {
				require.NotContains(t, a.URLTemplate, "?")
				require.Equal(t, "127.0.0.1", a.ServerAddress)
				require.Positive(t, a.StatusCode)
			}
		})
	}
}
