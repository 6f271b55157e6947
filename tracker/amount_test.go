package tracker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	cashgitpkg "github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/signing"
	"github.com/paygate-go/paygate/tracker"
)

// TestPayOutAmountAsTheCallbacks: a CashGit pay-out of 500.00 with a fee of 10.00 (the
// samples of CashGit's API document). Its callback parses to Amount 500.00, Fee 10.00; the
// tracker, which hands fn the same event when the callback is lost, set Amount from the
// query's actual_amount, the net 490.00, with Fee 10.00: one order, one status, two amounts,
// depending on which path reached fn first. Both follow Order.CallbackAmount now.
func TestPayOutAmountAsTheCallbacks(t *testing.T) {
	const secret = "cashgit-test-secret"
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"code":200,"message":"查询成功","data":{"orderid":"PAYOUT_20231201001",`+
			`"platform_orderid":"PO202312010001","amount":"500.00","fee":"10.00","actual_amount":"490.00",`+
			`"status":"success","utr":"341234567891","created_at":1701421800000,"completed_at":1701422400000},`+
			`"timestamp":1701422400000}`)
	}))
	t.Cleanup(api.Close)
	gw, err := cashgitpkg.New(paygate.Config{Provider: cashgitpkg.Name, BaseURL: api.URL, MerchantID: "cgpay", Secret: secret,
		Options: map[string]string{"rate_limit": "0"}})
	require.NoError(t, err)
	t.Cleanup(gw.CloseIdleConnections)

	// The callback of the same order and status.
	f := map[string]string{"orderid": "PAYOUT_20231201001", "platform_orderid": "PO202312010001", "amount": "500.00",
		"fee": "10.00", "actual_amount": "490.00", "status": "success", "utr": "341234567891"}
	signed := maps.Clone(f)
	signed["completed_at"] = "1701422400000"
	f["sign"] = signing.KeyParamMD5(signed, secret)
	b, err := json.Marshal(f)
	require.NoError(t, err)
	fromCallback, err := gw.ParseCallback(nil, fmt.Appendf(b[:len(b)-1], `,"completed_at":1701422400000}`))
	require.NoError(t, err)

	var mu sync.Mutex
	var got []*paygate.Callback
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tr := tracker.New([]paygate.Gateway{gw}, nil, func(_ context.Context, _ string, cb *paygate.Callback) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, cb)
		return nil
	}, tracker.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	require.NoError(t, tr.Track(ctx, cashgitpkg.Name, paygate.KindPayOut, "PAYOUT_20231201001",
		tracker.WithStatus(paygate.StatusProcessing, "processing")))
	now = now.Add(2 * time.Minute)
	_, err = tr.PollDue(ctx)
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1)
	fromTracker := got[0]
	require.Equal(t, paygate.StatusSucceeded, fromTracker.Status)
	require.Equal(t, fromCallback.Fee.String(), fromTracker.Fee.String())
	require.Equal(t, fromCallback.Amount.String(), fromTracker.Amount.String(),
		"the tracker's event must carry the callback's Amount for the same order and status")
}
