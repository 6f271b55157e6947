package tracker_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/tracker"
)

// TestPayOutAmountAsTheCallbacks: a CashGit pay-out's query answers amount, fee and
// actual_amount, what reached the beneficiary (amount less fee). Its callback carries Amount
// = amount; the tracker, which hands fn the same event when the callback is lost, set Amount
// from actual_amount: one order, one status, two amounts, depending on which path reached fn
// first. Both follow Order.CallbackAmount now.
func TestPayOutAmountAsTheCallbacks(t *testing.T) {
	sb, gw := cashgit(t)
	c, rec := newClock(), &recorder{}
	tr := tracker.New([]paygate.Gateway{gw}, nil, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact))
	ctx := context.Background()

	req := paygatetest.Fixtures(paygate.INR).PayOut()
	req.OrderID, req.Amount, req.NotifyURL = "TRKPO0001", paygate.MustParseMoney("500", paygate.INR), deadEnd(t)
	res, err := gw.PayOut(ctx, req)
	require.NoError(t, err)
	require.NoError(t, tr.Track(ctx, "cashgit", paygate.KindPayOut, req.OrderID, tracker.WithStatus(res.Status, res.RawStatus)))
	require.ErrorIs(t, sb.SettleOf(paygate.KindPayOut, req.OrderID, paygate.StatusSucceeded), sandbox.ErrNotAcknowledged,
		"the callback is lost")
	require.Equal(t, 1, poll(t, tr, c, time.Minute))

	calls := rec.all()
	require.Len(t, calls, 1)
	cb := calls[0].cb
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
	require.False(t, cb.Fee.IsZero(), "the sandbox charges a fee, so the net amount differs")
	require.Equal(t, "500.00 INR", cb.Amount.String(), "the pay-out's amount, as its callback states it, not the net")
}
