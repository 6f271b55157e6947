package router_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/router"
)

// gatedStore lets the test hold a replica right after its index read (Provider), as a slow
// network or a GC pause would.
type gatedStore struct {
	router.Store
	once       sync.Once
	read, cont chan struct{}
}

func (g *gatedStore) Provider(ctx context.Context, k paygate.Kind, id string) (string, error) {
	p, err := g.Store.Provider(ctx, k, id)
	g.once.Do(func() { close(g.read); <-g.cont })
	return p, err
}

// blockingOK: the first create waits for release then succeeds (the order IS created at the
// provider); every later create answers later.
type blockingOK struct {
	*stub
	mu               sync.Mutex
	n                int
	entered, release chan struct{}
	later            error
}

func (g *blockingOK) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	g.mu.Lock()
	g.n++
	n := g.n
	g.mu.Unlock()
	if n == 1 {
		close(g.entered)
		<-g.release
		return g.stub.PayIn(ctx, req)
	}
	return nil, g.later
}

// TestSameProviderClaimThenFailover: replica 1's create of C-1 is at a (it will create the
// order). Replica 2 read the index before replica 1's claim (empty), so it plans anew, claims
// a too (same provider: a new version), a answers replica 2 "not sent", and replica 2, whose
// version is now the current one, moves the order to b and creates it there: C-1 exists at
// a and at b.
func TestSameProviderClaimThenFailover(t *testing.T) {
	for _, tc := range stores {
		t.Run(tc.name, func(t *testing.T) {
			open := tc.open(t)
			a := &blockingOK{stub: newStub("a", paygate.INR), entered: make(chan struct{}), release: make(chan struct{}), later: notSent("a")}
			b := newStub("b", paygate.INR)
			routes := []router.Route{{Gateway: a}, {Gateway: b, Priority: 1}}
			r1, err := router.New(routes, router.WithStore(open()))
			require.NoError(t, err)
			g := &gatedStore{Store: open(), read: make(chan struct{}), cont: make(chan struct{})}
			r2, err := router.New(routes, router.WithStore(g))
			require.NoError(t, err)
			ctx := context.Background()

			type out struct {
				res *paygate.PayInResult
				err error
			}
			d2 := make(chan out, 1)
			go func() { res, err := r2.PayIn(ctx, inrPayIn("C-1")); d2 <- out{res, err} }()
			<-g.read // replica 2 saw no holder
			d1 := make(chan out, 1)
			go func() { res, err := r1.PayIn(ctx, inrPayIn("C-1")); d1 <- out{res, err} }()
			<-a.entered // replica 1 claimed a and is sending there
			close(g.cont)
			o2 := <-d2
			close(a.release)
			o1 := <-d1
			require.NoError(t, o1.err)
			require.Equal(t, "a", o1.res.Provider)
			t.Logf("replica 2: res=%+v err=%v", o2.res, o2.err)
			require.Zero(t, b.Calls(), "C-1 was created at a by replica 1; replica 2 sent it to b too")
		})
	}
}

// TestSameProviderClaimThenRelease: as above with one provider, a, first in the plan;
// replica 2's attempt ends not sent and it releases the claim, though replica 1's create at
// a succeeded: the index forgets C-1, and the next create goes to b.
func TestSameProviderClaimThenRelease(t *testing.T) {
	for _, tc := range stores {
		t.Run(tc.name, func(t *testing.T) {
			open := tc.open(t)
			a := &blockingOK{stub: newStub("a", paygate.INR), entered: make(chan struct{}), release: make(chan struct{}), later: notSent("a")}
			b := newStub("b", paygate.INR)
			r1, err := router.New([]router.Route{{Gateway: a}}, router.WithStore(open()))
			require.NoError(t, err)
			g := &gatedStore{Store: open(), read: make(chan struct{}), cont: make(chan struct{})}
			r2, err := router.New([]router.Route{{Gateway: a}}, router.WithStore(g))
			require.NoError(t, err)
			ctx := context.Background()
			d2 := make(chan error, 1)
			go func() { _, err := r2.PayIn(ctx, inrPayIn("C-1")); d2 <- err }()
			<-g.read
			d1 := make(chan error, 1)
			go func() { _, err := r1.PayIn(ctx, inrPayIn("C-1")); d1 <- err }()
			<-a.entered
			close(g.cont)
			require.ErrorIs(t, <-d2, paygate.ErrNotSent)
			close(a.release)
			require.NoError(t, <-d1)
			s := open()
			p, err := s.Provider(ctx, paygate.KindPayIn, "C-1")
			require.NoError(t, err)
			// A third replica whose config prefers b (or a's circuit opened) would now create it at b.
			r3, err := router.New([]router.Route{{Gateway: b}, {Gateway: a, Priority: 1}}, router.WithStore(s))
			require.NoError(t, err)
			res, err := r3.PayIn(ctx, inrPayIn("C-1"))
			t.Logf("third create: res=%+v err=%v", res, err)
			require.Equal(t, "a", p, "C-1 was created at a, but the index forgot it")
		})
	}
}

// TestHeldErrNamesCurrentHolder: replica 2 read "a" from the index; meanwhile replica 1's
// attempt at a was refused (not created) and it moved the order to b and created it there.
// Replica 2's resend finds b holding the order, but its ErrOrderHeld says the order is held
// by "a".
func TestHeldErrNamesCurrentHolder(t *testing.T) {
	store := router.NewMemoryStore()
	a := &blocking{stub: newStub("a", paygate.INR), entered: make(chan struct{}), release: make(chan struct{}), err: notSent("a")}
	b := newStub("b", paygate.INR)
	routes := []router.Route{{Gateway: a}, {Gateway: b, Priority: 1}}
	r1, err := router.New(routes, router.WithStore(store))
	require.NoError(t, err)
	g := &gatedStore{Store: store, read: make(chan struct{}), cont: make(chan struct{})}
	r2, err := router.New(routes, router.WithStore(g))
	require.NoError(t, err)
	ctx := context.Background()
	d1 := make(chan error, 1)
	go func() { _, err := r1.PayIn(ctx, inrPayIn("C-1")); d1 <- err }()
	<-a.entered
	d2 := make(chan error, 1)
	go func() { _, err := r2.PayIn(ctx, inrPayIn("C-1")); d2 <- err }()
	<-g.read // replica 2 read "a"
	close(a.release)
	require.NoError(t, <-d1)
	close(g.cont)
	err = <-d2
	require.ErrorIs(t, err, router.ErrOrderHeld)
	t.Log(err)
	require.Contains(t, err.Error(), `held by "b"`)
}

// TestNewlineProviderName: the order index writes a provider's name as text (Redis:
// "provider\nversion"), so a gateway whose name holds a control character is refused as a
// route: its claims could read back as another provider's.
func TestNewlineProviderName(t *testing.T) {
	_, err := router.New([]router.Route{{Gateway: newStub("a\nx", paygate.INR)}, {Gateway: newStub("a", paygate.INR), Priority: 1}})
	require.ErrorContains(t, err, "control character")
}
