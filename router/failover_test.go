package router_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/router"
	"github.com/paygate-go/paygate/sandbox"
)

// TestDoubleCreate sends one create per provider pair and fault class: the first provider
// misbehaves, the second is healthy. It counts, for that one order, the providers the create
// was handed to and the sandboxes that hold it afterwards:
//   - after an ambiguous fault (answer dropped, HTML 502, timeout) the create went to exactly one
//     provider and the router returned ErrOutcomeUnknown: the order may exist there, so it is
//     never sent elsewhere;
//   - after a not-sent fault (dial refused, rate limit refusal) it went to exactly two, and
//     exactly one holds the order: the second.
func TestDoubleCreate(t *testing.T) {
	sandboxes := map[string]*sandbox.Server{}
	for _, name := range inr {
		sandboxes[name] = startSandbox(t, name)
	}
	faults := []faultKind{faultDial, faultDropAnswer, faultHTML502, faultTimeout, faultRateLimited}
	for _, kind := range []paygate.Kind{paygate.KindPayIn, paygate.KindPayOut} {
		t.Run(string(kind), func(t *testing.T) {
			for _, first := range inr {
				for _, second := range inr {
					if first == second {
						continue
					}
					t.Run(first+"→"+second, func(t *testing.T) {
						for _, f := range faults {
							t.Run(f.String(), func(t *testing.T) {
								doubleCreate(t, kind, sandboxes[first], sandboxes[second], f)
							})
						}
					})
				}
			}
		})
	}
}

func doubleCreate(t *testing.T, kind paygate.Kind, sbA, sbB *sandbox.Server, f faultKind) {
	a, b := connect(t, sbA, 300*time.Millisecond), connect(t, sbB, 5*time.Second)
	a.rt.set(f)
	obs := &recorder{}
	r, err := router.New([]router.Route{
		{Gateway: a.gw, Priority: 0},
		{Gateway: b.gw, Priority: 1},
	}, router.WithObserver(obs))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id := orderID()
	var chosen string
	switch kind {
	case paygate.KindPayIn:
		var res *paygate.PayInResult
		res, err = r.PayIn(ctx, payIn(a, id))
		if res != nil {
			chosen = res.Provider
		}
	case paygate.KindPayOut:
		var res *paygate.PayOutResult
		res, err = r.PayOut(ctx, payOut(a, id))
		if res != nil {
			chosen = res.Provider
		}
	}

	handed := 0
	for _, p := range []*provider{a, b} {
		if p.rt.saw(id) {
			handed++
		}
	}
	held := 0
	for _, p := range []*provider{a, b} {
		if p.holds(t, id) {
			held++
		}
	}
	require.LessOrEqual(t, held, 1, "an order exists at most once across providers")
	if f.notSent() {
		require.NoError(t, err, "the second provider takes a create the first provably did not")
		require.Equal(t, b.name, chosen)
		require.Equal(t, 2, handed, "handed to both providers")
		require.False(t, a.holds(t, id))
		require.True(t, b.holds(t, id))
		ev := obs.take()
		require.Len(t, ev, 2)
		require.Equal(t, paygate.RouteEvent{Operation: string(kind), Provider: a.name, Decision: "chosen", Reason: "priority"}, ev[0])
		require.Equal(t, "failover", ev[1].Decision)
		require.Equal(t, b.name, ev[1].Provider)
		// The order index sends the query to the second provider.
		o, err := r.Query(ctx, &paygate.QueryRequest{Kind: kind, OrderID: id})
		require.NoError(t, err)
		require.Equal(t, b.name, o.Provider)
		return
	}
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown, "%v", err)
	require.Equal(t, 1, handed, "an ambiguous create is never handed to a second provider")
	require.Equal(t, 1, held)
	require.True(t, a.holds(t, id), "the ambiguous create reached the first provider")
	var oe *paygate.OutcomeError
	require.True(t, errors.As(err, &oe))
	require.Equal(t, a.name, oe.Provider, "the error names the provider that may hold the order")
	ev := obs.take()
	require.Len(t, ev, 2)
	require.Equal(t, "chosen", ev[0].Decision)
	require.Equal(t, paygate.RouteEvent{Operation: string(kind), Provider: a.name, Decision: "stopped", Reason: "outcome_unknown"}, ev[1])
	// Query goes to the first provider, which has the order.
	a.rt.set(faultNone)
	o, err := r.Query(ctx, &paygate.QueryRequest{Kind: kind, OrderID: id})
	require.NoError(t, err)
	require.Equal(t, a.name, o.Provider)
	require.Equal(t, id, o.OrderID)
}

// TestIneligibleNeverCalled: against the sandboxes, Cashy (PKR) first in priority is never
// handed an INR pay-in, and CaiPay (INR) never a PKR one: rules apply before any I/O.
func TestIneligibleNeverCalled(t *testing.T) {
	cashy, caipay := connect(t, startSandbox(t, "cashy"), 5*time.Second), connect(t, startSandbox(t, "caipay"), 5*time.Second)
	r, err := router.New([]router.Route{{Gateway: cashy.gw}, {Gateway: caipay.gw, Priority: 1}})
	require.NoError(t, err)
	ctx := context.Background()
	id := orderID()
	res, err := r.PayIn(ctx, payIn(caipay, id))
	require.NoError(t, err)
	require.Equal(t, "caipay", res.Provider)
	require.Zero(t, cashy.rt.requests.Load(), "cashy takes PKR only")
	before := caipay.rt.requests.Load()
	id = orderID()
	res, err = r.PayIn(ctx, payIn(cashy, id))
	require.NoError(t, err)
	require.Equal(t, "cashy", res.Provider)
	require.True(t, cashy.holds(t, id))
	require.Equal(t, before, caipay.rt.requests.Load(), "caipay takes INR only")
}
