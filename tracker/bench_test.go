package tracker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/tracker"
)

// The benchmarks compare one order's share of a poll cycle (claim, query, compare,
// reschedule, in batches of 100, one query at a time) with the bare Query it wraps, in the
// same run: against the CashGit sandbox over loopback HTTP, and against a gateway that
// answers at once, which leaves the tracker's own cost alone. One op is one order queried.
//
//	go test -run '^$' -bench . -benchtime 2000x ./tracker/

const benchOrders = 100

// benchSandbox returns the sandbox's gateway and benchOrders pending pay-ins there.
func benchSandbox(b *testing.B) (paygate.Gateway, []string) {
	_, gw := cashgit(b)
	ids := make([]string, benchOrders)
	for i := range ids {
		ids[i] = fmt.Sprintf("BENCH%05d", i)
		payIn(b, gw, ids[i], "")
	}
	return gw, ids
}

func benchFake() (paygate.Gateway, []string) {
	ids := make([]string, benchOrders)
	for i := range ids {
		ids[i] = fmt.Sprintf("BENCH%05d", i)
	}
	return &fakeGateway{name: "fake", answer: statusSeq(paygate.StatusPending)}, ids
}

func benchQuery(b *testing.B, gw paygate.Gateway, ids []string) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: ids[i%len(ids)]}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchPoll(b *testing.B, gw paygate.Gateway, ids []string, store tracker.Store) {
	c := newClock()
	s := exact
	s.Horizon = 10 * 365 * 24 * time.Hour
	tr := tracker.New([]paygate.Gateway{gw}, store, func(context.Context, string, *paygate.Callback) error { return nil },
		tracker.WithClock(c.Now), tracker.WithSchedule(s), tracker.WithConcurrency(1), tracker.WithBatch(benchOrders))
	ctx := context.Background()
	for _, id := range ids {
		require.NoError(b, tr.Track(ctx, gw.Name(), paygate.KindPayIn, id, tracker.WithStatus(paygate.StatusPending, "pending")))
	}
	now := t0
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		now = now.Add(s.Every + time.Minute) // every order is due
		c.Set(now)
		n, err := tr.PollDue(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			b.Fatal("nothing due")
		}
		done += n
	}
}

func BenchmarkSandbox(b *testing.B) {
	gw, ids := benchSandbox(b)
	b.Run("Query", func(b *testing.B) { benchQuery(b, gw, ids) })
	b.Run("PollMemory", func(b *testing.B) { benchPoll(b, gw, ids, tracker.NewMemoryStore()) })
	b.Run("PollRedis", func(b *testing.B) { benchPoll(b, gw, ids, redisStore(b)) })
	b.Run("PollPostgres", func(b *testing.B) { benchPoll(b, gw, ids, pgStore(b)) })
}

func BenchmarkInstantGateway(b *testing.B) {
	gw, ids := benchFake()
	b.Run("Query", func(b *testing.B) { benchQuery(b, gw, ids) })
	b.Run("PollMemory", func(b *testing.B) { benchPoll(b, gw, ids, tracker.NewMemoryStore()) })
	b.Run("PollRedis", func(b *testing.B) { benchPoll(b, gw, ids, redisStore(b)) })
	b.Run("PollPostgres", func(b *testing.B) { benchPoll(b, gw, ids, pgStore(b)) })
}
