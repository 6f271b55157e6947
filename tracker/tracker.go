package tracker

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/named"
	"github.com/paygate-go/paygate/internal/option"
	"github.com/paygate-go/paygate/webhook"
)

// StatusNotCreated is the status of the event the tracker hands the merchant's function when
// a create whose outcome was unknown turned out not to have landed: the provider still said
// "not found" a whole Schedule.Window after it. It is not a failure (paygate.StatusFailed is
// the provider's verdict on an order it has) and Final reports false for it: no money moved,
// and the merchant decides what to do. Sending the create again under the same merchant order
// number is the safe retry: should the first one land after all, the provider refuses the
// second as a duplicate (paygate.ErrDuplicateOrder).
const StatusNotCreated paygate.Status = "not_created"

// RawGaveUp is the RawStatus of the StatusUnknown event the tracker hands the merchant's
// function when it gives up on an order: no final status by the end of the Schedule's
// Horizon. Giving up is never a failure; the order's fate is for a person to find out.
const RawGaveUp = "tracker:gave_up"

// Poll outcomes, as reported to an observer (paygate.PollEvent.Outcome) and logged.
const (
	OutcomeChanged    = "changed"     // a newer status, handed to fn
	OutcomeUnchanged  = "unchanged"   // the status fn already has
	OutcomeNotFound   = "not_found"   // the provider has no such order (yet): asked again later
	OutcomeError      = "error"       // the query, or fn, failed: tried again later
	OutcomeGaveUp     = "gave_up"     // the horizon passed without a final status
	OutcomeNotCreated = "not_created" // an outcome-unknown create did not land
	OutcomeRegression = "regression"  // the provider reported an earlier status: not applied
)

// Func is the merchant's function: the one webhook.NewMux takes, so that an order's changes
// are handled by one function whichever way they arrive.
type Func = func(ctx context.Context, provider string, cb *paygate.Callback) error

// Tracker polls the orders whose final status has not arrived. Build it with New, Track the
// orders, and Run it (on every replica, with a shared Store). It is safe for concurrent use.
type Tracker struct {
	gws   map[string]paygate.Gateway
	store Store
	fn    Func
	o     options

	mu      sync.Mutex
	closing map[string]*Item // orders whose closing event fn is handling: a Track meanwhile waits here
}

// Option configures a Tracker.
type Option func(*options)

type options struct {
	deduper     webhook.Deduper
	logger      *slog.Logger
	observer    paygate.Observer
	now         func() time.Time
	def         Schedule
	schedules   map[string]Schedule
	lease       time.Duration
	batch       int
	concurrency int
	interval    time.Duration
}

// Defaults of the options.
const (
	DefaultLease       = 2 * time.Minute // how long a claimed order is kept from other replicas
	DefaultBatch       = 100             // orders claimed at a time
	DefaultConcurrency = 8               // queries in flight per replica
	DefaultInterval    = time.Second     // Run's pause when nothing is due
)

// WithDeduper hands the events to fn through d, the Deduper the webhook handler uses
// (webhook.WithDeduper), under webhook.GatewayKey: an (order, status) reaches fn once,
// whichever of the callback and the poll brings it first. With a Deduper whose claims are
// leases (webhook.Holder: redisstore, pgstore), fn runs under the claim as the webhook's fn
// does: a lost claim cancels fn's context with webhook.ErrClaimLost; an fn that then fails is
// released, and the status comes again at a later poll. Without it the tracker never hands
// fn the same status twice, but fn may see a status both from the tracker and from the
// webhook.
func WithDeduper(d webhook.Deduper) Option {
	return func(o *options) { o.deduper = option.Interface(d) }
}

// WithLogger logs through l (default: discard): one line per poll at Debug, a failed query
// or store operation at Warn, a status regression at Warn.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithObserver reports each poll to ob (paygate.Observer.Poll). Without it nothing is spent
// on reporting.
func WithObserver(ob paygate.Observer) Option {
	return func(o *options) { o.observer = option.Interface(ob) }
}

