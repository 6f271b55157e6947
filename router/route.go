package router

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/paygate-go/paygate"
)

// Flow restricts a route to hosted or direct pay-ins. It has no effect on pay-outs.
type Flow int

// The flows a route may take.
const (
	AnyFlow    Flow = iota // hosted and direct, as the provider's Capabilities allow
	HostedOnly             // only PayInRequest.Direct == false
	DirectOnly             // only PayInRequest.Direct == true
)

// Route says when one provider may take a request, how much of the volume it gets among the
// eligible, and where it stands in the fallback order. The zero value of every rule field
// means "any".
type Route struct {
	// Gateway is the provider. Its Name must be unique among the gateways of a Router.
	Gateway paygate.Gateway
	// Kinds are the kinds of order the route takes; empty: pay-ins and pay-outs, as the
	// gateway's Capabilities allow.
	Kinds []paygate.Kind
	// Currency the route takes; empty: the gateway's Capabilities().Currency (and any
	// currency when that is empty too).
	Currency paygate.Currency
	// Min and Max bound the amount, inclusive; a zero Money is no bound. Their currency must
	// be the route's.
	Min, Max paygate.Money
	// Flow restricts pay-ins to hosted or direct.
	Flow Flow
	// Channels are the PayInRequest/PayOutRequest.Channel values the route takes; empty: any.
	// Channel codes are the provider's own, so a route that lists none forwards the caller's.
	Channels []string
	// When is any other rule: the route applies only where it returns true. nil: always.
	When func(Request) bool
	// Weight is the route's share of the volume among the eligible routes of the same
	// priority. Routes of weight 0 get no share: they are tried, in the order given, after the
	// weighted ones of their priority. The weights of a Router's routes add up to at most
	// MaxWeight.
	Weight int
	// Priority orders the fallback: every eligible route of a lower priority is tried before
	// any of a higher one.
	Priority int
	// NotifyURL is the callback address sent to this provider when the request has none:
	// callbacks are verified per provider, so each has its own address (webhook.Path).
	NotifyURL string
}

// Request is what the rules see of a create.
type Request struct {
	Kind    paygate.Kind
	OrderID string
	Amount  paygate.Money
	Channel string
	Direct  bool                   // pay-ins only
	PayIn   *paygate.PayInRequest  // set for pay-ins
	PayOut  *paygate.PayOutRequest // set for pay-outs
}

// PayInRequest is the rules' view of a pay-in.
func PayInRequest(req *paygate.PayInRequest) Request {
	return Request{Kind: paygate.KindPayIn, OrderID: req.OrderID, Amount: req.Amount,
		Channel: req.Channel, Direct: req.Direct, PayIn: req}
}

// PayOutRequest is the rules' view of a pay-out.
func PayOutRequest(req *paygate.PayOutRequest) Request {
	return Request{Kind: paygate.KindPayOut, OrderID: req.OrderID, Amount: req.Amount,
		Channel: req.Channel, PayOut: req}
}

// MaxWeight bounds the sum of the weights of a Router's routes (and so each weight): the
// volume split adds them up, and a share finer than one in a million is no share at all.
const MaxWeight = 1_000_000

// route is a validated Route with its provider's name and capabilities resolved.
type route struct {
	Route
	name     string
	caps     paygate.Capabilities
	currency paygate.Currency
}

func newRoute(r Route) (*route, error) {
	if r.Gateway == nil {
		return nil, fmt.Errorf("router: a route has no Gateway")
	}
	rt := &route{Route: r, name: r.Gateway.Name(), caps: r.Gateway.Capabilities()}
	if strings.ContainsFunc(rt.name, unicode.IsControl) {
		// The order index stores the name as text (Redis: "provider\nversion").
		return nil, fmt.Errorf("router: route %q: a provider name with a control character", rt.name)
	}
	rt.currency = cmp.Or(r.Currency, rt.caps.Currency)
	if r.Weight < 0 || r.Weight > MaxWeight {
		return nil, fmt.Errorf("router: route %s: Weight %d outside 0 to MaxWeight (%d)", rt.name, r.Weight, MaxWeight)
	}
	for _, k := range r.Kinds {
		if k != paygate.KindPayIn && k != paygate.KindPayOut {
			return nil, fmt.Errorf("router: route %s: unknown kind %q", rt.name, k)
		}
	}
	for _, bound := range []struct {
		name string
		m    paygate.Money
	}{{"Min", r.Min}, {"Max", r.Max}} {
		if bound.m.IsZero() {
			continue
		}
		if rt.currency != "" && bound.m.Currency() != rt.currency {
			return nil, fmt.Errorf("router: route %s: %s is in %s, the route takes %s", rt.name, bound.name, bound.m.Currency(), rt.currency)
		}
	}
	if !r.Min.IsZero() && !r.Max.IsZero() && r.Min.Decimal().GreaterThan(r.Max.Decimal()) {
		return nil, fmt.Errorf("router: route %s: Min %s above Max %s", rt.name, r.Min, r.Max)
	}
	return rt, nil
}

// takes reports whether the route may take req, or the rule that excludes it.
func (rt *route) takes(req Request) (bool, string) {
	if len(rt.Kinds) > 0 && !slices.Contains(rt.Kinds, req.Kind) {
		return false, "kind"
	}
	switch req.Kind {
	case paygate.KindPayIn:
		if req.Direct && (rt.Flow == HostedOnly || !rt.caps.PayInDirect) ||
			!req.Direct && (rt.Flow == DirectOnly || !rt.caps.PayIn) {
			return false, "flow"
		}
	case paygate.KindPayOut:
		if !rt.caps.PayOut {
			return false, "kind"
		}
	default:
		return false, "kind"
	}
	if rt.currency != "" && req.Amount.Currency() != rt.currency {
		return false, "currency"
	}
	amount := req.Amount.Decimal()
	if !rt.Min.IsZero() && amount.LessThan(rt.Min.Decimal()) || !rt.Max.IsZero() && amount.GreaterThan(rt.Max.Decimal()) {
		return false, "amount"
	}
	if len(rt.Channels) > 0 && !slices.Contains(rt.Channels, req.Channel) {
		return false, "channel"
	}
	if rt.When != nil && !rt.When(req) {
		return false, "predicate"
	}
	return true, ""
}
