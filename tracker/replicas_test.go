package tracker_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/pgstore"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/tracker"
)

// Three replicas share one store and 500 tracked orders, all due at once: each order is
// queried once per due time, and each status reaches fn once — with no Deduper, the leases
// alone see to it.
func TestReplicasRedis(t *testing.T) {
	c, prefix := servicetest.Redis(t)
	opt := servicetest.RedisOptions(t)
	stores := []tracker.Store{redisstore.NewTrackerStore(c, redisstore.WithKeyPrefix(prefix))}
	for range 2 {
		rc := redis.NewClient(opt)
		t.Cleanup(func() { _ = rc.Close() })
		stores = append(stores, redisstore.NewTrackerStore(rc, redisstore.WithKeyPrefix(prefix)))
	}
	replicas(t, stores)
}

func TestReplicasPostgres(t *testing.T) {
	pool, schema := servicetest.Postgres(t)
	ctx := context.Background()
	require.NoError(t, pgstore.Migrate(ctx, pool))
	first, err := pgstore.NewTrackerStore(pool)
	require.NoError(t, err)
	stores := []tracker.Store{first}
	for range 2 {
		p, err := pgxpool.NewWithConfig(ctx, servicetest.PostgresConfig(t, schema))
		require.NoError(t, err)
		t.Cleanup(p.Close)
		s, err := pgstore.NewTrackerStore(p)
		require.NoError(t, err)
		stores = append(stores, s)
	}
	replicas(t, stores)
}

func replicas(t *testing.T, stores []tracker.Store) {
	const n = 500
	sb, gw := cashgit(t)
	cg := count(gw)
	c, rec := newClock(), &recorder{}
	var trs []*tracker.Tracker
	for _, s := range stores {
		trs = append(trs, tracker.New([]paygate.Gateway{cg}, s, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact)))
	}
	ctx := context.Background()
	dead := deadEnd(t)
	id := func(i int) string { return fmt.Sprintf("TRKREP%04d", i) }
	for i := range n {
		payIn(t, gw, id(i), dead)
		// Any replica tracks an order; tracking it again elsewhere changes nothing.
		require.NoError(t, trs[i%3].Track(ctx, "cashgit", paygate.KindPayIn, id(i), tracker.WithStatus(paygate.StatusPending, "pending")))
		require.NoError(t, trs[(i+1)%3].Track(ctx, "cashgit", paygate.KindPayIn, id(i), tracker.WithStatus(paygate.StatusPending, "pending")))
	}

	// round has every replica poll at t0+d, concurrently, until nothing is due; it returns
	// how many orders each replica claimed.
	round := func(d time.Duration) []int {
		c.at(d)
		claimed := make([]int, len(trs))
		var wg sync.WaitGroup
		errs := make(chan error, len(trs))
		for i, tr := range trs {
			wg.Go(func() {
				for {
					k, err := tr.PollDue(ctx)
					if err != nil {
						errs <- err
						return
					}
					if k == 0 {
						return
					}
					claimed[i] += k
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		return claimed
	}
	sum := func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	}

	first := round(time.Minute)
	require.Equal(t, n, sum(first), "every order polled once at +1m")
	for i := range n / 2 {
		require.ErrorIs(t, sb.Settle(id(i), paygate.StatusSucceeded), sandbox.ErrNotAcknowledged)
	}
	second := round(3 * time.Minute)
	require.Equal(t, n, sum(second))
	require.Len(t, rec.all(), n/2, "the settled half, found at +3m")
	for i := n / 2; i < n; i++ {
		require.ErrorIs(t, sb.Settle(id(i), paygate.StatusFailed), sandbox.ErrNotAcknowledged)
	}
	require.Zero(t, sum(round(7*time.Minute-time.Millisecond)))
	third := round(7 * time.Minute)
	require.Equal(t, n/2, sum(third))
	for _, d := range []time.Duration{time.Hour, 80 * time.Hour} {
		require.Zero(t, sum(round(d)), "nothing left at %v", d)
	}

	for i := range n {
		want := 2
		if i >= n/2 {
			want = 3
		}
		require.Equal(t, want, cg.queries(id(i)), "queries of %s", id(i))
	}
	got := map[string]int{}
	for _, call := range rec.all() {
		got[call.cb.OrderID+":"+string(call.cb.Status)]++
	}
	require.Len(t, got, n)
	for i := range n {
		st := paygate.StatusSucceeded
		if i >= n/2 {
			st = paygate.StatusFailed
		}
		require.Equal(t, 1, got[id(i)+":"+string(st)], id(i))
	}
	t.Logf("%d orders, %d queries, %d calls of fn; claimed per replica: +1m %v, +3m %v, +7m %v",
		n, cg.total(), len(rec.all()), first, second, third)
}

// A replica that dies holding orders loses them to the others when the lease ends.
func TestDeadReplicaLosesItsOrders(t *testing.T) {
	for name, mk := range map[string]func(t testing.TB) tracker.Store{
		"memory":   func(testing.TB) tracker.Store { return tracker.NewMemoryStore() },
		"redis":    func(t testing.TB) tracker.Store { return redisStore(t) },
		"postgres": func(t testing.TB) tracker.Store { return pgStore(t) },
	} {
		t.Run(name, func(t *testing.T) {
			store := mk(t)
			gw := &fakeGateway{name: "fake", answer: statusSeq(paygate.StatusSucceeded)}
			c, rec := newClock(), &recorder{}
			tr := tracker.New([]paygate.Gateway{gw}, store, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
				tracker.WithLease(2*time.Minute))
			ctx := context.Background()
			for i := range 10 {
				require.NoError(t, tr.Track(ctx, "fake", paygate.KindPayOut, fmt.Sprint("O", i)))
			}
			c.at(time.Minute)
			held, err := store.Claim(ctx, c.Now(), 2*time.Minute, 100) // the replica that will die
			require.NoError(t, err)
			require.Len(t, held, 10)
			require.Zero(t, poll(t, tr, c, 3*time.Minute-time.Millisecond), "still leased")
			require.Equal(t, 10, poll(t, tr, c, 3*time.Minute))
			require.Len(t, rec.all(), 10)
			for _, it := range held {
				require.ErrorIs(t, store.Reschedule(ctx, it), tracker.ErrLeaseLost, "the dead replica's leases are gone")
			}
		})
	}
}
