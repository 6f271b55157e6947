package router_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/router"
)

// notSent is the error of a create whose connection was refused before the request left.
func notSent(provider string) error {
	return &paygate.NotSentError{Provider: provider, Op: "payin", Err: errors.New("dial tcp: connection refused")}
}

// TestRepeatCreateStaysWithProvider: once a create of an order may have reached a provider,
// every later create of the same order number goes to that provider only, whatever the
// circuits, the priorities and the volume split say now.
func TestRepeatCreateStaysWithProvider(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		weights [2]int // a's and b's; zero weights: a has priority 0, b priority 1
		first   [2]error
		want    string // who holds the order after the first create
	}{
		// a not sent → failover to b, whose answer is lost: the repeat must not go to a.
		{name: "failover then outcome unknown", first: [2]error{notSent("a"), outcomeUnknown("b")}, want: "b"},
		// a not sent → b created it: a repeat goes to b, whose duplicate refusal answers.
		{name: "failover then created", first: [2]error{notSent("a"), nil}, want: "b"},
		// A definite refusal created nothing at a: the order moved to b.
		{name: "definite refusal then outcome unknown", first: [2]error{
			&paygate.ProviderError{Provider: "a", Op: "payin", HTTPStatus: 429, Code: "429"}, outcomeUnknown("b")}, want: "b"},
		// The volume split is drawn once per order, not once per create.
		{name: "weighted split", weights: [2]int{1, 1}, first: [2]error{outcomeUnknown("a"), outcomeUnknown("b")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
			routes := []router.Route{{Gateway: a, Weight: tc.weights[0]}, {Gateway: b, Weight: tc.weights[1], Priority: 1}}
			if tc.weights[0] > 0 {
				routes[1].Priority = 0
			}
			r, err := router.New(routes, router.WithSeed(1))
			require.NoError(t, err)
			a.setErr(tc.first[0])
			b.setErr(tc.first[1])
			_, _ = r.PayIn(ctx, inrPayIn("R-1"))
			want := tc.want
			if want == "" {
				require.Equal(t, 1, a.Calls()+b.Calls(), "an outcome-unknown create stops at the first provider")
				want = map[bool]string{true: "a", false: "b"}[a.Calls() == 1]
			}
			held := map[string]*stub{"a": a, "b": b}[want]
			other := map[string]*stub{"a": b, "b": a}[want]
			heldCalls, otherCalls := held.Calls(), other.Calls()

			a.setErr(nil)
			b.setErr(nil)
			for i := range 5 {
				res, err := r.PayIn(ctx, inrPayIn("R-1"))
				require.NoError(t, err)
				require.Equal(t, want, res.Provider, "repeat %d went to %s: the order may be created at two providers", i, res.Provider)
			}
			require.Equal(t, heldCalls+5, held.Calls())
			require.Equal(t, otherCalls, other.Calls(), "the other provider is never asked again")
			o, err := r.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "R-1"})
			require.NoError(t, err)
			require.Equal(t, want, o.Provider)
		})
	}
}

// TestRepeatCreateHeldProviderUnavailable: outcome-unknown creates open a's circuit. A repeat of
// one of those orders is not failed over to b: it fails, not sent, saying a holds the order.
func TestRepeatCreateHeldProviderUnavailable(t *testing.T) {
	a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
	r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}})
	require.NoError(t, err)
	ctx := context.Background()
	a.setErr(outcomeUnknown("a"))
	for _, id := range []string{"U-1", "U-2", "U-3", "U-4", "U-5"} {
		_, err = r.PayIn(ctx, inrPayIn(id))
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	}
	state, err := r.CircuitState(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, "open", state.String())

	_, err = r.PayIn(ctx, inrPayIn("U-1"))
	require.ErrorIs(t, err, paygate.ErrNotSent)
	require.ErrorIs(t, err, router.ErrOrderHeld)
	require.ErrorIs(t, err, router.ErrCircuitOpen)
	require.ErrorContains(t, err, `"a"`)
	require.Zero(t, b.Calls(), "U-1 may exist at a: it is never sent to b")
	require.Equal(t, 5, a.Calls())

	// A new order is failed over as before.
	res, err := r.PayIn(ctx, inrPayIn("N-1"))
	require.NoError(t, err)
	require.Equal(t, "b", res.Provider)
}

