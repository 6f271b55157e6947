package router_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/router"
	"github.com/paygate-go/paygate/sandbox"
)

// TestSharedBreaker: two replicas share each provider's circuit through Redis: one replica's
// failures open it for both, and the timeout half-opens it for both.
func TestSharedBreaker(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	clock := newFakeClock()
	settings := router.BreakerSettings{Timeout: 30 * time.Second,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 2 }}
	replica := func() (*router.Router, *stub, *stub) {
		c := redis.NewClient(servicetest.RedisOptions(t))
		t.Cleanup(func() { _ = c.Close() })
		a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
		r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}}, router.WithClock(clock.Now),
			router.WithBreaker(settings), router.WithBreakerStore(redisstore.NewBreakerStore(c, redisstore.WithKeyPrefix(prefix))))
		require.NoError(t, err)
		return r, a, b
	}
	r1, a1, _ := replica()
	r2, a2, b2 := replica()
	ctx := context.Background()

	a1.setErr(outcomeUnknown("a"))
	for i := range 2 {
		_, err := r1.PayIn(ctx, inrPayIn("R1-"+string(rune('a'+i))))
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	}
	st, err := r2.CircuitState(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, gobreaker.StateOpen, st, "replica 2 sees the circuit replica 1 opened")
	res, err := r2.PayIn(ctx, inrPayIn("R2-a"))
	require.NoError(t, err)
	require.Equal(t, "b", res.Provider)
	require.Zero(t, a2.Calls(), "replica 2 skips a without calling it")
	require.Equal(t, 1, b2.Calls())

	clock.Advance(31 * time.Second)
	st, err = r1.CircuitState(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, gobreaker.StateHalfOpen, st)
	// Replica 2's good probe closes it for replica 1 too.
	res, err = r2.PayIn(ctx, inrPayIn("R2-b"))
	require.NoError(t, err)
	require.Equal(t, "a", res.Provider)
	st, err = r1.CircuitState(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, gobreaker.StateClosed, st)
}

// TestBreakerStoreWithGobreaker: redisstore.BreakerStore is a gobreaker.SharedDataStore that
// gobreaker's own DistributedCircuitBreaker runs on, shared by two instances.
func TestBreakerStoreWithGobreaker(t *testing.T) {
	c, prefix := servicetest.Redis(t)
	store := redisstore.NewBreakerStore(c, redisstore.WithKeyPrefix(prefix))
	st := gobreaker.Settings{Name: "dcb", Timeout: time.Minute,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 2 }}
	one, err := gobreaker.NewDistributedCircuitBreaker[int](store, st)
	require.NoError(t, err)
	two, err := gobreaker.NewDistributedCircuitBreaker[int](redisstore.NewBreakerStore(c, redisstore.WithKeyPrefix(prefix)), st)
	require.NoError(t, err)
	for range 2 {
		_, err := one.Execute(func() (int, error) { return 0, context.DeadlineExceeded })
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	state, err := two.State()
	require.NoError(t, err)
	require.Equal(t, gobreaker.StateOpen, state)
	_, err = two.Execute(func() (int, error) { return 1, nil })
	require.ErrorIs(t, err, gobreaker.ErrOpenState)

	// The lock is exclusive and owned.
	require.NoError(t, store.Lock("m"))
	require.ErrorIs(t, store.Lock("m"), redisstore.ErrBreakerLocked)
	other := redisstore.NewBreakerStore(c, redisstore.WithKeyPrefix(prefix))
	require.NoError(t, other.Unlock("m"), "unlocking a lock held by another is a no-op")
	require.ErrorIs(t, other.Lock("m"), redisstore.ErrBreakerLocked)
	require.NoError(t, store.Unlock("m"))
	require.NoError(t, other.Lock("m"))
	require.NoError(t, other.Unlock("m"))
	data, err := store.GetData("missing")
	require.NoError(t, err)
	require.Empty(t, data)
}

// TestOrderIndexAfterRestart: orders created through one router are queried through a new
// router (new gateways, new store connection: a restart) at the provider that holds them, and
// only there.
func TestOrderIndexAfterRestart(t *testing.T) {
	for _, tc := range stores {
		if tc.name == "memory" {
			continue // one process's memory: nothing survives a restart
		}
		t.Run(tc.name, func(t *testing.T) { orderIndex(t, tc.open(t)) })
	}
}