// WithClock makes the tracker read the time from now (default time.Now): for tests. Run still
// pauses in real time (WithInterval).
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithSchedule sets the schedule of every provider not given its own by WithProviderSchedule.
func WithSchedule(s Schedule) Option { return func(o *options) { o.def = s } }

// WithProviderSchedule sets provider's schedule.
func WithProviderSchedule(provider string, s Schedule) Option {
	return func(o *options) { o.schedules[provider] = s }
}

// WithLease sets how long a claimed order is kept from the other replicas (default
// DefaultLease). A replica that dies holding orders loses them to the others when the lease
// ends; each order's query and fn must finish well within it (the tracker cancels them at
// three quarters of it).
func WithLease(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lease = d
		}
	}
}

// WithBatch sets how many due orders a replica claims at a time (default DefaultBatch).
func WithBatch(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.batch = n
		}
	}
}

// WithConcurrency sets how many queries a replica has in flight (default DefaultConcurrency).
// The gateway's limiter paces them further.
func WithConcurrency(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.concurrency = n
		}
	}
}

// WithInterval sets Run's pause when nothing more is due (default DefaultInterval).
func WithInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.interval = d
		}
	}
}

// New returns a Tracker that queries gateways (by Name), keeps its orders in store (nil: a
// memory store) and hands every status change to fn. It panics if fn or a gateway is nil or
// two gateways share a name: wiring mistakes, caught at start-up.
func New(gateways []paygate.Gateway, store Store, fn Func, opts ...Option) *Tracker {
	if fn == nil {
		panic("tracker: New with nil func")
	}
	gws := named.Gateways("tracker: New", gateways)
	if store == nil {
		store = NewMemoryStore()
	}
	o := options{
		now: time.Now, schedules: map[string]Schedule{}, lease: DefaultLease,
		batch: DefaultBatch, concurrency: DefaultConcurrency, interval: DefaultInterval,
	}
	option.Apply(&o, opts)
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	o.def = o.def.withDefaults()
	for p, s := range o.schedules {
		o.schedules[p] = s.withDefaults()
	}
	return &Tracker{gws: gws, store: store, fn: fn, o: o}
}

func (t *Tracker) schedule(provider string) Schedule {
	if s, ok := t.o.schedules[provider]; ok {
		return s
	}
	return t.o.def
}

// TrackOption describes an order given to Track.
type TrackOption func(*Item)

// OutcomeUnknown marks an order whose create ended in paygate.ErrOutcomeUnknown: until the
// provider shows it, "not found" may mean "not created", which is reported (StatusNotCreated)
// only once the provider's Schedule.Window has passed since the create.
func OutcomeUnknown() TrackOption { return func(it *Item) { it.OutcomeUnknown = true } }

// WithProviderOrderID gives the provider's order number, for providers that query by it.
func WithProviderOrderID(id string) TrackOption { return func(it *Item) { it.ProviderOrderID = id } }

// WithStatus gives the status the create answered (pending, processing), so that a query
// finding the same is not handed to fn again.
func WithStatus(st paygate.Status, raw string) TrackOption {
	return func(it *Item) { it.Status, it.RawStatus = st, raw }
}

// CreatedAt says when the create was sent (default: when Track is called). The horizon and
// the not-created window count from it.
func CreatedAt(at time.Time) TrackOption { return func(it *Item) { it.Created = at } }

