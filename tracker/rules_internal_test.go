package tracker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

func TestForward(t *testing.T) {
	const (
		none = paygate.Status("")
		pen  = paygate.StatusPending
		pro  = paygate.StatusProcessing
		suc  = paygate.StatusSucceeded
		fai  = paygate.StatusFailed
		can  = paygate.StatusCancelled
		rev  = paygate.StatusReversed
	)
	for _, tc := range []struct {
		from, to paygate.Status
		ok       bool
	}{
		{none, pen, true}, {none, suc, true}, {pen, pro, true}, {pen, suc, true}, {pro, fai, true},
		{pro, can, true}, {suc, rev, true}, {pen, rev, true},
		{pro, pen, false}, {suc, fai, false}, {suc, pen, false}, {suc, pro, false}, {suc, can, false},
		{fai, suc, false}, {fai, rev, false}, {can, suc, false}, {rev, suc, false}, {rev, fai, false},
	} {
		require.Equal(t, tc.ok, forward(tc.from, tc.to), "%q → %q", tc.from, tc.to)
	}
}

func TestScheduleIntervals(t *testing.T) {
	s := Schedule{Jitter: -1}.withDefaults()
	var got []time.Duration
	for i := range 8 {
		got = append(got, s.interval(i))
	}
	m := time.Minute
	require.Equal(t, []time.Duration{m, 2 * m, 4 * m, 8 * m, 16 * m, 30 * m, 30 * m, 30 * m}, got)
	require.Equal(t, s.Every, s.interval(1000), "no overflow")
	d := Schedule{}.withDefaults()
	require.Equal(t, Schedule{First: DefaultFirst, Every: DefaultEvery, Horizon: DefaultHorizon, Window: DefaultWindow, Jitter: DefaultJitter}, d)
	for range 100 {
		j := d.interval(5)
		require.GreaterOrEqual(t, j, 30*m)
		require.LessOrEqual(t, j, 33*m)
	}
}
