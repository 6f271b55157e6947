package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/option"
)

// Name is the router's Gateway name.
const Name = "router"

// ErrNoRoute means no route takes the request (currency, amount, kind, flow, channel or predicate
// excluded every provider). Nothing was sent. It is returned wrapped with paygate.ErrUnsupported.
var ErrNoRoute = errors.New("router: no route takes this request")

// ErrOrderHeld means a create was not sent because the order number may already exist at
// another provider, the one the order index names: a create that may have reached a provider
// keeps the order there for good. It is returned inside a *paygate.NotSentError naming the
// cause (that provider's circuit is open, the index could not be written, ...). Query the
// order, or create it again once that provider is back.
var ErrOrderHeld = errors.New("router: the order is held by another provider")

// Router is one paygate.Gateway over several providers. It is safe for concurrent use.
type Router struct {
	routes   []*route
	gws      []paygate.Gateway // distinct, in the order of their first route
	byName   map[string]paygate.Gateway
	breakers map[string]*breaker
	store    Store
	log      *slog.Logger
	obs      paygate.Observer
	definite func(provider string, err error) bool
	max      int

	rmu sync.Mutex
	rnd *rand.Rand
}

var _ paygate.Gateway = (*Router)(nil)

type settings struct {
	store        Store
	breakerStore gobreaker.SharedDataStore
	breaker      BreakerSettings
	now          func() time.Time
	seed         *uint64
	max          int
	definite     func(string, error) bool
	log          *slog.Logger
	obs          paygate.Observer
}

// Option configures a Router.
type Option func(*settings)

// WithStore keeps the order index in s (default: a MemoryStore).
func WithStore(s Store) Option { return func(o *settings) { o.store = option.Interface(s) } }

// WithBreakerStore shares every provider's circuit state through s, so all replicas see a
// provider's circuit open at once. redisstore.BreakerStore implements it.
func WithBreakerStore(s gobreaker.SharedDataStore) Option {
	return func(o *settings) { o.breakerStore = option.Interface(s) }
}

// WithBreaker replaces DefaultBreaker; zero fields keep their defaults.
func WithBreaker(b BreakerSettings) Option { return func(o *settings) { o.breaker = b } }

// WithClock replaces time.Now for the circuits.
func WithClock(now func() time.Time) Option { return func(o *settings) { o.now = now } }

// WithSeed makes the volume split deterministic, for tests.
func WithSeed(seed uint64) Option { return func(o *settings) { o.seed = &seed } }

// WithMaxProviders calls at most n providers per create (default 3). Providers skipped for an
// open circuit are not counted: they cost no I/O.
func WithMaxProviders(n int) Option { return func(o *settings) { o.max = n } }

// WithDefiniteRefusal replaces DefaultDefiniteRefusal, which decides which provider refusals
// of a create allow a failover. It is only asked about a *paygate.ProviderError below HTTP 500
// that is not a duplicate-order refusal.
func WithDefiniteRefusal(f func(provider string, err error) bool) Option {
	return func(o *settings) { o.definite = f }
}

// WithLogger logs every routing decision through l (default: nothing is logged).
func WithLogger(l *slog.Logger) Option { return func(o *settings) { o.log = l } }

// WithObserver reports every routing decision to o.Route.
func WithObserver(obs paygate.Observer) Option {
	return func(o *settings) { o.obs = option.Interface(obs) }
}

