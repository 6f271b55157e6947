package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/webhook"
)

func TestKey(t *testing.T) {
	cases := []struct {
		name string
		cb   paygate.Callback
		want string
	}{
		{"merchant order ID, not the provider's", paygate.Callback{Kind: paygate.KindPayIn, OrderID: "M1", ProviderOrderID: "P1", Status: paygate.StatusSucceeded}, "caipay|payin|succeeded|M1"},
		{"no provider order ID", paygate.Callback{Kind: paygate.KindPayOut, OrderID: "M1", Status: paygate.StatusFailed}, "caipay|payout|failed|M1"},
		{"an ID with separators stays last", paygate.Callback{Kind: paygate.KindPayIn, OrderID: "a|b|c", Status: paygate.StatusPending}, "caipay|payin|pending|a|b|c"},
		{"no merchant order ID: no key", paygate.Callback{Kind: paygate.KindPayIn, ProviderOrderID: "P1", Status: paygate.StatusSucceeded}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, webhook.Key("caipay", &c.cb))
		})
	}
}

func claim(t *testing.T, d webhook.Deduper, key string) bool {
	t.Helper()
	ok, err := d.Claim(t.Context(), key)
	require.NoError(t, err)
	return ok
}

func TestMemoryDeduperExpiry(t *testing.T) {
	clk := newClock()
	d := webhook.NewMemoryDeduperClock(10*time.Second, 100, clk.Now)
	require.True(t, claim(t, d, "a"))
	require.NoError(t, d.Done(t.Context(), "a"))
	clk.Advance(9 * time.Second)
	require.False(t, claim(t, d, "a"), "within the TTL")
	clk.Advance(time.Second)
	require.True(t, claim(t, d, "a"), "at the TTL it is forgotten")
	require.NoError(t, d.Release(t.Context(), "a"))
	handled, held := webhook.DeduperLen(d)
	require.Zero(t, handled)
	require.Zero(t, held)
}

// Marking evicts expired entries first, even when under max.
func TestMemoryDeduperEvictsExpiredOnMark(t *testing.T) {
	clk := newClock()
	d := webhook.NewMemoryDeduperClock(time.Minute, 100, clk.Now)
	for i := range 5 {
		require.NoError(t, d.Done(t.Context(), fmt.Sprint("old", i)))
	}
	clk.Advance(time.Minute)
	require.NoError(t, d.Done(t.Context(), "new"))
	handled, _ := webhook.DeduperLen(d)
	require.Equal(t, 1, handled)
}

func TestMemoryDeduperMax(t *testing.T) {
	clk := newClock()
	d := webhook.NewMemoryDeduperClock(time.Hour, 3, clk.Now)
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		require.True(t, claim(t, d, k))
		require.NoError(t, d.Done(t.Context(), k))
		clk.Advance(time.Second)
	}
	handled, held := webhook.DeduperLen(d)
	require.Equal(t, 3, handled)
	require.Zero(t, held)
	for _, k := range []string{"c", "d", "e"} {
		require.False(t, claim(t, d, k), "%s is among the newest three", k)
	}
	require.True(t, claim(t, d, "a"), "the oldest was evicted")
	require.NoError(t, d.Release(t.Context(), "a"))

	// Marking an old key again makes it the newest.
	require.NoError(t, d.Done(t.Context(), "c"))
	require.NoError(t, d.Done(t.Context(), "f"))
	require.False(t, claim(t, d, "c"))
	require.True(t, claim(t, d, "d"), "d is now the oldest and was evicted")
	require.NoError(t, d.Release(t.Context(), "d"))
}

// Held claims are not entries of the bound: they are never evicted, however many marks.
func TestMemoryDeduperKeepsHeldClaims(t *testing.T) {
	clk := newClock()
	d := webhook.NewMemoryDeduperClock(time.Second, 1, clk.Now)
	require.True(t, claim(t, d, "held"))
	for i := range 10 {
		require.NoError(t, d.Done(t.Context(), fmt.Sprint("k", i)))
		clk.Advance(2 * time.Second)
	}
	handled, held := webhook.DeduperLen(d)
	require.Equal(t, 1, handled)
	require.Equal(t, 1, held)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := d.Claim(ctx, "held")
	require.ErrorIs(t, err, context.Canceled, "still held: a second claimer waits, and gives up with its context")
	require.NoError(t, d.Release(t.Context(), "held"))
}

