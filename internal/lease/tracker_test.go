package lease_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/lease"
	"github.com/paygate-go/paygate/tracker"
)

// logs sends slog.Default to a buffer for the test's length (the test must not be parallel).
func logs(t *testing.T) *bytes.Buffer {
	var b bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&b, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &b
}

// An item that does not decode is parked and logged once; the readable ones are returned.
func TestTrackerClaimParksUnreadable(t *testing.T) {
	t0 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	good := func(id string, due time.Time) lease.ClaimedItem {
		return lease.ClaimedItem{Key: tracker.ItemKey("cashgit", paygate.KindPayIn, id),
			Item: []byte(`{"provider":"cashgit","kind":"payin","order_id":"` + id + `","due":"` + due.Format(time.RFC3339) + `"}`), Lease: "tok:" + id}
	}
	bad := lease.ClaimedItem{Key: tracker.ItemKey("cashgit", paygate.KindPayIn, "BAD"), Item: []byte(`{"due":"not a time"}`), Lease: "tok:BAD"}
	claimed := []lease.ClaimedItem{good("G-2", t0.Add(time.Minute)), bad, good("G-1", t0)}
	claim := func(time.Time, string) ([]lease.ClaimedItem, error) { return claimed, nil }

	for _, tc := range []struct {
		name    string
		parkErr error
		msg     string
	}{
		{"parked", nil, "unreadable item parked"},
		{"parking failed", errors.New("store down"), "parking it failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := logs(t)
			var parked []lease.ClaimedItem
			var dues []time.Time
			park := func(c lease.ClaimedItem, due time.Time) error {
				parked, dues = append(parked, c), append(dues, due)
				return tc.parkErr
			}
			items, err := lease.NewTracker("teststore").Claim(t.Context(), t0, time.Minute, 10, claim, park)
			require.NoError(t, err)
			require.Len(t, items, 2)
			require.Equal(t, "G-1", items[0].OrderID, "earliest due first")
			require.Equal(t, "tok:G-1", items[0].Lease)
			require.Equal(t, "G-2", items[1].OrderID)
			require.Equal(t, []lease.ClaimedItem{bad}, parked)
			require.Equal(t, []time.Time{lease.Parked}, dues)

			out := b.String()
			require.Equal(t, 1, strings.Count(out, "\n"), "one line: %s", out)
			require.Contains(t, out, "level=ERROR")
			require.Contains(t, out, tc.msg)
			require.Contains(t, out, "store=teststore")
			require.Contains(t, out, "key=cashgit|payin|BAD")
			require.NotContains(t, out, `{"due"`, "the encoding is not logged")
		})
	}
}