// New builds a Router over routes, in the order given (which breaks ties of priority for
// routes of weight 0). Two routes may share a gateway; two different gateways may not share a
// name.
func New(routes []Route, opts ...Option) (*Router, error) {
	s := settings{breaker: DefaultBreaker, now: time.Now, max: 3, definite: DefaultDefiniteRefusal}
	option.Apply(&s, opts)
	if len(routes) == 0 {
		return nil, errors.New("router: no routes")
	}
	if s.max < 1 {
		return nil, fmt.Errorf("router: WithMaxProviders(%d): at least 1", s.max)
	}
	fillBreaker(&s.breaker)
	if s.store == nil {
		s.store = NewMemoryStore()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.obs == nil {
		s.obs = paygate.NopObserver{}
	}
	if s.definite == nil {
		s.definite = DefaultDefiniteRefusal
	}
	seed := rand.Uint64() //nolint:gosec // a volume split, not a secret
	if s.seed != nil {
		seed = *s.seed
	}
	r := &Router{byName: map[string]paygate.Gateway{}, breakers: map[string]*breaker{}, store: s.store,
		log: s.log, obs: s.obs, definite: s.definite, max: s.max, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} //nolint:gosec // a volume split, not a secret
	total := 0
	for _, rt := range routes {
		x, err := newRoute(rt)
		if err != nil {
			return nil, err
		}
		if total += x.Weight; total > MaxWeight {
			return nil, fmt.Errorf("router: route %s: Weight %d brings the routes' total to %d, above MaxWeight (%d)", x.name, x.Weight, total, MaxWeight)
		}
		if x.name == Name {
			return nil, errors.New("router: a router cannot be a route of another router's")
		}
		if prev, ok := r.byName[x.name]; ok {
			if prev != rt.Gateway {
				return nil, fmt.Errorf("router: two different gateways are named %q", x.name)
			}
		} else {
			r.byName[x.name] = rt.Gateway
			r.gws = append(r.gws, rt.Gateway)
			r.breakers[x.name] = newBreaker(circuitName(x.name, rt.Gateway), s.breaker, s.now, s.breakerStore, s.log)
		}
		r.routes = append(r.routes, x)
	}
	return r, nil
}

// circuitName names the circuit of gw, routed as provider: "paygate-router:" + the key of
// its limiter (paygate.LimiterKey: provider and merchant account), so that two accounts at one
// provider sharing a BreakerStore keep their circuits apart, as they keep their rate budgets.
func circuitName(provider string, gw paygate.Gateway) string {
	m, _ := gw.(interface{ MerchantID() string })
	if m == nil || m.MerchantID() == "" {
		return "paygate-router:" + provider
	}
	return "paygate-router:" + paygate.LimiterKey(provider, m.MerchantID())
}

func fillBreaker(b *BreakerSettings) {
	if b.MaxRequests == 0 {
		b.MaxRequests = DefaultBreaker.MaxRequests
	}
	if b.Interval == 0 {
		b.Interval = DefaultBreaker.Interval
	}
	if b.Timeout == 0 {
		b.Timeout = DefaultBreaker.Timeout
	}
	if b.ReadyToTrip == nil {
		b.ReadyToTrip = DefaultBreaker.ReadyToTrip
	}
}

// Name is "router".
func (r *Router) Name() string { return Name }

// Gateways returns every provider of the router once, in the order of their first route: mount
// their callbacks with webhook.NewMux(fn, r.Gateways()).
func (r *Router) Gateways() []paygate.Gateway { return slices.Clone(r.gws) }

// Capabilities is what some route can do. Currency and AmountStyle are set only when every
// route agrees. Balance and Callbacks are false: balances are per provider (Balances) and
// callbacks are mounted per provider (Gateways).
func (r *Router) Capabilities() paygate.Capabilities {
	var c paygate.Capabilities
	for i, rt := range r.routes {
		in := len(rt.Kinds) == 0 || slices.Contains(rt.Kinds, paygate.KindPayIn)
		out := len(rt.Kinds) == 0 || slices.Contains(rt.Kinds, paygate.KindPayOut)
		c.PayIn = c.PayIn || in && rt.caps.PayIn && rt.Flow != DirectOnly
		c.PayInDirect = c.PayInDirect || in && rt.caps.PayInDirect && rt.Flow != HostedOnly
		c.PayOut = c.PayOut || out && rt.caps.PayOut
		c.QueryPayIn = c.QueryPayIn || rt.caps.QueryPayIn
		c.QueryPayOut = c.QueryPayOut || rt.caps.QueryPayOut
		if i == 0 {
			c.Currency, c.AmountStyle = rt.currency, rt.caps.AmountStyle
			continue
		}
		if c.Currency != rt.currency {
			c.Currency = ""
		}
		if c.AmountStyle != rt.caps.AmountStyle {
			c.AmountStyle = 0
		}
	}
	return c
}

// Choice is one provider of a plan, with why it stands where it does.
type Choice struct {
	Provider string
	Reason   string // "weight", "priority" or "only" for the first; "fallback" for the others
}

// Plan returns the providers that may take req, in the order a create would try them, without
// any I/O and without looking at the circuits. Each call draws the volume split anew.
func (r *Router) Plan(req Request) []Choice {
	rts, reason := r.plan(req)
	out := make([]Choice, len(rts))
	for i, rt := range rts {
		out[i] = Choice{Provider: rt.name, Reason: "fallback"}
	}
	if len(out) > 0 {
		out[0].Reason = reason
	}
	return out
}

// plan orders the eligible routes: by priority, then within a priority by a weighted draw
// without replacement, then the routes of weight 0 in the order given. A provider appears once.
func (r *Router) plan(req Request) ([]*route, string) {
	var eligible []*route
	for _, rt := range r.routes {
		if ok, _ := rt.takes(req); ok {
			eligible = append(eligible, rt)
		}
	}
	slices.SortStableFunc(eligible, func(a, b *route) int { return a.Priority - b.Priority })
	reason := "priority"
	out := make([]*route, 0, len(eligible))
	seen := map[string]bool{}
	r.rmu.Lock()
	defer r.rmu.Unlock()
	for start := 0; start < len(eligible); {
		end := start
		for end < len(eligible) && eligible[end].Priority == eligible[start].Priority {
			end++
		}
		var weighted, rest []*route
		total := 0
		for _, rt := range eligible[start:end] {
			if seen[rt.name] {
				continue
			}
			if rt.Weight > 0 {
				weighted = append(weighted, rt)
				total += rt.Weight
			} else {
				rest = append(rest, rt)
			}
		}
		if start == 0 && len(weighted) > 1 {
			reason = "weight"
		}
		for len(weighted) > 0 {
			n := r.rnd.IntN(total)
			i := 0
			for ; n >= weighted[i].Weight; i++ {
				n -= weighted[i].Weight
			}
			rt := weighted[i]
			total -= rt.Weight
			weighted = slices.Delete(weighted, i, i+1)
			if !seen[rt.name] {
				seen[rt.name] = true
				out = append(out, rt)
			}
		}
		for _, rt := range rest {
			if !seen[rt.name] {
				seen[rt.name] = true
				out = append(out, rt)
			}
		}
		start = end
	}
	if len(out) == 1 {
		reason = "only"
	}
	return out, reason
}

// excluded explains, for the log, why no route takes req.
func (r *Router) excluded(req Request) string {
	var parts []string
	for _, rt := range r.routes {
		_, why := rt.takes(req)
		parts = append(parts, rt.name+":"+why)
	}
	return strings.Join(parts, ",")
}

// PayIn sends the pay-in to the first eligible provider, and to the next only when the order
// provably was not created (see the package documentation).
func (r *Router) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	return payIn.place(ctx, r, req)
}