func TestMemoryDeduperWaiters(t *testing.T) {
	cases := []struct {
		name  string
		end   func(d webhook.Deduper, key string) error
		claim bool // what the waiter's Claim returns
	}{
		{"done: the waiter sees a duplicate", func(d webhook.Deduper, k string) error { return d.Done(context.Background(), k) }, false},
		{"release: the waiter takes over", func(d webhook.Deduper, k string) error { return d.Release(context.Background(), k) }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := webhook.NewMemoryDeduper(time.Hour, 10)
			require.True(t, claim(t, d, "k"))
			const waiters = 8
			results := make(chan bool, waiters)
			var wg sync.WaitGroup
			for range waiters {
				wg.Go(func() {
					ok, err := d.Claim(context.Background(), "k")
					if err == nil && ok {
						// The one that takes over hands it back, so the next may claim.
						_ = d.Release(context.Background(), "k")
					}
					if err != nil {
						ok = !c.claim // make the check below fail
					}
					results <- ok
				})
			}
			require.NoError(t, c.end(d, "k"))
			wg.Wait()
			close(results)
			for ok := range results {
				require.Equal(t, c.claim, ok)
			}
		})
	}
}

func TestMemoryDeduperClaimHonoursContext(t *testing.T) {
	d := webhook.NewMemoryDeduper(time.Hour, 10)
	require.True(t, claim(t, d, "k"))
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := d.Claim(ctx, "k")
		errc <- err
	}()
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)
	require.NoError(t, d.Release(t.Context(), "k"))
	require.True(t, claim(t, d, "k"), "a cancelled waiter took nothing")
	require.NoError(t, d.Done(t.Context(), "k"))
}

// Defaults apply for zero or negative arguments.
func TestMemoryDeduperDefaults(t *testing.T) {
	clk := newClock()
	d := webhook.NewMemoryDeduperClock(0, 0, clk.Now)
	require.NoError(t, d.Done(t.Context(), "k"))
	clk.Advance(webhook.DefaultDedupeTTL - time.Second)
	require.False(t, claim(t, d, "k"))
	clk.Advance(time.Second)
	require.True(t, claim(t, d, "k"))
	require.NoError(t, d.Release(t.Context(), "k"))
}

func TestKeyUnknownStatusKeepsRawValue(t *testing.T) {
	a := webhook.Key("x", &paygate.Callback{OrderID: "42", Status: paygate.StatusUnknown, RawStatus: "HOLD"})
	b := webhook.Key("x", &paygate.Callback{OrderID: "42", Status: paygate.StatusUnknown, RawStatus: "REVIEW"})
	require.NotEqual(t, a, b)
	require.Equal(t, `x||unknown"HOLD"|42`, a)
}

// RunOnce: fn runs once per key; a failure or a panic gives the claim up, so the next caller
// runs fn again; a success marks the key, so nobody does; a failing Claim runs nothing.
func TestRunOnce(t *testing.T) {
	ctx := context.Background()
	d := webhook.NewMemoryDeduper(0, 0)
	calls := 0
	fn := func(err error) func(context.Context) error {
		return func(context.Context) error { calls++; return err }
	}

	ran, markErr, err := webhook.RunOnce(ctx, d, "k", fn(errors.New("db down")))
	require.True(t, ran)
	require.NoError(t, markErr)
	require.EqualError(t, err, "db down")
	require.Panics(t, func() {
		_, _, _ = webhook.RunOnce(ctx, d, "k", func(context.Context) error { calls++; panic("bug") })
	})
	ran, _, err = webhook.RunOnce(ctx, d, "k", fn(nil))
	require.True(t, ran, "released after the failure and the panic")
	require.NoError(t, err)
	ran, _, err = webhook.RunOnce(ctx, d, "k", fn(nil))
	require.False(t, ran, "marked handled")
	require.NoError(t, err)
	require.Equal(t, 3, calls)

	ran, _, err = webhook.RunOnce(ctx, failingDeduper{}, "k2", fn(nil))
	require.False(t, ran)
	require.EqualError(t, err, "dedupe store unreachable")
	require.Equal(t, 3, calls)
}