// TestRepeatCreateAfterNothingSent: a create that provably reached no provider leaves no claim
// behind: the next create of that order is planned anew.
func TestRepeatCreateAfterNothingSent(t *testing.T) {
	a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
	r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}})
	require.NoError(t, err)
	ctx := context.Background()
	a.setErr(notSent("a"))
	b.setErr(notSent("b"))
	_, err = r.PayIn(ctx, inrPayIn("E-1"))
	require.ErrorIs(t, err, paygate.ErrNotSent)
	a.setErr(nil)
	b.setErr(nil)
	res, err := r.PayIn(ctx, inrPayIn("E-1"))
	require.NoError(t, err)
	require.Equal(t, "a", res.Provider, "nothing was sent anywhere: the first route takes it")
}

// TestRepeatCreateSandbox: the same through two sandboxes and real HTTP: a's connection is
// refused, b creates the order but its answer is lost; the caller's repeat of the same order
// number goes to b only, and no sandbox but b ever holds the order.
func TestRepeatCreateSandbox(t *testing.T) {
	a := connect(t, startSandbox(t, "cashgit"), 2*time.Second)
	b := connect(t, startSandbox(t, "deekpay"), 2*time.Second)
	r, err := router.New([]router.Route{{Gateway: a.gw}, {Gateway: b.gw, Priority: 1}})
	require.NoError(t, err)
	ctx := context.Background()
	id := orderID()

	a.rt.set(faultDial)
	b.rt.set(faultDropAnswer)
	_, err = r.PayIn(ctx, payIn(a, id))
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	require.True(t, b.holds(t, id))

	a.rt.set(faultNone)
	b.rt.set(faultNone)
	_, err = r.PayIn(ctx, payIn(a, id))
	require.ErrorIs(t, err, paygate.ErrDuplicateOrder, "b refuses the repeat as a duplicate")
	require.False(t, a.holds(t, id), "order created at both cashgit and deekpay")
	require.True(t, b.holds(t, id))
}

// failingStore is a Store that cannot be read or written.
type failingStore struct{ router.Store }

var errStoreDown = errors.New("store down")

func (failingStore) Provider(context.Context, paygate.Kind, string) (string, error) {
	return "", errStoreDown
}

func (failingStore) SetProvider(context.Context, paygate.Kind, string, string) error {
	return errStoreDown
}

// TestCreateRefusedIndexUnreadable: when the order index cannot be read, the router cannot know
// whether the order is held elsewhere: the create is refused, not sent, wrapping the store's error.
func TestCreateRefusedIndexUnreadable(t *testing.T) {
	a := newStub("a", paygate.INR)
	r, err := router.New([]router.Route{{Gateway: a}}, router.WithStore(failingStore{}))
	require.NoError(t, err)
	_, err = r.PayIn(context.Background(), inrPayIn("S-1"))
	require.ErrorIs(t, err, paygate.ErrNotSent)
	require.ErrorIs(t, err, errStoreDown)
	require.ErrorContains(t, err, "order index")
	require.Zero(t, a.Calls())
}

// blocking is a stub whose first create waits for release, then answers err.
type blocking struct {
	*stub
	once             sync.Once
	entered, release chan struct{}
	err              error
}

func (g *blocking) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	first := false
	g.once.Do(func() { first = true })
	if first {
		close(g.entered)
		<-g.release
		return nil, g.err
	}
	return g.stub.PayIn(ctx, req)
}

// TestRepeatCreateDuringNotSentAttempt: replica 1's attempt at a is still running (it will end
// not sent) when replica 2 creates the same order: the index names a, so replica 2 sends it
// there. Replica 1 then must not fail over to b: a may hold the order through replica 2.
func TestRepeatCreateDuringNotSentAttempt(t *testing.T) {
	a := &blocking{stub: newStub("a", paygate.INR), entered: make(chan struct{}), release: make(chan struct{}), err: notSent("a")}
	b := newStub("b", paygate.INR)
	store := router.NewMemoryStore()
	var rs []*router.Router
	for range 2 {
		r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}}, router.WithStore(store))
		require.NoError(t, err)
		rs = append(rs, r)
	}
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		_, err := rs[0].PayIn(ctx, inrPayIn("C-1"))
		done <- err
	}()
	<-a.entered
	res, err := rs[1].PayIn(ctx, inrPayIn("C-1"))
	require.NoError(t, err)
	require.Equal(t, "a", res.Provider)
	close(a.release)
	err = <-done
	require.ErrorIs(t, err, router.ErrOrderHeld)
	require.ErrorIs(t, err, paygate.ErrNotSent)
	require.Zero(t, b.Calls(), "C-1 was created at a by replica 2: replica 1 must not send it to b")
	p, err := store.Provider(ctx, paygate.KindPayIn, "C-1")
	require.NoError(t, err)
	require.Equal(t, "a", p)
}
