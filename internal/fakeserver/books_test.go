package fakeserver

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paygate-go/paygate"
)

// TestMain fails the run when a server or a callback retry outlives its test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestMoveKeepsTheBooks: every path an order can take leaves available + frozen right,
// final-to-final moves (a reversal after success) included.
func TestMoveKeepsTheBooks(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		name              string
		kind              paygate.Kind
		path              []paygate.Status
		available, frozen string
	}{
		{"pay-in succeeds", paygate.KindPayIn, []paygate.Status{paygate.StatusSucceeded}, "1095", "0"},
		{"pay-in reversed after success", paygate.KindPayIn, []paygate.Status{paygate.StatusSucceeded, paygate.StatusReversed}, "1000", "0"},
		{"pay-in fails", paygate.KindPayIn, []paygate.Status{paygate.StatusProcessing, paygate.StatusFailed}, "1000", "0"},
		{"pay-out succeeds", paygate.KindPayOut, []paygate.Status{paygate.StatusProcessing, paygate.StatusSucceeded}, "900", "0"},
		{"pay-out fails", paygate.KindPayOut, []paygate.Status{paygate.StatusFailed}, "1000", "0"},
		{"pay-out reversed after success", paygate.KindPayOut, []paygate.Status{paygate.StatusSucceeded, paygate.StatusReversed}, "1000", "0"},
		{"pay-out failed, then said failed again", paygate.KindPayOut, []paygate.Status{paygate.StatusFailed, paygate.StatusCancelled}, "1000", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBooks("test", paygate.INR, paygate.Config{}, d("1000"))
			o, err := b.Create(tt.kind, "T", &Order{OrderID: "O1", Amount: d("100"), Fee: d("5")})
			require.NoError(t, err)
			for _, st := range tt.path {
				b.Update(tt.kind, o.OrderID, func(o *Order) { b.Move(o, st) })
			}
			available, frozen := b.Funds()
			require.True(t, d(tt.available).Equal(available), "available %s", available)
			require.True(t, d(tt.frozen).Equal(frozen), "frozen %s", frozen)
		})
	}
}
