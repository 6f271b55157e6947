// Package trackertest is the conformance suite for tracker.Store implementations: every
// store (the memory one, redisstore's, pgstore's, a merchant's own) runs it from its tests.
//
//	func TestTrackerStore(t *testing.T) {
//		trackertest.Run(t, func(t *testing.T) tracker.Store { return mystore.New(t) })
//	}
package trackertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/tracker"
)

// T0 is the time the suite's clock starts at.
var T0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// Run checks the tracker.Store contract. newStore returns an empty store for each subtest
// (a fresh key prefix or schema); stores returned for one subtest must not share items.
func Run(t *testing.T, newStore func(t *testing.T) tracker.Store) {
	t.Helper()
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, s tracker.Store)
	}{
		{"ClaimDueEarliestFirst", claimDue},
		{"AddKeepsTrackedItem", addKeeps},
		{"LeaseHidesItem", leaseHides},
		{"LeaseEndsItIsClaimableAgain", leaseEnds},
		{"Reschedule", reschedule},
		{"RescheduleNeedsTheLease", rescheduleLease},
		{"Max", maxItems},
		{"Remove", remove},
		{"KeysAreExact", keysExact},
		{"ConcurrentClaimsShareNothing", concurrent},
		{"ContextCancelled", cancelled},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newStore(t)) })
	}
}

// Item returns a test item due at due, with every field set.
func Item(provider, orderID string, due time.Time) tracker.Item {
	return tracker.Item{
		Provider: provider, Kind: paygate.KindPayOut, OrderID: orderID, ProviderOrderID: "P" + orderID,
		OutcomeUnknown: true, Created: T0.Add(-time.Hour), Due: due, Polls: 3,
		Status: paygate.StatusProcessing, RawStatus: "PROCESSING", Undelivered: true,
	}
}

// Same fails unless got is want, Lease aside, times compared as instants.
func Same(t testing.TB, want, got tracker.Item) {
	t.Helper()
	require.True(t, want.Created.Equal(got.Created), "Created: want %v, got %v", want.Created, got.Created)
	require.True(t, want.Due.Equal(got.Due), "Due: want %v, got %v", want.Due, got.Due)
	want.Created, got.Created, want.Due, got.Due, want.Lease, got.Lease = time.Time{}, time.Time{}, time.Time{}, time.Time{}, "", ""
	require.Equal(t, want, got)
}

const lease = time.Minute

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func claim(t *testing.T, s tracker.Store, now time.Time, n int) []tracker.Item {
	t.Helper()
	items, err := s.Claim(ctx(t), now, lease, n)
	require.NoError(t, err)
	return items
}

func ids(items []tracker.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.OrderID
	}
	return out
}

func claimDue(t *testing.T, s tracker.Store) {
	c := ctx(t)
	late := Item("cashgit", "late", T0.Add(time.Minute))
	now := Item("cashgit", "now", T0)
	early := Item("cashy", "early", T0.Add(-time.Minute))
	for _, it := range []tracker.Item{late, now, early} {
		require.NoError(t, s.Add(c, it))
	}
	got := claim(t, s, T0, 10)
	require.Equal(t, []string{"early", "now"}, ids(got), "due items, earliest first")
	Same(t, early, got[0])
	Same(t, now, got[1])
	require.NotEmpty(t, got[0].Lease)
	require.NotEmpty(t, got[1].Lease)
	require.NotEqual(t, got[0].Lease, got[1].Lease)
	require.Empty(t, claim(t, s, T0.Add(time.Second), 10), "claimed items are hidden; late is not due")
}

func addKeeps(t *testing.T, s tracker.Store) {
	c := ctx(t)
	first := Item("cashgit", "O1", T0)
	require.NoError(t, s.Add(c, first))
	second := first
	second.Due, second.Polls, second.Status = T0.Add(-time.Hour), 0, paygate.StatusPending
	require.NoError(t, s.Add(c, second))
	got := claim(t, s, T0, 10)
	require.Len(t, got, 1)
	Same(t, first, got[0])
	require.NoError(t, s.Add(c, second), "adding a leased item changes nothing either")
	require.NoError(t, s.Reschedule(c, got[0]))
	got = claim(t, s, T0, 10)
	require.Len(t, got, 1)
	Same(t, first, got[0])
}

func leaseHides(t *testing.T, s tracker.Store) {
	require.NoError(t, s.Add(ctx(t), Item("cashgit", "O1", T0)))
	require.Len(t, claim(t, s, T0, 10), 1)
	require.Empty(t, claim(t, s, T0, 10))
	require.Empty(t, claim(t, s, T0.Add(lease-time.Millisecond), 10), "held until the lease ends")
}

func leaseEnds(t *testing.T, s tracker.Store) {
	c := ctx(t)
	it := Item("cashgit", "O1", T0)
	require.NoError(t, s.Add(c, it))
	first := claim(t, s, T0, 10)
	require.Len(t, first, 1)
	second := claim(t, s, T0.Add(lease), 10)
	require.Len(t, second, 1, "a dead holder's item is claimable when its lease ends")
	Same(t, it, second[0])
	require.NotEqual(t, first[0].Lease, second[0].Lease)
	err := s.Reschedule(c, first[0])
	require.ErrorIs(t, err, tracker.ErrLeaseLost, "the first holder lost it")
	moved := second[0]
	moved.Due = T0.Add(time.Hour)
	require.NoError(t, s.Reschedule(c, moved))
}