func orderIndex(t *testing.T, newStore func() router.Store) {
	sbs := []*sandbox.Server{startSandbox(t, "cashgit"), startSandbox(t, "deekpay"), startSandbox(t, "paypro")}
	process := func() (*router.Router, []*provider) {
		var routes []router.Route
		var ps []*provider
		for _, sb := range sbs {
			p := connect(t, sb, 5*time.Second)
			ps = append(ps, p)
			routes = append(routes, router.Route{Gateway: p.gw, Weight: 1})
		}
		r, err := router.New(routes, router.WithStore(newStore()), router.WithSeed(7))
		require.NoError(t, err)
		return r, ps
	}
	ctx := context.Background()
	r, ps := process()
	where := map[string]string{}
	for range 9 {
		id := orderID()
		res, err := r.PayIn(ctx, payIn(ps[0], id))
		require.NoError(t, err)
		where[id] = res.Provider
	}
	id := orderID()
	out, err := r.PayOut(ctx, payOut(ps[0], id))
	require.NoError(t, err)

	r2, ps2 := process() // the restart
	for id, want := range where {
		o, err := r2.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: id})
		require.NoError(t, err)
		require.Equal(t, want, o.Provider)
		require.Equal(t, id, o.OrderID)
		for _, p := range ps2 {
			require.Equal(t, p.name == want, p.rt.saw(id), "the query of %s went to %s only", id, want)
		}
	}
	o, err := r2.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: id})
	require.NoError(t, err)
	require.Equal(t, out.Provider, o.Provider)
	require.Equal(t, paygate.KindPayOut, o.Kind)

	// The caller may name the provider; a name the router does not know is refused.
	o, err = r2.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: id, Provider: out.Provider})
	require.NoError(t, err)
	require.Equal(t, out.Provider, o.Provider)
	_, err = r2.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: id, Provider: "nope"})
	require.ErrorIs(t, err, paygate.ErrInvalidRequest)
}

// TestQuerySearch: an order the index does not know is looked for at each provider.
func TestQuerySearch(t *testing.T) {
	sbs := []*sandbox.Server{startSandbox(t, "cashgit"), startSandbox(t, "paypro")}
	a, b := connect(t, sbs[0], 5*time.Second), connect(t, sbs[1], 5*time.Second)
	ctx := context.Background()
	id := orderID()
	_, err := b.gw.PayIn(ctx, payIn(b, id)) // created without the router
	require.NoError(t, err)
	r, err := router.New([]router.Route{{Gateway: a.gw}, {Gateway: b.gw}})
	require.NoError(t, err)
	o, err := r.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: id})
	require.NoError(t, err)
	require.Equal(t, "paypro", o.Provider)
	// PayPro documents no not-found code: its refusal of an unknown order may hide one, so the
	// search is not "not found" (TestQuerySearchNotFoundOnlyWhenEveryProviderSaysSo).
	_, err = r.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: orderID()})
	require.Error(t, err)
	require.NotErrorIs(t, err, paygate.ErrOrderNotFound)
}

// TestBreakerStoreDown: when the shared store does not answer, each replica's circuits go on
// working on its own state (fail open to the local view), and creates still flow.
func TestBreakerStoreDown(t *testing.T) {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { _ = c.Close() })

	clock := newFakeClock()
	a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
	r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}}, router.WithClock(clock.Now),
		router.WithBreakerStore(redisstore.NewBreakerStore(c)),
		router.WithBreaker(router.BreakerSettings{ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 2 }}))
	require.NoError(t, err)
	ctx := context.Background()
	res, err := r.PayIn(ctx, inrPayIn("O1"))
	require.NoError(t, err)
	require.Equal(t, "a", res.Provider)
	a.setErr(outcomeUnknown("a"))
	for _, id := range []string{"O2", "O3"} {
		_, err = r.PayIn(ctx, inrPayIn(id))
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	}
	res, err = r.PayIn(ctx, inrPayIn("O4"))
	require.NoError(t, err)
	require.Equal(t, "b", res.Provider, "the local circuit opened")
	require.Equal(t, 3, a.Calls())
}

// TestQueryOwnName: QueryRequest.Provider set to the router's own name (what a tracker built over
// the router sets) is no provider at all: the order index names the provider.
func TestQueryOwnName(t *testing.T) {
	a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
	r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}})
	require.NoError(t, err)
	ctx := context.Background()
	a.setErr(&paygate.NotSentError{Provider: "a", Op: "payin", Err: net.ErrClosed})
	res, err := r.PayIn(ctx, inrPayIn("Q-1"))
	require.NoError(t, err)
	require.Equal(t, "b", res.Provider)
	o, err := r.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "Q-1", Provider: r.Name()})
	require.NoError(t, err)
	require.Equal(t, "b", o.Provider)
}

