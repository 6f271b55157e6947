package router_test

import (
	"context"
	"math"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/router"
)

func inrReq(amount string) router.Request {
	return router.Request{Kind: paygate.KindPayIn, OrderID: "O1", Amount: paygate.MustParseMoney(amount, paygate.INR)}
}

func firsts(plan []router.Choice) []string {
	out := make([]string, len(plan))
	for i, c := range plan {
		out[i] = c.Provider
	}
	return out
}

// TestWeights draws 10,000 decisions with a seed: each provider is chosen first in proportion
// to its weight, within five standard deviations of the binomial.
func TestWeights(t *testing.T) {
	weights := map[string]int{"a": 1, "b": 2, "c": 7}
	var routes []router.Route
	for _, name := range []string{"a", "b", "c"} {
		routes = append(routes, router.Route{Gateway: newStub(name, paygate.INR), Weight: weights[name]})
	}
	r, err := router.New(routes, router.WithSeed(42))
	require.NoError(t, err)
	const n = 10000
	count := map[string]int{}
	for range n {
		plan := r.Plan(inrReq("500"))
		require.Len(t, plan, 3, "every eligible provider is in the plan, once")
		require.Equal(t, "weight", plan[0].Reason)
		count[plan[0].Provider]++
	}
	for name, w := range weights {
		p := float64(w) / 10
		mean, sd := n*p, math.Sqrt(n*p*(1-p))
		require.InDelta(t, mean, float64(count[name]), 5*sd, "%s chosen %d times of %d, weight %d/10", name, count[name], n, w)
	}

	// The same seed gives the same decisions.
	again, err := router.New(routes, router.WithSeed(42))
	require.NoError(t, err)
	r, err = router.New(routes, router.WithSeed(42))
	require.NoError(t, err)
	for range 100 {
		require.Equal(t, r.Plan(inrReq("1")), again.Plan(inrReq("1")))
	}
}

// TestRules: each rule excludes what it should, the plan is ordered by priority, weight 0 is
// fallback in the order given, and an ineligible provider is never called.
func TestRules(t *testing.T) {
	a, b, c, pk := newStub("a", paygate.INR), newStub("b", paygate.INR), newStub("c", paygate.INR), newStub("pk", paygate.PKR)
	noDirect := newStub("hosted", paygate.INR)
	noDirect.caps.PayInDirect = false
	r, err := router.New([]router.Route{
		{Gateway: a, Priority: 1, Max: paygate.MustParseMoney("1000", paygate.INR)},
		{Gateway: b, Priority: 1, Kinds: []paygate.Kind{paygate.KindPayIn}, Channels: []string{"upi", ""}},
		{Gateway: c, Priority: 0, Min: paygate.MustParseMoney("100", paygate.INR),
			When: func(req router.Request) bool {
				return req.PayIn == nil || req.PayIn.Customer.Email != "blocked@example.com"
			}},
		{Gateway: pk},
		{Gateway: noDirect, Priority: 2, Flow: router.HostedOnly},
	})
	require.NoError(t, err)

	payout := router.Request{Kind: paygate.KindPayOut, OrderID: "O1", Amount: paygate.MustParseMoney("500", paygate.INR)}
	blocked := inrReq("500")
	blocked.PayIn = &paygate.PayInRequest{Customer: paygate.Customer{Email: "blocked@example.com"}}
	direct := inrReq("500")
	direct.Direct = true
	for _, tc := range []struct {
		name string
		req  router.Request
		want []string
	}{
		{"priority, then the order given", inrReq("500"), []string{"c", "a", "b", "hosted"}},
		{"amount below c's Min", inrReq("50"), []string{"a", "b", "hosted"}},
		{"amount above a's Max", inrReq("5000"), []string{"c", "b", "hosted"}},
		{"pay-out: b takes pay-ins only", payout, []string{"c", "a", "hosted"}},
		{"channel b does not list", func() router.Request { q := inrReq("500"); q.Channel = "card"; return q }(), []string{"c", "a", "hosted"}},
		{"predicate", blocked, []string{"a", "b", "hosted"}},
		{"direct: hosted-only route excluded", direct, []string{"c", "a", "b"}},
		{"PKR: only the PKR provider", router.Request{Kind: paygate.KindPayIn, Amount: paygate.MustParseMoney("500", paygate.PKR)}, []string{"pk"}},
		{"USD: nobody", router.Request{Kind: paygate.KindPayIn, Amount: paygate.NewMoney(decimal.NewFromInt(500), "USD")}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, firsts(r.Plan(tc.req)))
		})
	}

	// No route: nothing is called, the error says so.
	_, err = r.PayIn(context.Background(), &paygate.PayInRequest{OrderID: "O2", Amount: paygate.NewMoney(decimal.NewFromInt(5), "USD")})
	require.ErrorIs(t, err, router.ErrNoRoute)
	require.ErrorIs(t, err, paygate.ErrUnsupported)
	// A PKR pay-in goes to the PKR provider only; the INR ones are never called.
	res, err := r.PayIn(context.Background(), &paygate.PayInRequest{OrderID: "O3", Amount: paygate.MustParseMoney("500", paygate.PKR)})
	require.NoError(t, err)
	require.Equal(t, "pk", res.Provider)
	for _, s := range []*stub{a, b, c, noDirect} {
		require.Zero(t, s.Calls(), "%s is ineligible and must not be called", s.name)
	}
	require.Equal(t, 1, pk.Calls())
}

