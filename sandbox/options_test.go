package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// TestServerOptions: the starting balance, the merchant name the checkout shows, and how long
// the slow-answer fault holds a create back are the tester's to set.
func TestServerOptions(t *testing.T) {
	w := newWorld(t, sandbox.WithBalance(decimal.RequireFromString("1.00")),
		sandbox.WithMerchantName("Acme Games"), sandbox.WithSlowAnswer(100*time.Millisecond))
	const p = "cashgit"

	res := w.payIn(t, p)
	_, page := get(t, res.PaymentURL)
	require.Contains(t, page, "Acme Games")
	require.NotContains(t, page, "Sandbox Merchant")

	fx := paygatetest.Fixtures(paygate.INR)
	req := fx.PayOut()
	req.OrderID, req.Amount = paygatetest.OrderID("SO"), paygate.MustParseMoney(fx.Amount, fx.Currency)
	_, err := w.gws[p].PayOut(context.Background(), req)
	var pe *paygate.ProviderError
	require.ErrorAs(t, err, &pe, "a pay-out over the 1.00 balance is refused")

	// The client's timeout is 2 s: a slow answer held 100 ms still arrives.
	require.NoError(t, w.cluster.Server(p).SetFault(sandbox.FaultSlow))
	start := time.Now()
	res = w.payIn(t, p)
	require.NotEmpty(t, res.ProviderOrderID)
	require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond, "the answer was held back")
}