// Track starts polling an order: after every create whose final status is yet to come, and
// especially after paygate.ErrOutcomeUnknown (with OutcomeUnknown). Tracking an order already
// tracked changes nothing. Track an order under one name: a router's (which then asks its
// index) or its provider's, not both; tracked under both, it is two trackings, each ending with
// its own closing event (StatusNotCreated, gave up). It returns an error, and tracks nothing, when provider is not one of
// the tracker's gateways, the gateway cannot query kind, orderID is empty, or the store fails.
func (t *Tracker) Track(ctx context.Context, provider string, kind paygate.Kind, orderID string, opts ...TrackOption) error {
	gw, ok := t.gws[provider]
	if !ok {
		return fmt.Errorf("tracker: no gateway named %q", provider)
	}
	caps := gw.Capabilities()
	switch {
	case kind == paygate.KindPayIn && caps.QueryPayIn, kind == paygate.KindPayOut && caps.QueryPayOut:
	case kind != paygate.KindPayIn && kind != paygate.KindPayOut:
		return fmt.Errorf("tracker: unknown kind %q", kind)
	default:
		return fmt.Errorf("tracker: %s cannot query a %s: %w", provider, kind, paygate.ErrUnsupported)
	}
	if orderID == "" {
		return errors.New("tracker: empty order ID")
	}
	it := Item{Provider: provider, Kind: kind, OrderID: orderID}
	option.Apply(&it, opts)
	if it.Status.Final() {
		return nil // nothing to wait for
	}
	now := t.o.now()
	if it.Created.IsZero() {
		it.Created = now
	}
	it.Episode = rand.Text()
	it.Due = t.schedule(provider).next(&it, now)
	t.mu.Lock()
	if _, ok := t.closing[closingKey(&it)]; ok {
		// fn is handling this order's closing event (not created, gave up) and tracks it
		// again, say after sending the create again: the order is stored again once the
		// closed episode is removed.
		t.closing[closingKey(&it)] = &it
		t.mu.Unlock()
		return nil
	}
	t.mu.Unlock()
	if err := t.store.Add(ctx, it); err != nil {
		return fmt.Errorf("tracker: track %s %s %q: %w", provider, kind, orderID, err)
	}
	return nil
}

// Forget stops polling an order. A verified final callback does it through Final. An order
// tracked through a gateway over several providers (a router: Track with its name) is
// forgotten too when provider is one of them: the webhook names the provider, not the router.
func (t *Tracker) Forget(ctx context.Context, provider string, kind paygate.Kind, orderID string) error {
	for _, name := range t.trackedAs(ctx, provider, kind, orderID) {
		if err := t.store.Remove(ctx, name, kind, orderID); err != nil {
			return fmt.Errorf("tracker: forget %s %s %q: %w", name, kind, orderID, err)
		}
	}
	return nil
}

// trackedAs is every name the order, held by provider, may be tracked under: provider, and
// each gateway over several providers (Gateways) among them whose order index records it at
// provider or nowhere (router.Router.Holder): an order the router moved to another provider
// stays tracked, whatever the first provider says of its own attempt. An index that cannot
// be read keeps it tracked too: the next poll finds its status.
func (t *Tracker) trackedAs(ctx context.Context, provider string, kind paygate.Kind, orderID string) []string {
	names := []string{provider}
	for name, gw := range t.gws {
		r, ok := gw.(interface{ Gateways() []paygate.Gateway })
		if !ok || name == provider || !slices.ContainsFunc(r.Gateways(), func(g paygate.Gateway) bool { return g.Name() == provider }) {
			continue
		}
		if h, ok := gw.(interface {
			Holder(ctx context.Context, kind paygate.Kind, orderID string) (string, error)
		}); ok {
			if holder, err := h.Holder(ctx, kind, orderID); err != nil || (holder != "" && holder != provider) {
				continue
			}
		}
		names = append(names, name)
	}
	return names
}

// finalTimeout bounds Final's store call, which runs before the webhook's Ack.
const finalTimeout = 2 * time.Second