// failingQuery is a stub whose queries fail with err.
type failingQuery struct {
	*stub
	err error
}

func (g failingQuery) Query(context.Context, *paygate.QueryRequest) (*paygate.Order, error) {
	return nil, g.err
}

// TestQuerySearchNotFoundOnlyWhenEveryProviderSaysSo: a search is "not found" only when every
// provider asked said so. One that failed otherwise (an HTTP 502, a refusal that is not a
// classified not-found) may hold the order: a tracker over the router must not report it not
// created, and a merchant must not create it again.
func TestQuerySearchNotFoundOnlyWhenEveryProviderSaysSo(t *testing.T) {
	a := connect(t, startSandbox(t, "cashgit"), 5*time.Second)
	d := connect(t, startSandbox(t, "deekpay"), 5*time.Second)
	r, err := router.New([]router.Route{{Gateway: a.gw}, {Gateway: d.gw}})
	require.NoError(t, err)
	_, err = r.Query(t.Context(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: orderID()})
	require.ErrorIs(t, err, paygate.ErrOrderNotFound, "both providers said so")

	for name, err := range map[string]error{
		"bad gateway": &paygate.ResponseError{Provider: "b", Op: "query", HTTPStatus: 502, Err: paygate.ErrMalformedResponse},
		"refusal":     &paygate.ProviderError{Provider: "b", Op: "query", Code: "400", Message: "order does not exist"},
	} {
		t.Run(name, func(t *testing.T) {
			b := failingQuery{newStub("b", paygate.INR), err}
			for _, routes := range [][]router.Route{{{Gateway: a.gw}, {Gateway: b}}, {{Gateway: b}, {Gateway: a.gw}}} {
				r, rerr := router.New(routes)
				require.NoError(t, rerr)
				_, qerr := r.Query(t.Context(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: orderID()})
				require.Error(t, qerr)
				require.NotErrorIs(t, qerr, paygate.ErrOrderNotFound, "%v", qerr)
				require.ErrorContains(t, qerr, "cashgit", "what the others answered is still told")
			}
		})
	}
}

// TestQueryWithoutKind: a query without a Kind goes to the provider the index names, under the
// kind the index knows the order by (every provider refuses an empty Kind); an order the index
// does not know needs its Kind, before anything is sent.
func TestQueryWithoutKind(t *testing.T) {
	a := connect(t, startSandbox(t, "cashgit"), 5*time.Second)
	r, err := router.New([]router.Route{{Gateway: a.gw}})
	require.NoError(t, err)
	id := orderID()
	_, err = r.PayOut(t.Context(), payOut(a, id))
	require.NoError(t, err)
	o, err := r.Query(t.Context(), &paygate.QueryRequest{OrderID: id})
	require.NoError(t, err)
	require.Equal(t, paygate.KindPayOut, o.Kind)
	require.Equal(t, "cashgit", o.Provider)

	_, err = r.Query(t.Context(), &paygate.QueryRequest{OrderID: orderID()})
	var ve *paygate.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "Kind", ve.Field)
}

// TestCreateInNoCurrency: an amount in no currency is the provider's (paygate.Currency.Check):
// a router whose routes share one currency takes it in that one, as each of its providers
// would; one whose routes take several refuses it before anything is sent, rather than send
// 500 to whichever provider comes first, in rupees or in Pakistani rupees.
func TestCreateInNoCurrency(t *testing.T) {
	a := connect(t, startSandbox(t, "cashgit"), 5*time.Second)
	one, err := router.New([]router.Route{{Gateway: a.gw}})
	require.NoError(t, err)
	req := payIn(a, orderID())
	req.Amount = paygate.MustParseMoney(a.fx.Amount, "")
	res, err := one.PayIn(t.Context(), req)
	require.NoError(t, err)
	require.Equal(t, "512.05 INR", res.Amount.String())

	c := connect(t, startSandbox(t, "cashy"), 5*time.Second)
	mixed, err := router.New([]router.Route{{Gateway: a.gw}, {Gateway: c.gw}})
	require.NoError(t, err)
	req = payIn(a, orderID())
	req.Amount = paygate.MustParseMoney(a.fx.Amount, "")
	_, err = mixed.PayIn(t.Context(), req)
	var ve *paygate.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "Amount", ve.Field)
	require.Len(t, a.sb.Orders(), 1, "only the first router's order")
	require.Empty(t, c.sb.Orders(), "nothing sent")
}