// PayOut sends the pay-out to the first eligible provider, and to the next only when the order
// provably was not created (see the package documentation).
func (r *Router) PayOut(ctx context.Context, req *paygate.PayOutRequest) (*paygate.PayOutResult, error) {
	return payOut.place(ctx, r, req)
}

// order is what a pay-in and a pay-out differ in as the router creates them: the request and
// result types (Q and R), and how to reach the few fields the router reads or fills.
type order[Q, R any] struct {
	op        string                                                 // "payin" or "payout"
	rules     func(*Q) Request                                       // the rules' view of the request
	notifyURL func(*Q) *string                                       // the request's NotifyURL
	send      func(paygate.Gateway, context.Context, *Q) (*R, error) // the Gateway method
	provider  func(*R) *string                                       // the result's Provider
}

var (
	payIn = order[paygate.PayInRequest, paygate.PayInResult]{
		op: "payin", rules: PayInRequest, send: paygate.Gateway.PayIn,
		notifyURL: func(q *paygate.PayInRequest) *string { return &q.NotifyURL },
		provider:  func(res *paygate.PayInResult) *string { return &res.Provider },
	}
	payOut = order[paygate.PayOutRequest, paygate.PayOutResult]{
		op: "payout", rules: PayOutRequest, send: paygate.Gateway.PayOut,
		notifyURL: func(q *paygate.PayOutRequest) *string { return &q.NotifyURL },
		provider:  func(res *paygate.PayOutResult) *string { return &res.Provider },
	}
)