// Final stops polling cb's order when cb's status is final. It fits webhook.WithFinal, which
// calls it once the merchant's function has handled a verified callback:
//
//	mux := webhook.NewMux(fn, gws, webhook.WithDeduper(d), webhook.WithFinal(tr.Final))
//
// A store error is logged, not returned: the callback is handled, and the next poll finds
// the final status and, through the shared Deduper, ends the tracking without calling fn.
func (t *Tracker) Final(ctx context.Context, provider string, cb *paygate.Callback) {
	if cb == nil || !cb.Status.Final() || cb.OrderID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalTimeout)
	defer cancel()
	if err := t.Forget(ctx, provider, cb.Kind, cb.OrderID); err != nil {
		t.o.logger.LogAttrs(ctx, slog.LevelWarn, "paygate tracker: forget after final callback failed",
			slog.String("provider", provider), slog.String("kind", string(cb.Kind)),
			slog.String("order_id", cb.OrderID), slog.String("error", err.Error()))
	}
}

// Run polls due orders until ctx ends, then returns nil once every query it started has
// finished. A store error is logged at Warn and retried after the interval. Run it on every
// replica; the store's leases keep each order with one replica at a time.
func (t *Tracker) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		n, err := t.PollDue(ctx)
		if err != nil && ctx.Err() == nil {
			t.o.logger.LogAttrs(ctx, slog.LevelWarn, "paygate tracker: claiming due orders failed",
				slog.String("error", err.Error()))
		}
		wait := t.o.interval
		if err == nil && n >= t.o.batch {
			wait = 0 // more may be due
		}
		timer.Reset(wait)
	}
}

// PollDue claims the orders due now (at most the batch size), queries each, hands changes to
// fn, and reschedules or forgets them; it returns how many it claimed, once all are done. Run
// calls it in a loop; a merchant may call it from a scheduler of its own instead.
func (t *Tracker) PollDue(ctx context.Context) (int, error) {
	items, err := t.store.Claim(ctx, t.o.now(), t.o.lease, t.o.batch)
	if err != nil {
		return 0, fmt.Errorf("tracker: claim: %w", err)
	}
	if len(items) == 0 {
		return 0, nil
	}
	workers := min(t.o.concurrency, len(items))
	if workers == 1 {
		for i := range items {
			t.poll(ctx, &items[i])
		}
		return len(items), nil
	}
	next := make(chan *Item)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for it := range next {
				t.poll(ctx, it)
			}
		})
	}
	for i := range items {
		next <- &items[i]
	}
	close(next)
	wg.Wait()
	return len(items), nil
}

// Event tells the merchant's function why the tracker called it; EventFrom reads it from the
// function's context. Callbacks the tracker builds also have a zero Ack, which a provider's
// verified callback never has.
type Event struct {
	Outcome string // OutcomeChanged, OutcomeNotCreated or OutcomeGaveUp
	Reason  string // for OutcomeNotCreated and OutcomeGaveUp: why, in words
	Polls   int    // queries made for the order, this one included
}

type eventKey struct{}

// EventFrom returns the Event of a call the tracker made to the merchant's function, and
// false for calls that did not come from a tracker (a webhook's).
func EventFrom(ctx context.Context) (Event, bool) {
	e, ok := ctx.Value(eventKey{}).(Event)
	return e, ok
}

// rank orders the statuses a provider may go through; a status may only move to a higher
// rank, except that reversed may follow succeeded alone among the final ones.
func rank(s paygate.Status) int {
	switch s {
	case "":
		return 0
	case paygate.StatusPending:
		return 1
	case paygate.StatusProcessing:
		return 2
	case paygate.StatusSucceeded, paygate.StatusFailed, paygate.StatusCancelled:
		return 3
	case paygate.StatusReversed:
		return 4
	}
	return -1
}

// forward reports whether an order may move from one status to another.
func forward(from, to paygate.Status) bool {
	if from.Final() {
		return from == paygate.StatusSucceeded && to == paygate.StatusReversed
	}
	return rank(to) > rank(from)
}

