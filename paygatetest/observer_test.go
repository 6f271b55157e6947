package paygatetest_test

import (
	"context"
	"net/http"
	"strings"
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
	headers  []http.Header
}

func (o *recordingObserver) OperationEnd(_ context.Context, e paygate.OperationEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ops = append(o.ops, e)
}

func (o *recordingObserver) AttemptStart(ctx context.Context, e paygate.AttemptEvent) context.Context {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.headers = append(o.headers, e.Header.Clone())
	e.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") // as a tracer would
	return ctx
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
			_, _ = gw.Balance(ctx)

			require.Len(t, o.ops, 4, "every operation, an unsupported one too")
			require.Equal(t, "balance", o.ops[3].Operation)
			require.Equal(t, "payin", o.ops[0].Operation)
			require.Equal(t, provider, o.ops[0].Provider)
			require.Equal(t, paygate.OutcomeOK, o.ops[0].Outcome)
			require.Equal(t, paygate.OutcomeInvalid, o.ops[1].Outcome)
			require.Equal(t, "query", o.ops[2].Operation)
			// Events carry no credential: the header an observer sees has them redacted, and
			// what it adds (a trace header) is sent, and still accepted by the provider.
			require.NotEmpty(t, o.headers)
			for _, h := range o.headers {
				for k, vs := range h {
					for _, v := range vs {
						require.NotContains(t, v, cfg.Secret, k)
						require.NotContains(t, v, cfg.APIKey, k)
						if strings.EqualFold(k, "sign") {
							require.Equal(t, "[REDACTED]", v, "the signature's header")
						}
					}
				}
			}
			require.Len(t, o.attempts, len(o.headers))
			require.GreaterOrEqual(t, len(o.attempts), 2, "the invalid request never left")
			for _, a := range o.attempts {
				require.NotContains(t, a.URLTemplate, "?")
				require.Equal(t, "127.0.0.1", a.ServerAddress)
				require.Positive(t, a.StatusCode)
			}
		})
	}
}