func TestNewRefuses(t *testing.T) {
	a := newStub("a", paygate.INR)
	for name, routes := range map[string][]router.Route{
		"no routes":          nil,
		"nil gateway":        {{}},
		"negative weight":    {{Gateway: a, Weight: -1}},
		"bound in PKR":       {{Gateway: a, Min: paygate.MustParseMoney("1", paygate.PKR)}},
		"min above max":      {{Gateway: a, Min: paygate.MustParseMoney("10", paygate.INR), Max: paygate.MustParseMoney("1", paygate.INR)}},
		"two gateways named": {{Gateway: a}, {Gateway: newStub("a", paygate.INR)}},
		"unknown kind":       {{Gateway: a, Kinds: []paygate.Kind{"refund"}}},
	} {
		_, err := router.New(routes)
		require.Error(t, err, name)
	}
	_, err := router.New([]router.Route{{Gateway: a}}, router.WithMaxProviders(0))
	require.Error(t, err)
	// One gateway in two routes is fine.
	r, err := router.New([]router.Route{{Gateway: a, Kinds: []paygate.Kind{paygate.KindPayIn}}, {Gateway: a, Priority: 1}})
	require.NoError(t, err)
	require.Len(t, r.Gateways(), 1)
}

func TestCapabilities(t *testing.T) {
	in, pk := newStub("in", paygate.INR), newStub("pk", paygate.PKR)
	in.caps.PayOut = false
	r, err := router.New([]router.Route{{Gateway: in}})
	require.NoError(t, err)
	c := r.Capabilities()
	require.Equal(t, paygate.Capabilities{PayIn: true, PayInDirect: true, QueryPayIn: true, QueryPayOut: true,
		Currency: paygate.INR}, c, "Balance and Callbacks are per provider")
	r, err = router.New([]router.Route{{Gateway: in, Flow: router.HostedOnly}, {Gateway: pk, Kinds: []paygate.Kind{paygate.KindPayOut}}})
	require.NoError(t, err)
	c = r.Capabilities()
	require.True(t, c.PayIn)
	require.False(t, c.PayInDirect, "the only direct-capable pay-in route is hosted-only")
	require.True(t, c.PayOut)
	require.Empty(t, c.Currency, "routes disagree on the currency")
	require.Equal(t, "router", r.Name())

	_, err = r.Balance(context.Background())
	require.ErrorIs(t, err, paygate.ErrUnsupported)
	_, err = r.ParseCallback(nil, nil)
	require.ErrorIs(t, err, paygate.ErrUnsupported)
	bs, err := r.Balances(context.Background())
	require.NoError(t, err)
	require.Len(t, bs, 2)
	require.Equal(t, "10.00 PKR", bs["pk"].Available.String())
}

// TestWeightsBounded: weights whose sum would overflow are refused when the Router is built,
// naming the field; the largest accepted weights draw without panicking.
func TestWeightsBounded(t *testing.T) {
	a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
	for name, routes := range map[string][]router.Route{
		"MaxInt and 1":       {{Gateway: a, Weight: math.MaxInt}, {Gateway: b, Weight: 1}},
		"one above max":      {{Gateway: a, Weight: router.MaxWeight + 1}},
		"sum above max":      {{Gateway: a, Weight: router.MaxWeight}, {Gateway: b, Weight: 1}},
		"two routes, MaxInt": {{Gateway: a, Weight: math.MaxInt / 2}, {Gateway: b, Weight: math.MaxInt/2 + 2}},
	} {
		_, err := router.New(routes)
		require.ErrorContains(t, err, "Weight", name)
	}
	r, err := router.New([]router.Route{{Gateway: a, Weight: router.MaxWeight - 1}, {Gateway: b, Weight: 1}})
	require.NoError(t, err)
	require.NotPanics(t, func() {
		_ = r.Plan(router.PayInRequest(inrPayIn("H-1")))
		_, _ = r.PayIn(context.Background(), inrPayIn("H-1"))
	})
}