// poll queries one claimed order and settles it: reschedule, or remove once final.
func (t *Tracker) poll(parent context.Context, it *Item) {
	ctx, cancel := context.WithTimeout(parent, t.o.lease*3/4)
	defer cancel()
	sched := t.schedule(it.Provider)
	gw, ok := t.gws[it.Provider]
	if !ok {
		// Another replica tracks a provider this one does not know: leave it to them.
		t.log(ctx, slog.LevelWarn, it, "no gateway for this provider", nil)
		it.Due = t.o.now().Add(sched.Every)
		t.reschedule(ctx, it)
		return
	}
	start := time.Now()
	o, err := gw.Query(ctx, &paygate.QueryRequest{Kind: it.Kind, OrderID: it.OrderID, ProviderOrderID: it.ProviderOrderID, Provider: it.Provider})
	elapsed := time.Since(start)
	now := t.o.now()
	it.Polls++
	if err == nil {
		err = identity(it, o)
	}
	// Over a router, the provider that holds the order answered: its schedule (its window
	// for "not created") applies, and fn and the Deduper are told its name, as the webhook
	// tells them.
	kg := keyGateway(gw, answeredBy(o, err))
	if kg != gw {
		sched = t.schedule(kg.Name())
	}
	var outcome string
	switch {
	case parent.Err() != nil && err != nil:
		// Shutting down: give the order back as it was, untouched, for any replica to take.
		// (A query cut short by the lease deadline is an error like any other.)
		it.Polls--
		t.release(ctx, it)
		return
	case errors.Is(err, paygate.ErrOrderNotFound) && it.OutcomeUnknown && now.Sub(it.Created) >= sched.Window:
		outcome = OutcomeNotCreated
		reason := fmt.Sprintf("the provider has no such order %s after the create", now.Sub(it.Created).Round(time.Second))
		t.observe(ctx, it, outcome, elapsed)
		cb := &paygate.Callback{Kind: it.Kind, OrderID: it.OrderID, Status: StatusNotCreated, Raw: rawEvent(outcome, reason)}
		t.finish(ctx, it, kg.Name(), cb, Event{Outcome: outcome, Reason: reason, Polls: it.Polls}, sched)
		return
	case errors.Is(err, paygate.ErrOrderNotFound):
		outcome = OutcomeNotFound
	case err != nil:
		outcome = OutcomeError
		t.log(ctx, slog.LevelWarn, it, "query failed, will retry", err)
	default:
		it.OutcomeUnknown = false // it exists
		if o.ProviderOrderID != "" {
			it.ProviderOrderID = o.ProviderOrderID
		}
		switch st := o.Status; {
		case st == it.Status || st == paygate.StatusUnknown || st == "":
			outcome = OutcomeUnchanged
		case forward(it.Status, st):
			outcome = OutcomeChanged
			if it.Undelivered {
				// The status fn has not had yet goes first, as the provider reported it;
				// the newer one follows once it is handed over.
				late := callbackFrom(it, o)
				late.Status, late.RawStatus = it.Status, it.RawStatus
				if !t.handOver(ctx, it, kg, late, elapsed, now, sched) {
					return
				}
			}
			it.Status, it.RawStatus, it.Undelivered = st, o.RawStatus, true
		default:
			outcome = OutcomeRegression
			t.o.logger.LogAttrs(ctx, slog.LevelWarn, "paygate tracker: provider reported an earlier status, not applied",
				slog.String("provider", it.Provider), slog.String("kind", string(it.Kind)),
				slog.String("order_id", it.OrderID), slog.String("status", string(it.Status)),
				slog.String("reported", string(st)), slog.String("raw_status", o.RawStatus))
		}
		if it.Undelivered && o.Status == it.Status {
			if !t.handOver(ctx, it, kg, callbackFrom(it, o), elapsed, now, sched) {
				return
			}
			outcome = OutcomeChanged
		}
	}
	if it.Undelivered && !now.Before(it.Created.Add(sched.Horizon)) {
		// Before giving up, the status found and not yet taken goes to fn, as the provider
		// reported it (this query may have failed): giving up never skips it. While fn
		// fails, the order stays, polled a Schedule.First apart.
		cb := &paygate.Callback{Kind: it.Kind, OrderID: it.OrderID, ProviderOrderID: it.ProviderOrderID,
			Status: it.Status, RawStatus: it.RawStatus}
		if !t.handOver(ctx, it, kg, cb, elapsed, now, sched) {
			return
		}
	}
	done := it.Status.Final() && !it.Undelivered
	giveUp := !done && !now.Before(it.Created.Add(sched.Horizon))
	if giveUp {
		outcome = OutcomeGaveUp // this query was the last
	}
	t.observe(ctx, it, outcome, elapsed)
	if t.o.logger.Enabled(ctx, slog.LevelDebug) {
		t.o.logger.LogAttrs(ctx, slog.LevelDebug, "paygate tracker poll",
			slog.String("provider", it.Provider), slog.String("kind", string(it.Kind)),
			slog.String("order_id", it.OrderID), slog.String("outcome", outcome),
			slog.String("status", string(it.Status)), slog.Int("polls", it.Polls))
	}
	switch {
	case done:
		t.remove(ctx, it)
		return
	case giveUp:
		reason := fmt.Sprintf("no final status %s after the order was created (%d queries; last status %q)",
			sched.Horizon, it.Polls, it.Status)
		t.log(ctx, slog.LevelWarn, it, "gave up: "+reason, nil)
		cb := &paygate.Callback{Kind: it.Kind, OrderID: it.OrderID, ProviderOrderID: it.ProviderOrderID,
			Status: paygate.StatusUnknown, RawStatus: RawGaveUp, Raw: rawEvent(OutcomeGaveUp, reason)}
		t.finish(ctx, it, kg.Name(), cb, Event{Outcome: OutcomeGaveUp, Reason: reason, Polls: it.Polls}, sched)
		return
	}
	it.Due = sched.next(it, now)
	t.reschedule(ctx, it)
}

