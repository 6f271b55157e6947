package paygate_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// TestOrderCallbackAmount: a pay-in's callback amount is what was paid, where the provider
// reports it; a pay-out's is what it was for, never an actual amount net of the fee.
func TestOrderCallbackAmount(t *testing.T) {
	inr := func(s string) paygate.Money { return paygate.MustParseMoney(s, paygate.INR) }
	for _, tc := range []struct {
		name           string
		kind           paygate.Kind
		amount, actual paygate.Money
		want           string
	}{
		{"pay-in paid in part", paygate.KindPayIn, inr("500"), inr("450"), "450.00 INR"},
		{"pay-in without an actual amount", paygate.KindPayIn, inr("500"), paygate.Money{}, "500.00 INR"},
		{"pay-out net of its fee", paygate.KindPayOut, inr("500"), inr("490"), "500.00 INR"},
		{"pay-out with nothing reported", paygate.KindPayOut, paygate.Money{}, inr("490"), "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &paygate.Order{Kind: tc.kind, Amount: tc.amount, ActualAmount: tc.actual}
			got := o.CallbackAmount()
			if tc.want == "0" {
				require.True(t, got.IsZero(), got.String())
				return
			}
			require.Equal(t, tc.want, got.String())
		})
	}
}
