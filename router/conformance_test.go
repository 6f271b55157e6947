package router_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/pgstore"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/router"
)

// stores are the Store implementations under test. Each returns a constructor: every call is
// a new connection (a replica) to the same index.
var stores = []struct {
	name string
	open func(t *testing.T) func() router.Store
}{
	{"memory", func(*testing.T) func() router.Store {
		s := router.NewMemoryStore()
		return func() router.Store { return s }
	}},
	{"redis", func(t *testing.T) func() router.Store {
		_, prefix := servicetest.Redis(t)
		return func() router.Store {
			c := redis.NewClient(servicetest.RedisOptions(t))
			t.Cleanup(func() { _ = c.Close() })
			return redisstore.NewRouterStore(c, redisstore.WithKeyPrefix(prefix))
		}
	}},
	{"postgres", func(t *testing.T) func() router.Store {
		pool, schema := servicetest.Postgres(t)
		require.NoError(t, pgstore.Migrate(context.Background(), pool))
		return func() router.Store {
			p, err := pgxpoolNew(servicetest.PostgresConfig(t, schema))
			require.NoError(t, err)
			t.Cleanup(p.Close)
			s, err := pgstore.NewRouterStore(p)
			require.NoError(t, err)
			return s
		}
	}},
}

// TestStoreConformance: every Store records, claims and moves alike.
func TestStoreConformance(t *testing.T) {
	for _, tc := range stores {
		t.Run(tc.name, func(t *testing.T) {
			open := tc.open(t)
			t.Run("claim", func(t *testing.T) { storeClaim(t, open()) })
			t.Run("concurrent claims", func(t *testing.T) { storeRace(t, open(), open()) })
		})
	}
}

func storeClaim(t *testing.T, s router.Store) {
	ctx := context.Background()
	in, out := paygate.KindPayIn, paygate.KindPayOut
	p, err := s.Provider(ctx, in, "C-1")
	require.NoError(t, err)
	require.Empty(t, p)

	a1, fresh, err := s.ClaimProvider(ctx, in, "C-1", "a")
	require.NoError(t, err)
	require.Equal(t, "a", a1.Provider)
	require.True(t, fresh, "no record before: a fresh claim")
	got, fresh, err := s.ClaimProvider(ctx, in, "C-1", "b")
	require.NoError(t, err)
	require.Equal(t, a1, got, "a holds the order: b's claim changes nothing")
	require.False(t, fresh)
	a2, fresh, err := s.ClaimProvider(ctx, in, "C-1", "a")
	require.NoError(t, err)
	require.Equal(t, "a", a2.Provider)
	require.NotEqual(t, a1.Version, a2.Version, "another claim at the holder is a new version")
	require.False(t, fresh, "joining a's record is not a fresh claim")

	// Kinds are apart.
	got, fresh, err = s.ClaimProvider(ctx, out, "C-1", "b")
	require.NoError(t, err)
	require.Equal(t, "b", got.Provider)
	require.True(t, fresh)

	// A move from a stale record changes nothing; from the current one it moves.
	got, err = s.MoveProvider(ctx, in, "C-1", a1, "b")
	require.NoError(t, err)
	require.Equal(t, a2, got)
	got, err = s.MoveProvider(ctx, in, "C-1", router.Claim{Provider: "c", Version: a2.Version}, "b")
	require.NoError(t, err)
	require.Equal(t, a2, got)
	b1, err := s.MoveProvider(ctx, in, "C-1", a2, "b")
	require.NoError(t, err)
	require.Equal(t, "b", b1.Provider)
	p, err = s.Provider(ctx, in, "C-1")
	require.NoError(t, err)
	require.Equal(t, "b", p)

	// Moving to "" removes the record, and only the current one.
	got, err = s.MoveProvider(ctx, in, "C-1", a2, "")
	require.NoError(t, err)
	require.Equal(t, b1, got)
	got, err = s.MoveProvider(ctx, in, "C-1", b1, "")
	require.NoError(t, err)
	require.Zero(t, got)
	p, err = s.Provider(ctx, in, "C-1")
	require.NoError(t, err)
	require.Empty(t, p)
	got, err = s.MoveProvider(ctx, in, "C-1", b1, "c")
	require.NoError(t, err)
	require.Zero(t, got, "nothing recorded: nothing to move")
	p, err = s.Provider(ctx, out, "C-1")
	require.NoError(t, err)
	require.Equal(t, "b", p)

	// SetProvider overwrites; a claim then sees the new holder.
	require.NoError(t, s.SetProvider(ctx, in, "C-2", "a"))
	require.NoError(t, s.SetProvider(ctx, in, "C-2", "c"))
	got, fresh, err = s.ClaimProvider(ctx, in, "C-2", "a")
	require.NoError(t, err)
	require.Equal(t, "c", got.Provider)
	require.False(t, fresh)
}