// handOver hands the order's undelivered status, as cb, to fn under kg's webhook.GatewayKey
// and reports whether fn took it. When fn fails, the order keeps that status, undelivered,
// and is polled again a Schedule.First later: no newer status is applied before it is handed
// over.
func (t *Tracker) handOver(ctx context.Context, it *Item, kg paygate.Gateway, cb *paygate.Callback, elapsed time.Duration, now time.Time, sched Schedule) bool {
	if err := t.deliver(ctx, kg.Name(), webhook.GatewayKey(kg, cb), cb, Event{Outcome: OutcomeChanged, Polls: it.Polls}); err != nil {
		t.log(ctx, slog.LevelWarn, it, "handing the status to fn failed, will retry", err)
		t.observe(ctx, it, OutcomeError, elapsed)
		it.Due = now.Add(sched.First)
		t.reschedule(ctx, it)
		return false
	}
	it.Undelivered = false
	return true
}

// keyGateway is the gateway whose callbacks the webhook keys as the order's: gw itself, or,
// for a gateway over several providers (a router: Gateways), the one that answered, so that a
// status found by polling and the same status delivered to that provider's webhook share
// one webhook.GatewayKey (provider and merchant account).
func keyGateway(gw paygate.Gateway, provider string) paygate.Gateway {
	if r, ok := gw.(interface{ Gateways() []paygate.Gateway }); ok && provider != "" && provider != gw.Name() {
		for _, g := range r.Gateways() {
			if g.Name() == provider {
				return g
			}
		}
	}
	return gw
}