// place sends req through r.create: each provider gets req, or a copy of it carrying the
// route's NotifyURL when req has none. The result names the provider that answered when the
// gateway left that to the router.
func (o order[Q, R]) place(ctx context.Context, r *Router, req *Q) (*R, error) {
	if req == nil {
		return nil, &paygate.ValidationError{Provider: Name, Op: o.op, Field: "request", Reason: "nil"}
	}
	var res *R
	provider, err := r.create(ctx, o.op, o.rules(req), func(ctx context.Context, rt *route) error {
		q := req
		if *o.notifyURL(q) == "" && rt.NotifyURL != "" {
			c := *req
			*o.notifyURL(&c) = rt.NotifyURL
			q = &c
		}
		var err error
		res, err = o.send(rt.Gateway, ctx, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	if p := o.provider(res); *p == "" {
		*p = provider
	}
	return res, nil
}

// Attempt is one provider a create went to, or skipped, and why it moved on.
type Attempt struct {
	Provider string
	Reason   string // "not_sent", "circuit_open", "invalid", "unsupported", "refused_definite", ...
	Err      error
}

// RouteError is a create that went to more than one provider and failed: Err is the last
// provider's error (errors.Is and errors.As see it), Attempts every provider before it.
type RouteError struct {
	Op, OrderID string
	Attempts    []Attempt
	Err         error
}

// Error implements error.
func (e *RouteError) Error() string {
	var b strings.Builder
	b.WriteString("paygate: router " + e.Op + ": tried ")
	for i, a := range e.Attempts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Provider + " (" + a.Reason + ")")
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the last provider's error.
func (e *RouteError) Unwrap() error { return e.Err }

// create runs call at each planned provider until one takes the order or failing over is not
// provably safe. It returns the name of the provider whose answer is returned.
//
// An order the index already names goes to that provider only (resend). Otherwise each
// attempt first claims the order for its provider in the Store, and an attempt that provably
// created nothing moves the claim to the next; a create that created nothing anywhere removes
// its claim.
func (r *Router) create(ctx context.Context, op string, req Request, call func(context.Context, *route) error) (string, error) {
	if req.Amount.Currency() == "" {
		// An amount in no currency is the provider's: the routes' one currency, or nobody's.
		cur := r.Capabilities().Currency
		if cur == "" {
			return "", &paygate.ValidationError{Provider: Name, Op: op, Field: "Amount",
				Reason: "an amount in no currency, and this router's providers take more than one: give its currency"}
		}
		req.Amount = paygate.NewMoney(req.Amount.Decimal(), cur)
	}
	held, err := r.store.Provider(ctx, req.Kind, req.OrderID)
	if err != nil {
		r.decide(ctx, op, req.OrderID, "", "stopped", "index_unreadable", slog.String("error", err.Error()))
		return "", &paygate.NotSentError{Provider: Name, Op: op,
			Err: fmt.Errorf("router: order index unreadable, so where %s %s may already be is unknown; refusing the create: %w", op, req.OrderID, err)}
	}
	if held != "" {
		return r.resend(ctx, op, req, held, call)
	}
	plan, reason := r.plan(req)
	if len(plan) == 0 {
		r.decide(ctx, op, req.OrderID, "", "exhausted", "ineligible", slog.String("excluded", r.excluded(req)))
		return "", fmt.Errorf("%w: %s %s of %s: %w", ErrNoRoute, op, req.OrderID, req.Amount, paygate.ErrUnsupported)
	}
	var tried []Attempt
	var mine Claim // the record this create holds in the index
	called := 0
	var last error
	for _, rt := range plan {
		if called == r.max {
			r.decide(ctx, op, req.OrderID, rt.name, "exhausted", "max_providers")
			break
		}
		if err := ctx.Err(); err != nil {
			if last == nil {
				last = &paygate.NotSentError{Provider: rt.name, Op: op, Err: err}
			}
			break
		}
		b := r.breakers[rt.name]
		tk, err := b.allow(ctx)
		if err != nil {
			r.decide(ctx, op, req.OrderID, rt.name, "skipped", "circuit_open")
			last = &paygate.NotSentError{Provider: rt.name, Op: op, Err: err}
			tried = append(tried, Attempt{Provider: rt.name, Reason: "circuit_open", Err: last})
			continue
		}
		got, ours, err := r.claimFor(ctx, req, mine, rt.name)
		if err != nil {
			b.done(ctx, tk, excluded)
			r.decide(ctx, op, req.OrderID, rt.name, "stopped", "index_unwritable", slog.String("error", err.Error()))
			r.release(ctx, op, req, mine)
			return rt.name, wrapTried(op, req.OrderID, tried, &paygate.NotSentError{Provider: rt.name, Op: op,
				Err: fmt.Errorf("router: order index not written, so other replicas could not find %s %s; refusing the create: %w", op, req.OrderID, err)})
		}
		if !ours {
			b.done(ctx, tk, excluded)
			if mine.Provider == "" {
				// Another create of this order (another replica) claimed it first, for
				// another provider or for this one (its create may be in flight there, and
				// this one must not move the order away): it goes where that one went, and
				// only there.
				return r.resend(ctx, op, req, got.Provider, call)
			}
			// Another create of this order was sent to mine.Provider meanwhile (or moved the
			// claim): the order stays where that one went.
			r.decide(ctx, op, req.OrderID, rt.name, "stopped", "held", slog.String("held_by", got.Provider))
			return mine.Provider, wrapTried(op, req.OrderID, tried, r.heldErr(op, req, got.Provider, rt.name,
				errors.New("another create of the order claimed it concurrently")))
		}
		mine = got
		if len(tried) == 0 {
			r.decide(ctx, op, req.OrderID, rt.name, "chosen", reason)
		} else {
			r.decide(ctx, op, req.OrderID, rt.name, "failover", tried[len(tried)-1].Reason,
				slog.String("from", tried[len(tried)-1].Provider))
		}
		called++
		err = guarded(ctx, b, tk, func() error { return call(ctx, rt) })
		v := r.judge(ctx, rt.name, err)
		b.done(ctx, tk, v.health)
		if err == nil {
			return rt.name, nil
		}
		last = err
		if !v.failover {
			r.decide(ctx, op, req.OrderID, rt.name, "stopped", v.reason, slog.String("error", err.Error()))
			return rt.name, wrapTried(op, req.OrderID, tried, err)
		}
		tried = append(tried, Attempt{Provider: rt.name, Reason: v.reason, Err: err})
	}
	// Every attempt provably created nothing: the order belongs to no provider yet.
	r.release(ctx, op, req, mine)
	if len(tried) > 0 && len(tried) == len(plan) {
		r.decide(ctx, op, req.OrderID, tried[len(tried)-1].Provider, "exhausted", "no_more_routes")
	}
	if len(tried) > 0 {
		return tried[len(tried)-1].Provider, wrapTried(op, req.OrderID, tried[:len(tried)-1], last)
	}
	return "", last
}

// claimFor takes the order for provider in the index: a claim when this create holds none
// yet, else a move of its claim mine. ours reports that this create may send it there: a
// fresh claim (a claim that joined another create's record of the same provider is that
// create's), or a move from the record it held. got is the record as it stands.
func (r *Router) claimFor(ctx context.Context, req Request, mine Claim, provider string) (got Claim, ours bool, err error) {
	if mine.Provider == "" {
		got, fresh, err := r.store.ClaimProvider(ctx, req.Kind, req.OrderID, provider)
		return got, err == nil && fresh && got.Provider == provider, err
	}
	got, err = r.store.MoveProvider(ctx, req.Kind, req.OrderID, mine, provider)
	return got, err == nil && got.Provider == provider, err
}

// resend sends a create of an order the index says holder holds: to holder only, never
// elsewhere, whatever the rules, the volume split and the circuits say. The provider's own
// duplicate-order refusal answers an order it already has.
func (r *Router) resend(ctx context.Context, op string, req Request, holder string, call func(context.Context, *route) error) (string, error) {
	var rt *route
	for _, x := range r.routes {
		if x.name != holder {
			continue
		}
		if ok, _ := x.takes(req); ok {
			rt = x
			break
		}
		if rt == nil {
			rt = x // the provider's first route: its rules changed since, the provider decides
		}
	}
	if rt == nil {
		r.decide(ctx, op, req.OrderID, holder, "stopped", "held")
		return holder, r.heldErr(op, req, holder, holder, errors.New("no route has that provider"))
	}
	b := r.breakers[holder]
	tk, err := b.allow(ctx)
	if err != nil {
		r.decide(ctx, op, req.OrderID, holder, "stopped", "held_circuit_open")
		return holder, r.heldErr(op, req, holder, holder, err)
	}
	// Mark this attempt in the index, so that an attempt of this order elsewhere that is
	// still running cannot move the order away from holder once this one is sent.
	got, _, err := r.store.ClaimProvider(ctx, req.Kind, req.OrderID, holder)
	heldBy := holder
	switch {
	case err != nil:
		err = fmt.Errorf("router: order index not written: %w", err)
	case got.Provider != holder:
		heldBy = got.Provider
		err = fmt.Errorf("router: another create of the order moved it from %q concurrently", holder)
	}
	if err != nil {
		b.done(ctx, tk, excluded)
		r.decide(ctx, op, req.OrderID, holder, "stopped", "held", slog.String("held_by", heldBy))
		return heldBy, r.heldErr(op, req, heldBy, holder, err)
	}
	r.decide(ctx, op, req.OrderID, holder, "chosen", "held")
	err = guarded(ctx, b, tk, func() error { return call(ctx, rt) })
	v := r.judge(ctx, holder, err)
	b.done(ctx, tk, v.health)
	if err != nil {
		r.decide(ctx, op, req.OrderID, holder, "stopped", v.reason, slog.String("error", err.Error()))
	}
	return holder, err
}

// heldErr is the error of a create not sent to provider because the order may exist at holder.
func (r *Router) heldErr(op string, req Request, holder, provider string, cause error) error {
	return &paygate.NotSentError{Provider: provider, Op: op,
		Err: fmt.Errorf("%w: %s %s is held by %q, nothing was sent elsewhere: %w", ErrOrderHeld, op, req.OrderID, holder, cause)}
}

// release removes the claim c of a create that provably created nothing, unless another
// create of the order claimed it meanwhile.
func (r *Router) release(ctx context.Context, op string, req Request, c Claim) {
	if c.Provider == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := r.store.MoveProvider(ctx, req.Kind, req.OrderID, c, ""); err != nil {
		// The claim stays: a later create of this order goes to c.Provider only, which is safe.
		r.log.LogAttrs(ctx, slog.LevelWarn, "router: claim of an order sent nowhere not removed; its next create goes to the same provider",
			slog.String("op", op), slog.String("order_id", req.OrderID), slog.String("provider", c.Provider),
			slog.String("error", err.Error()))
	}
}

// guarded runs call; if it panics, the circuit records a failure (a half-open circuit would
// otherwise wait forever for its probe) and the panic goes on.
func guarded(ctx context.Context, b *breaker, tk ticket, call func() error) error {
	ok := false
	defer func() {
		if !ok {
			b.done(ctx, tk, sick)
		}
	}()
	err := call()
	ok = true
	return err
}

func wrapTried(op, orderID string, tried []Attempt, err error) error {
	if len(tried) == 0 {
		return err
	}
	return &RouteError{Op: op, OrderID: orderID, Attempts: slices.Clone(tried), Err: err}
}

// decide logs one routing decision and reports it to the observer.
func (r *Router) decide(ctx context.Context, op, orderID, provider, decision, reason string, attrs ...slog.Attr) {
	level := slog.LevelInfo
	switch decision {
	case "failover", "skipped", "exhausted":
		level = slog.LevelWarn
	case "stopped":
		if reason == "outcome_unknown" {
			level = slog.LevelWarn
		}
	}
	if r.log.Enabled(ctx, level) {
		a := append([]slog.Attr{slog.String("op", op), slog.String("order_id", orderID),
			slog.String("provider", provider), slog.String("decision", decision), slog.String("reason", reason)}, attrs...)
		r.log.LogAttrs(ctx, level, "router: "+decision, a...)
	}
	r.obs.Route(ctx, paygate.RouteEvent{Operation: op, Provider: provider, Decision: decision, Reason: reason})
}

// Query asks the provider that holds the order: QueryRequest.Provider when set (the router's
// own Name counts as unset: a tracker over the router sets it), else the one the order index
// names, else each provider that can query the kind, in route order, until one knows the order.
// Without a Kind, the index is asked under both and the provider under the kind found; an
// order the index does not know needs its Kind.
func (r *Router) Query(ctx context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
	if req == nil {
		return nil, &paygate.ValidationError{Provider: Name, Op: "query", Field: "request", Reason: "nil"}
	}
	if req.Provider == Name {
		// A tracker over the router names the router itself: the index names the provider.
		c := *req
		c.Provider = ""
		req = &c
	}
	provider, reason := req.Provider, "caller"
	if provider == "" && req.OrderID != "" {
		kinds := []paygate.Kind{req.Kind}
		if req.Kind == "" {
			kinds = []paygate.Kind{paygate.KindPayIn, paygate.KindPayOut}
		}
		for _, k := range kinds {
			p, err := r.store.Provider(ctx, k, req.OrderID)
			if err != nil {
				r.log.LogAttrs(ctx, slog.LevelWarn, "router: order index unreadable; searching the providers",
					slog.String("order_id", req.OrderID), slog.String("error", err.Error()))
				break
			}
			if p != "" {
				provider, reason = p, "index"
				if req.Kind == "" { // the provider needs the kind the index found it under
					c := *req
					c.Kind = k
					req = &c
				}
				break
			}
		}
	}
	if provider == "" && req.Kind == "" {
		return nil, &paygate.ValidationError{Provider: Name, Op: "query", Field: "Kind",
			Reason: "the order index does not know the order: give its Kind (payin or payout) to look for it"}
	}
	if provider != "" {
		gw, ok := r.byName[provider]
		if !ok {
			return nil, &paygate.ValidationError{Provider: Name, Op: "query", Field: "Provider",
				Reason: fmt.Sprintf("no route has provider %q", provider)}
		}
		r.decide(ctx, "query", req.OrderID, provider, "chosen", reason)
		return r.query(ctx, gw, req)
	}
	return r.search(ctx, req)
}

func (r *Router) query(ctx context.Context, gw paygate.Gateway, req *paygate.QueryRequest) (*paygate.Order, error) {
	o, err := gw.Query(ctx, req)
	if err != nil {
		return nil, err
	}
	if o.Provider == "" {
		o.Provider = gw.Name()
	}
	return o, nil
}

// search asks every provider that can query the kind until one knows the order. The order is
// not found (paygate.ErrOrderNotFound) only when every provider asked said so: one that failed
// otherwise (a 502, a refusal it does not classify) may hold it, and a tracker over the
// router would report an order it holds as not created.
func (r *Router) search(ctx context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
	var errs, notFound []error
	for _, gw := range r.gws {
		caps := gw.Capabilities()
		if req.Kind == paygate.KindPayIn && !caps.QueryPayIn || req.Kind == paygate.KindPayOut && !caps.QueryPayOut {
			continue
		}
		r.decide(ctx, "query", req.OrderID, gw.Name(), "chosen", "search")
		o, err := r.query(ctx, gw, req)
		if err == nil {
			if req.OrderID != "" && req.Kind != "" {
				if _, _, err := r.store.ClaimProvider(ctx, req.Kind, req.OrderID, gw.Name()); err != nil {
					r.log.LogAttrs(ctx, slog.LevelWarn, "router: order index not written",
						slog.String("order_id", req.OrderID), slog.String("error", err.Error()))
				}
			}
			return o, nil
		}
		if errors.Is(err, paygate.ErrOrderNotFound) {
			notFound = append(notFound, err)
		} else {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	switch {
	case len(errs) == 0 && len(notFound) == 0:
		return nil, fmt.Errorf("paygate: router query: no provider can query %q orders: %w", req.Kind, paygate.ErrUnsupported)
	case len(errs) == 0:
		return nil, fmt.Errorf("paygate: router query: no provider knows the order: %w", errors.Join(notFound...))
	}
	// The not-founds are told, not wrapped: the error must not match ErrOrderNotFound.
	for _, nf := range notFound {
		errs = append(errs, errors.New(nf.Error()))
	}
	return nil, fmt.Errorf("paygate: router query: no provider answered for the order: %w", errors.Join(errs...))
}

// Balance is not offered: a router's balance is per provider. It returns an error matching
// paygate.ErrUnsupported that says to call Balances.
func (r *Router) Balance(context.Context) (*paygate.Balance, error) {
	return nil, fmt.Errorf("paygate: router: balances are per provider, call Balances: %w", paygate.ErrUnsupported)
}

// Balances reads the balance of every provider that offers one, concurrently, keyed by
// provider name. Providers that failed are missing from the map and their errors joined.
func (r *Router) Balances(ctx context.Context) (map[string]*paygate.Balance, error) {
	type answer struct {
		name string
		b    *paygate.Balance
		err  error
	}
	ch := make(chan answer, len(r.gws))
	n := 0
	for _, gw := range r.gws {
		if !gw.Capabilities().Balance {
			continue
		}
		n++
		go func() {
			b, err := gw.Balance(ctx)
			ch <- answer{gw.Name(), b, err}
		}()
	}
	out := make(map[string]*paygate.Balance, n)
	var errs []error
	for range n {
		a := <-ch
		if a.err != nil {
			errs = append(errs, a.err)
			continue
		}
		out[a.name] = a.b
	}
	return out, errors.Join(errs...)
}

// ParseCallback is not offered: callbacks are verified per provider, with each provider's
// secret. Mount webhook.NewMux(fn, r.Gateways()). It returns an error matching
// paygate.ErrUnsupported.
func (r *Router) ParseCallback(http.Header, []byte) (*paygate.Callback, error) {
	return nil, fmt.Errorf("paygate: router: callbacks are per provider, mount webhook.NewMux over Gateways(): %w", paygate.ErrUnsupported)
}

// Holder returns the provider the order index records as holding the order of kind, or ""
// when it records none.
func (r *Router) Holder(ctx context.Context, kind paygate.Kind, orderID string) (string, error) {
	p, err := r.store.Provider(ctx, kind, orderID)
	if err != nil {
		return "", fmt.Errorf("router: order index: %w", err)
	}
	return p, nil
}

// CircuitState returns the state of provider's circuit now ("closed", "half-open", "open"),
// read from the shared store when there is one.
func (r *Router) CircuitState(ctx context.Context, provider string) (gobreaker.State, error) {
	b, ok := r.breakers[provider]
	if !ok {
		return 0, fmt.Errorf("router: no provider %q", provider)
	}
	return b.State(ctx), nil
}