// storeRace: two replicas claim, then move, the same orders at once: every order ends with
// exactly one provider, the one every claimant was told, and exactly one move of a record wins.
func storeRace(t *testing.T, replicas ...router.Store) {
	ctx := context.Background()
	const orders, each = 20, 4 // each replica claims each order `each` times, for a or b
	var wg sync.WaitGroup
	type answer struct {
		order, want, got string
		fresh            bool
	}
	answers := make(chan answer, orders*each*len(replicas))
	start := make(chan struct{})
	for i, s := range replicas {
		for j := range each {
			wg.Go(func() {
				<-start
				for n := range orders {
					id := fmt.Sprintf("R-%d", n)
					want := []string{"a", "b"}[(i+j+n)%2]
					c, fresh, err := s.ClaimProvider(ctx, paygate.KindPayIn, id, want)
					if err != nil {
						t.Error(err)
						return
					}
					answers <- answer{id, want, c.Provider, fresh}
				}
			})
		}
	}
	close(start)
	wg.Wait()
	close(answers)
	holder, fresh := map[string]string{}, map[string]int{}
	for a := range answers {
		if h, ok := holder[a.order]; ok {
			require.Equal(t, h, a.got, "%s: two claimants were told different holders", a.order)
		}
		holder[a.order] = a.got
		if a.fresh {
			fresh[a.order]++
		}
	}
	require.Len(t, holder, orders)
	for id := range holder {
		require.Equal(t, 1, fresh[id], "%s: exactly one claim is fresh", id)
	}
	for id, h := range holder {
		p, err := replicas[0].Provider(ctx, paygate.KindPayIn, id)
		require.NoError(t, err)
		require.Equal(t, h, p)

		// Both replicas try to move the same record at once, to different providers.
		c, _, err := replicas[1].ClaimProvider(ctx, paygate.KindPayIn, id, h)
		require.NoError(t, err)
		moved := make([]router.Claim, len(replicas))
		for i, s := range replicas {
			wg.Go(func() {
				var err error
				moved[i], err = s.MoveProvider(ctx, paygate.KindPayIn, id, c, fmt.Sprintf("m%d", i))
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		require.Equal(t, moved[0], moved[1], "%s: both replicas see the one move that won", id)
		p, err = replicas[1].Provider(ctx, paygate.KindPayIn, id)
		require.NoError(t, err)
		require.Equal(t, moved[0].Provider, p)
	}
}

// ledger is a stub that remembers which orders it was sent.
type ledger struct {
	*stub
	mu   sync.Mutex
	seen map[string]int
}

func newLedger(name string) *ledger {
	return &ledger{stub: newStub(name, paygate.INR), seen: map[string]int{}}
}

func (l *ledger) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	l.mu.Lock()
	l.seen[req.OrderID]++
	l.mu.Unlock()
	return l.stub.PayIn(ctx, req)
}

func (l *ledger) got(id string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen[id]
}

// TestReplicasCreateSameOrder: two replicas (routers with their own store connections and
// volume splits, over the same providers) create the same orders at the same moment. No order
// reaches both providers, and each replica's result names the provider that has it.
func TestReplicasCreateSameOrder(t *testing.T) {
	for _, tc := range stores {
		t.Run(tc.name, func(t *testing.T) {
			open := tc.open(t)
			a, b := newLedger("a"), newLedger("b")
			var rs []*router.Router
			for seed := range uint64(2) {
				r, err := router.New([]router.Route{{Gateway: a, Weight: 1}, {Gateway: b, Weight: 1}},
					router.WithStore(open()), router.WithSeed(seed))
				require.NoError(t, err)
				rs = append(rs, r)
			}
			ctx := context.Background()
			const orders = 40
			start := make(chan struct{})
			var wg sync.WaitGroup
			results := make([][]string, len(rs))
			for i, r := range rs {
				results[i] = make([]string, orders)
				wg.Go(func() {
					<-start
					for n := range orders {
						res, err := r.PayIn(ctx, inrPayIn(fmt.Sprintf("X-%d", n)))
						if err != nil {
							t.Error(err)
							return
						}
						results[i][n] = res.Provider
					}
				})
			}
			close(start)
			wg.Wait()
			for n := range orders {
				id := fmt.Sprintf("X-%d", n)
				require.False(t, a.got(id) > 0 && b.got(id) > 0, "%s was sent to both providers", id)
				require.Equal(t, results[0][n], results[1][n], "%s: the replicas disagree on the provider", id)
				require.Equal(t, 2, a.got(id)+b.got(id))
			}
		})
	}
}