// answeredBy is the provider a query's answer comes from, as the order or the error names it
// (a router's are its providers'), or "" when neither does. An error joining several
// answers (a router searching every provider for an order its index does not know) names
// none: the first provider asked need not be the one that made the order.
func answeredBy(o *paygate.Order, err error) string {
	if o != nil {
		return o.Provider
	}
	provider, one := "", true
	var walk func(error) // by hand: errors.As would take a join's first refusal
	walk = func(err error) {
		switch e := err.(type) { //nolint:errorlint // walked by hand, joins included
		case nil:
		case *paygate.ProviderError:
			if provider != "" && provider != e.Provider {
				one = false
			}
			provider = e.Provider
		case interface{ Unwrap() []error }:
			one = false // several answers (a search): none is the order's holder for sure
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	if !one {
		return ""
	}
	return provider
}

// identity refuses an answer about another order.
func identity(it *Item, o *paygate.Order) error {
	switch {
	case o == nil:
		return errors.New("query returned no order and no error")
	case o.OrderID != "" && o.OrderID != it.OrderID:
		return fmt.Errorf("query answered for order %q", o.OrderID)
	case o.Kind != "" && o.Kind != it.Kind:
		return fmt.Errorf("query answered for a %s", o.Kind)
	case it.ProviderOrderID != "" && o.ProviderOrderID != "" && o.ProviderOrderID != it.ProviderOrderID:
		return fmt.Errorf("query answered for provider order %q", o.ProviderOrderID)
	}
	return nil
}

// finish hands a closing event (not created, gave up) to fn, told provider, under the
// episode's Deduper key, and removes the order; if fn fails, the order is polled again later
// and the event comes again.
//
// A Track of the same order from inside fn (the create sent again) is kept aside while fn
// runs, and stored once this episode is removed: the removal does not undo it.
func (t *Tracker) finish(ctx context.Context, it *Item, provider string, cb *paygate.Callback, ev Event, sched Schedule) {
	key := closingKey(it)
	t.mu.Lock()
	if t.closing == nil {
		t.closing = map[string]*Item{}
	}
	t.closing[key] = nil
	t.mu.Unlock()
	err := t.deliver(ctx, provider, episodeKey(it, ev.Outcome), cb, ev)
	t.mu.Lock()
	again := t.closing[key]
	delete(t.closing, key)
	t.mu.Unlock()
	if err != nil {
		// The order stays tracked in this episode: a Track meanwhile has nothing to add.
		t.log(ctx, slog.LevelWarn, it, "handing the "+ev.Outcome+" event to fn failed, will retry", err)
		it.Due = t.o.now().Add(sched.First)
		t.reschedule(ctx, it)
		return
	}
	t.remove(ctx, it)
	if again != nil {
		if err := t.store.Add(context.WithoutCancel(ctx), *again); err != nil {
			t.log(ctx, slog.LevelError, again, "tracking the order again failed", err)
		}
	}
}

// closingKey names an order among those whose closing event fn is handling.
func closingKey(it *Item) string {
	return it.Provider + "|" + string(it.Kind) + "|" + it.OrderID
}

// callbackFrom builds the callback fn is handed from a query's answer.
func callbackFrom(it *Item, o *paygate.Order) *paygate.Callback {
	cb := &paygate.Callback{
		Kind: it.Kind, OrderID: it.OrderID, ProviderOrderID: o.ProviderOrderID,
		Status: o.Status, RawStatus: o.RawStatus,
		Fee: o.Fee, UTR: o.UTR, CompletedAt: o.CompletedAt, Raw: o.Raw,
	}
	asked := *o
	asked.Kind = it.Kind
	cb.Amount = asked.CallbackAmount()
	if cb.ProviderOrderID == "" {
		cb.ProviderOrderID = it.ProviderOrderID
	}
	return cb
}

// rawEvent is the Raw of a callback the tracker made up: no provider said it.
func rawEvent(outcome, reason string) json.RawMessage {
	b, _ := json.Marshal(struct {
		Source  string `json:"source"`
		Outcome string `json:"outcome"`
		Reason  string `json:"reason"`
	}{"tracker", outcome, reason})
	return b
}

// episodeKey is the Deduper key of an event the tracker makes up (not created, gave up):
// provider, kind, "tracker:" + the outcome @ the tracking episode, and the order number last,
// as in webhook.Key. Each episode's event reaches fn once (a poll repeated after a lost store
// write finds it handled), and an order tracked again has events of its own. No callback has
// such a key, while the statuses found by a query keep webhook.GatewayKey, shared with the webhook.
func episodeKey(it *Item, outcome string) string {
	ep := it.Episode
	if ep == "" { // an item stored before episodes were named
		ep = strconv.FormatInt(it.Created.UnixNano(), 36)
	}
	return it.Provider + "|" + string(it.Kind) + "|tracker:" + outcome + "@" + ep + "|" + it.OrderID
}

// deliver hands cb to fn through the Deduper under key (none when key is empty): an event
// the webhook (or another replica) already handled is not handed again, and counts as
// delivered.
func (t *Tracker) deliver(ctx context.Context, provider, key string, cb *paygate.Callback, ev Event) error {
	run := func(ctx context.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("tracker: fn panicked: %v", p)
				t.o.logger.LogAttrs(ctx, slog.LevelError, "paygate tracker: fn panicked",
					slog.String("provider", provider), slog.String("order_id", cb.OrderID), slog.Any("panic", p))
			}
		}()
		return t.fn(context.WithValue(ctx, eventKey{}, ev), provider, cb)
	}
	d := t.o.deduper
	if d == nil || key == "" {
		return run(ctx)
	}
	// Under the webhook's rule (webhook.RunOnce): with a Deduper whose claims are leases, a
	// lost claim cancels fn's context; an fn that then fails is released, one that returns
	// nil did the work and is marked.
	ran, markErr, err := webhook.RunOnce(ctx, d, key, run)
	if markErr != nil {
		t.o.logger.LogAttrs(ctx, slog.LevelWarn, "paygate tracker: dedupe mark failed",
			slog.String("provider", provider), slog.String("order_id", cb.OrderID), slog.String("error", markErr.Error()))
	}
	if !ran && err != nil {
		return fmt.Errorf("dedupe: %w", err)
	}
	return err
}

