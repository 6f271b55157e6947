package lease_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paygate-go/paygate/internal/lease"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestHolds(t *testing.T) {
	var s lease.Holds
	h, err := s.Acquire(t.Context(), "k")
	require.NoError(t, err)
	require.Nil(t, s.Owned("k"), "held, not yet claimed")
	s.Claimed(h, "tok")
	require.Equal(t, "tok", s.Owned("k").Token())

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err = s.Acquire(ctx, "k")
	require.ErrorIs(t, err, context.DeadlineExceeded, "a second caller waits for the first")

	got := make(chan *lease.Hold)
	go func() { h2, _ := s.Acquire(t.Context(), "k"); got <- h2 }()
	s.Release("k", h)
	h2 := <-got
	require.NotSame(t, h, h2)
	s.Release("k", h2)
	require.Nil(t, s.Owned("k"))
}

func TestRetry(t *testing.T) {
	transient, fatal := errors.New("connection reset"), errors.New("syntax error")
	permanent := func(err error) bool { return errors.Is(err, fatal) }
	n := 0
	err := lease.Retry(t.Context(), time.Second, func(context.Context) error {
		if n++; n < 3 {
			return transient
		}
		return nil
	}, permanent)
	require.NoError(t, err)
	require.Equal(t, 3, n)

	n = 0
	err = lease.Retry(t.Context(), time.Second, func(context.Context) error { n++; return fatal }, permanent)
	require.ErrorIs(t, err, fatal)
	require.Equal(t, 1, n, "a permanent error is not retried")

	err = lease.Retry(t.Context(), 30*time.Millisecond, func(context.Context) error { return transient }, permanent)
	require.ErrorIs(t, err, transient, "the budget ends the retries")
}

func Example() {
	var holds lease.Holds
	h, _ := holds.Acquire(context.Background(), "cashgit|payin|succeeded|ORDER1")
	holds.Claimed(h, "owner-token")
	fmt.Println(holds.Owned("cashgit|payin|succeeded|ORDER1").Token())
	holds.Release("cashgit|payin|succeeded|ORDER1", h)
	fmt.Println(holds.Owned("cashgit|payin|succeeded|ORDER1") == nil)
	// Output:
	// owner-token
	// true
}

// TestResolve: every option sets its field; a non-positive duration keeps the default, and a
// negative write retry means none.
func TestResolve(t *testing.T) {
	o := lease.Resolve("p:", []func(*lease.Options){lease.WithLease(time.Second), lease.WithDoneTTL(time.Hour),
		lease.WithPollInterval(time.Millisecond), lease.WithWriteRetry(-time.Second), nil})
	require.Equal(t, lease.Options{Prefix: "p:", Lease: time.Second, DoneTTL: time.Hour, Poll: time.Millisecond, Retry: 0}, o)

	o = lease.Resolve("p:", []func(*lease.Options){lease.WithLease(0), lease.WithDoneTTL(-1), lease.WithPollInterval(0)})
	require.Equal(t, lease.Options{Prefix: "p:", Lease: lease.DefaultLease, DoneTTL: lease.DefaultDoneTTL,
		Poll: lease.DefaultPollInterval, Retry: lease.DefaultWriteRetry}, o)
}