func reschedule(t *testing.T, s tracker.Store) {
	c := ctx(t)
	require.NoError(t, s.Add(c, Item("cashgit", "O1", T0)))
	got := claim(t, s, T0, 10)
	require.Len(t, got, 1)
	next := got[0]
	next.Due, next.Polls, next.Status, next.RawStatus, next.Undelivered, next.OutcomeUnknown =
		T0.Add(10*time.Minute), 4, paygate.StatusSucceeded, "SUCCESS", false, false
	require.NoError(t, s.Reschedule(c, next))
	require.Empty(t, claim(t, s, T0.Add(10*time.Minute-time.Millisecond), 10), "not due before its new Due")
	again := claim(t, s, T0.Add(10*time.Minute), 10)
	require.Len(t, again, 1)
	Same(t, next, again[0])
}

func rescheduleLease(t *testing.T, s tracker.Store) {
	c := ctx(t)
	it := Item("cashgit", "O1", T0)
	require.NoError(t, s.Add(c, it))
	it.Lease = "made-up"
	require.ErrorIs(t, s.Reschedule(c, it), tracker.ErrLeaseLost, "a token never issued")
	it.Lease = ""
	require.ErrorIs(t, s.Reschedule(c, it), tracker.ErrLeaseLost, "no token")
	got := claim(t, s, T0, 10)
	require.Len(t, got, 1)
	require.NoError(t, s.Reschedule(c, got[0]))
	require.ErrorIs(t, s.Reschedule(c, got[0]), tracker.ErrLeaseLost, "a lease ends with its Reschedule")
	absent := Item("cashgit", "absent", T0)
	absent.Lease = got[0].Lease
	require.ErrorIs(t, s.Reschedule(c, absent), tracker.ErrLeaseLost, "an item never added")
	require.Empty(t, claim(t, s, T0.Add(-time.Second), 10), "absent was not created")
}

func maxItems(t *testing.T, s tracker.Store) {
	c := ctx(t)
	for i := range 10 {
		require.NoError(t, s.Add(c, Item("cashgit", fmt.Sprintf("O%02d", i), T0.Add(time.Duration(i)*time.Second))))
	}
	now := T0.Add(time.Minute)
	require.Equal(t, []string{"O00", "O01", "O02"}, ids(claim(t, s, now, 3)))
	require.Equal(t, []string{"O03", "O04", "O05", "O06", "O07", "O08", "O09"}, ids(claim(t, s, now, 100)))
	require.Empty(t, claim(t, s, now, 100))
}

func remove(t *testing.T, s tracker.Store) {
	c := ctx(t)
	require.NoError(t, s.Add(c, Item("cashgit", "held", T0)))
	require.NoError(t, s.Add(c, Item("cashgit", "idle", T0.Add(time.Hour))))
	got := claim(t, s, T0, 10)
	require.Len(t, got, 1)
	require.NoError(t, s.Remove(c, "cashgit", paygate.KindPayOut, "held"), "a leased item")
	require.NoError(t, s.Remove(c, "cashgit", paygate.KindPayOut, "idle"), "an idle item")
	require.NoError(t, s.Remove(c, "cashgit", paygate.KindPayOut, "never"), "an absent item")
	require.ErrorIs(t, s.Reschedule(c, got[0]), tracker.ErrLeaseLost, "a removed item is not brought back")
	require.Empty(t, claim(t, s, T0.Add(48*time.Hour), 10))
	require.NoError(t, s.Add(c, Item("cashgit", "held", T0)), "a removed order may be tracked again")
	require.Len(t, claim(t, s, T0, 10), 1)
}

func keysExact(t *testing.T, s tracker.Store) {
	c := ctx(t)
	odd := []tracker.Item{
		Item("cashgit", "a|b", T0),
		Item("cashgit|payout", "b", T0),
		Item("cashgit", "Ω订单 \"x\"", T0),
		Item("cashgit", "a", T0),
	}
	in := Item("cashgit", "a", T0)
	in.Kind = paygate.KindPayIn
	odd = append(odd, in)
	for _, it := range odd {
		require.NoError(t, s.Add(c, it))
	}
	got := claim(t, s, T0, 100)
	require.Len(t, got, len(odd), "every key is its own item")
	require.NoError(t, s.Remove(c, "cashgit", paygate.KindPayOut, "a"))
	for _, it := range got {
		if it.OrderID == "a" && it.Kind == paygate.KindPayOut {
			require.ErrorIs(t, s.Reschedule(c, it), tracker.ErrLeaseLost)
			continue
		}
		require.NoError(t, s.Reschedule(c, it), it.Key())
	}
	require.Len(t, claim(t, s, T0, 100), len(odd)-1)
}

func concurrent(t *testing.T, s tracker.Store) {
	c := ctx(t)
	const n, workers = 200, 4
	for i := range n {
		require.NoError(t, s.Add(c, Item("cashgit", fmt.Sprintf("O%03d", i), T0.Add(-time.Duration(i)*time.Millisecond))))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	claimed := 0 // over n: some item was claimed twice; a store that hides nothing would never run dry
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				items, err := s.Claim(c, T0, lease, 7)
				if err != nil {
					errs <- err
					return
				}
				if len(items) == 0 {
					return
				}
				mu.Lock()
				for _, it := range items {
					seen[it.OrderID]++
				}
				claimed += len(items)
				over := claimed > n
				mu.Unlock()
				if over {
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, seen, n)
	for id, k := range seen {
		require.Equal(t, 1, k, "%s claimed %d times", id, k)
	}
}

func cancelled(t *testing.T, s tracker.Store) {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	it := Item("cashgit", "O1", T0)
	check := func(err error) {
		t.Helper()
		require.Error(t, err)
		require.True(t, errors.Is(err, context.Canceled), "want context.Canceled, got %v", err)
	}
	check(s.Add(c, it))
	_, err := s.Claim(c, T0, lease, 10)
	check(err)
	check(s.Reschedule(c, it))
	check(s.Remove(c, "cashgit", paygate.KindPayOut, "O1"))
}