// reschedule writes it back with its new Due; a lost lease means another replica has it now.
func (t *Tracker) reschedule(ctx context.Context, it *Item) {
	sctx, cancel := storeCtx(ctx)
	defer cancel()
	if err := t.store.Reschedule(sctx, *it); err != nil {
		level := slog.LevelWarn
		if errors.Is(err, ErrLeaseLost) {
			level = slog.LevelInfo
		}
		t.log(ctx, level, it, "reschedule failed; the order is polled again when its lease ends", err)
	}
}

// release gives a claimed order back unchanged, due as it was, for any replica to take.
func (t *Tracker) release(ctx context.Context, it *Item) {
	t.reschedule(ctx, it)
}

func (t *Tracker) remove(ctx context.Context, it *Item) {
	sctx, cancel := storeCtx(ctx)
	defer cancel()
	if err := t.store.Remove(sctx, it.Provider, it.Kind, it.OrderID); err != nil {
		t.log(ctx, slog.LevelWarn, it, "remove failed; the order is polled again when its lease ends", err)
	}
}

// storeCtx outlives the poll's own context (shutdown, lease deadline) for the store write
// that settles the poll, bounded on its own.
func storeCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}

func (t *Tracker) observe(ctx context.Context, it *Item, outcome string, d time.Duration) {
	if ob := t.o.observer; ob != nil {
		ob.Poll(ctx, paygate.PollEvent{Provider: it.Provider, Kind: it.Kind, Outcome: outcome, Duration: d})
	}
}

func (t *Tracker) log(ctx context.Context, level slog.Level, it *Item, msg string, err error) {
	l := t.o.logger
	if !l.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("provider", it.Provider), slog.String("kind", string(it.Kind)),
		slog.String("order_id", it.OrderID), slog.Int("polls", it.Polls),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, level, "paygate tracker: "+msg, attrs...)
}
