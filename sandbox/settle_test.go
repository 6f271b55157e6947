package sandbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// TestReversalReadsBackFinal: a paid order the dashboard reverses is final in every fake's
// query and callback, in the provider's own words, where the provider has no word for a
// reversal too (CashGit's fake said "pending", which moved a paid order backwards and kept a
// tracker polling it).
func TestReversalReadsBackFinal(t *testing.T) {
	w := newWorld(t)
	for _, p := range []string{"caipay", "cashgit", "cashy", "deekpay", "paypro"} {
		for _, kind := range []paygate.Kind{paygate.KindPayIn, paygate.KindPayOut} {
			t.Run(p+"/"+string(kind), func(t *testing.T) {
				id := w.payIn(t, p).OrderID
				if kind == paygate.KindPayOut {
					id = w.payOut(t, p).OrderID
				}
				for _, st := range []paygate.Status{paygate.StatusSucceeded, paygate.StatusReversed} {
					require.NoError(t, w.cluster.Server(p).SettleOf(kind, id, st))
					o, err := w.gws[p].Query(t.Context(), &paygate.QueryRequest{Kind: kind, OrderID: id})
					require.NoError(t, err)
					require.True(t, o.Status.Final(), "settled %s, the query says %s (%q)", st, o.Status, o.RawStatus)
					require.Eventually(t, func() bool {
						for _, cb := range w.callbacks() {
							if cb.OrderID == id && cb.Status == o.Status {
								return true
							}
						}
						return false
					}, 5*time.Second, 5*time.Millisecond, "a callback saying %s", o.Status)
				}
			})
		}
	}
}
