package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// BreakerSettings configure the circuit of each provider. They mean what the fields of the
// same names in gobreaker.Settings mean.
type BreakerSettings struct {
	// MaxRequests is how many requests a half-open circuit lets through, and how many of them
	// must succeed to close it again. Default 1.
	MaxRequests uint32
	// Interval is how often a closed circuit clears its counts; 0 never. Default 60 s.
	Interval time.Duration
	// Timeout is how long a circuit stays open before it lets a probe through (half-open).
	// Default 30 s.
	Timeout time.Duration
	// ReadyToTrip decides from the counts of a closed circuit, after a failure, whether it
	// opens. Default: 5 consecutive failures.
	ReadyToTrip func(gobreaker.Counts) bool
}

// DefaultBreaker is the circuit every provider gets unless WithBreaker says otherwise.
var DefaultBreaker = BreakerSettings{
	MaxRequests: 1,
	Interval:    60 * time.Second,
	Timeout:     30 * time.Second,
	ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 5 },
}

// ErrCircuitOpen is the cause of the *paygate.NotSentError a create meets at a provider whose
// circuit is open (or half-open with its probes in flight): the router skipped it before any I/O.
var ErrCircuitOpen = errors.New("router: circuit open")

// health is what a call tells the breaker.
type health int

const (
	healthy  health = iota // the provider answered
	sick                   // transport failure, 5xx, outcome unknown
	excluded               // says nothing about the provider (our validation, caller's context)
)

// breaker is one provider's circuit: gobreaker's state machine in two steps (allow before the
// call, done after it) so that nothing is locked during the call, with an injected clock, its
// state kept in a gobreaker.SharedState either in memory or in a gobreaker.SharedDataStore
// shared by replicas (under the same keys gobreaker's DistributedCircuitBreaker uses).
//
// A half-open circuit whose probes have not all reported within Timeout of its start lets a
// new round of probes through: a probe whose replica died (or lost the store) never reports,
// and the shared state would otherwise say "probe in flight" for good.
type breaker struct {
	name  string
	cfg   BreakerSettings
	now   func() time.Time
	store gobreaker.SharedDataStore // nil: local only
	log   *slog.Logger

	mu        sync.Mutex
	state     gobreaker.SharedState // the local state; with a store, the last one read
	storeDown time.Time             // until then the store is not asked (real time)

	// sharedMu orders this replica's shared steps, so that they meet at the store's lock one
	// at a time (other replicas' only): held by the step's goroutine, never by a caller.
	sharedMu sync.Mutex
	// pending counts the shared steps started and not finished; past maxPending a step is
	// taken on the local state, so that a store slower than the steps come cannot gather
	// goroutines without bound.
	pending atomic.Int32
}

// Store timings: how long a step waits for the shared lock, how long a caller waits for the
// whole of a shared step before deciding on the local state, and how long a store that failed
// or was slow is left alone before it is asked again. Real time: the store's lock expiry is
// real time too.
const (
	lockBudget    = 250 * time.Millisecond
	lockRetry     = 5 * time.Millisecond
	storeBudget   = 500 * time.Millisecond
	storeCooldown = 5 * time.Second
	maxPending    = 8
)

func newBreaker(name string, cfg BreakerSettings, now func() time.Time, store gobreaker.SharedDataStore, log *slog.Logger) *breaker {
	b := &breaker{name: name, cfg: cfg, now: now, store: store, log: log}
	b.state.State = gobreaker.StateClosed
	b.newGeneration(&b.state, now())
	return b
}

func (b *breaker) stateKey() string { return "gobreaker:state:" + b.name }
func (b *breaker) mutexKey() string { return "gobreaker:mutex:" + b.name }

// allowed is allow's answer: the generation to hand to done, or why the request may not go.
type allowed struct {
	gen     uint64
	refused error
}

// ticket is what allow hands done: the generation the request was let through in, and
// whether that was decided on this replica's state alone (the store left alone, behind, or
// not waited for). A local request's outcome goes to the local state only: the shared state
// never counted it (an allow not waited for is taken back there), and counting its outcome
// there would hide another replica's probe.
type ticket struct {
	gen   uint64
	local bool
}

// allow asks whether a request may go; it returns the ticket to hand to done.
func (b *breaker) allow(ctx context.Context) (ticket, error) {
	a, onShared := step(ctx, b, func(st *gobreaker.SharedState, now time.Time) allowed {
		b.current(st, now)
		switch {
		case st.State == gobreaker.StateOpen:
			return allowed{st.Generation, ErrCircuitOpen}
		case st.State == gobreaker.StateHalfOpen && counted(st.Counts) >= b.cfg.MaxRequests:
			return allowed{st.Generation, fmt.Errorf("%w: half-open, probe in flight", ErrCircuitOpen)}
		}
		st.Counts.Requests++
		return allowed{gen: st.Generation}
	}, func(a allowed) {
		// The caller went on without this answer: the request it counted is taken back (an
		// exclusion), or a half-open circuit would wait for a probe that reports elsewhere.
		// (The caller's done goes to its local state only.)
		if a.refused == nil {
			_, _ = shared(b, func(st *gobreaker.SharedState, now time.Time) struct{} {
				b.current(st, now)
				if st.Generation == a.gen && counted(st.Counts) > 0 {
					st.Counts.TotalExclusions++
				}
				return struct{}{}
			}, true)
		}
	})
	return ticket{gen: a.gen, local: !onShared}, a.refused
}

// counted is how many of a round's requests count towards MaxRequests: its requests less its
// exclusions, never below zero (unsigned, a difference below zero would wrap round and hold a
// half-open circuit shut).
func counted(c gobreaker.Counts) uint32 {
	if c.TotalExclusions >= c.Requests {
		return 0
	}
	return c.Requests - c.TotalExclusions
}

// done records how a request allowed with tk ended.
func (b *breaker) done(ctx context.Context, tk ticket, h health) {
	record := func(st *gobreaker.SharedState, now time.Time) struct{} {
		b.current(st, now)
		if st.Generation != tk.gen {
			return struct{}{}
		}
		c := &st.Counts
		switch h {
		case excluded:
			c.TotalExclusions++
		case healthy:
			c.TotalSuccesses++
			c.ConsecutiveSuccesses++
			c.ConsecutiveFailures = 0
			if st.State == gobreaker.StateHalfOpen && c.ConsecutiveSuccesses >= b.cfg.MaxRequests {
				b.setState(st, gobreaker.StateClosed, now)
			}
		case sick:
			c.TotalFailures++
			c.ConsecutiveFailures++
			c.ConsecutiveSuccesses = 0
			switch st.State {
			case gobreaker.StateClosed:
				if b.cfg.ReadyToTrip(*c) {
					b.setState(st, gobreaker.StateOpen, now)
				}
			case gobreaker.StateHalfOpen:
				b.setState(st, gobreaker.StateOpen, now)
			}
		}
		return struct{}{}
	}
	if tk.local {
		b.local(record)
		return
	}
	step(ctx, b, record, nil) // an outcome the caller did not wait for is recorded all the same
}

// State is the circuit's state now.
func (b *breaker) State(ctx context.Context) gobreaker.State {
	st, _ := step(ctx, b, func(st *gobreaker.SharedState, now time.Time) gobreaker.State {
		b.current(st, now)
		return st.State
	}, nil)
	return st
}

// local runs fn on this replica's state.
func (b *breaker) local(fn func(st *gobreaker.SharedState, now time.Time) struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn(&b.state, b.now())
}

// step runs fn on the circuit's state and returns what fn returns, and whether it ran on the
// shared state. Without a store, or while
// the store is left alone, fn runs on the local state. With one, fn runs on the shared state
// under the store's lock (loaded before, saved after), in a goroutine of its own: the store
// takes no context, so the caller waits for it until its context ends or storeBudget passes,
// and then decides on the local state instead (the circuit fails open to this replica's own
// view). The shared step then finishes apart; undo, when set, is given what it returned, to
// take back its effect on the shared state (the caller acted on another answer). A store
// that fails or is that slow is left alone for storeCooldown, with one Warn line; while
// maxPending shared steps are under way, a step is taken on the local state.
func step[T any](ctx context.Context, b *breaker, fn func(st *gobreaker.SharedState, now time.Time) T, undo func(T)) (v T, onShared bool) {
	local := func() (T, bool) {
		b.mu.Lock()
		defer b.mu.Unlock()
		return fn(&b.state, b.now()), false
	}
	if b.store == nil || b.resting() {
		return local()
	}
	if b.pending.Add(1) > maxPending { // the store is behind: this step is not queued for it
		b.pending.Add(-1)
		return local()
	}
	type result struct {
		v   T
		err error
	}
	const pending, taken, abandoned = 0, 1, 2
	var claim atomic.Int32 // whether the caller takes the shared step's answer
	res := make(chan result, 1)
	start := time.Now()
	go func() {
		defer b.pending.Add(-1)
		var r result
		r.v, r.err = shared(b, fn, false)
		if claim.CompareAndSwap(pending, taken) {
			res <- r
		} else if r.err == nil && undo != nil {
			undo(r.v)
		}
	}()
	budget := time.NewTimer(storeBudget)
	defer budget.Stop()
	select {
	case r := <-res:
		if r.err == nil {
			return r.v, true
		}
		return local()
	case <-budget.C:
	case <-ctx.Done():
	}
	if !claim.CompareAndSwap(pending, abandoned) { // answered just now
		if r := <-res; r.err == nil {
			return r.v, true
		}
		return local()
	}
	if waited := time.Since(start); waited >= lockBudget { // slow, whatever the caller's deadline
		b.rest(ctx, fmt.Errorf("no answer within %v", waited.Round(time.Millisecond)))
	}
	return local()
}

// shared runs fn on the shared state under the store's lock, and keeps the result as the
// local state. An unreadable shared state is replaced by the local one; a state that cannot
// be saved is logged. A store that fails or is slower than storeBudget is left alone (rest),
// whether or not a caller still waits; unless force, a step queued behind one that found it
// so does not ask it again (errResting).
func shared[T any](b *breaker, fn func(st *gobreaker.SharedState, now time.Time) T, force bool) (T, error) {
	var zero T
	ctx := context.Background() // for logging: the step outlives its caller's context
	b.sharedMu.Lock()
	defer b.sharedMu.Unlock()
	if !force && b.resting() {
		return zero, errResting
	}
	start := time.Now()
	defer func() {
		if took := time.Since(start); took > storeBudget {
			b.rest(ctx, fmt.Errorf("a step took %v", took.Round(time.Millisecond)))
		}
	}()
	if err := b.lock(); err != nil {
		b.rest(ctx, err)
		return zero, err
	}
	defer func() {
		if err := b.store.Unlock(b.mutexKey()); err != nil {
			b.log.LogAttrs(ctx, slog.LevelWarn, "router: breaker store unlock failed",
				slog.String("provider", b.name), slog.String("error", err.Error()))
		}
	}()
	b.mu.Lock()
	st := b.state
	b.mu.Unlock()
	data, err := b.store.GetData(b.stateKey())
	if err == nil && len(data) > 0 {
		var read gobreaker.SharedState
		if err = json.Unmarshal(data, &read); err == nil {
			st = read
		}
	}
	if err != nil {
		b.log.LogAttrs(ctx, slog.LevelWarn, "router: breaker state unreadable, using this replica's",
			slog.String("provider", b.name), slog.String("error", err.Error()))
	}
	v := fn(&st, b.now())
	b.mu.Lock()
	b.state = st
	b.mu.Unlock()
	data, err = json.Marshal(st)
	if err == nil {
		err = b.store.SetData(b.stateKey(), data)
	}
	if err != nil {
		b.log.LogAttrs(ctx, slog.LevelWarn, "router: breaker state not saved",
			slog.String("provider", b.name), slog.String("error", err.Error()))
	}
	return v, nil
}

// errResting is a shared step's error when it was queued behind one that found the store
// down or slow: the store is left alone meanwhile.
var errResting = errors.New("router: breaker store left alone after a failure")

// resting reports whether the store is being left alone after a failure.
func (b *breaker) resting() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return time.Now().Before(b.storeDown)
}

// rest leaves the store alone for storeCooldown after err; the first of a run logs it.
func (b *breaker) rest(ctx context.Context, err error) {
	b.mu.Lock()
	already := time.Now().Before(b.storeDown)
	b.storeDown = time.Now().Add(storeCooldown)
	b.mu.Unlock()
	if !already {
		b.log.LogAttrs(ctx, slog.LevelWarn, "router: breaker store unavailable, using this replica's circuit state for a while",
			slog.String("provider", b.name), slog.Duration("for", storeCooldown), slog.String("error", err.Error()))
	}
}

// lock takes the store's lock, retrying briefly while another replica holds it. The store's
// errors do not tell contention from failure, so the wait is bounded by lockBudget.
func (b *breaker) lock() error {
	deadline := time.Now().Add(lockBudget)
	for {
		err := b.store.Lock(b.mutexKey())
		if err == nil || !time.Now().Before(deadline) {
			return err
		}
		time.Sleep(lockRetry)
	}
}

// current moves st along the clock, as gobreaker's currentState does; and a half-open round
// whose probes have not all reported within Timeout starts again.
func (b *breaker) current(st *gobreaker.SharedState, now time.Time) {
	switch st.State {
	case gobreaker.StateClosed:
		if !st.Expiry.IsZero() && st.Expiry.Before(now) {
			b.newGeneration(st, now)
		}
	case gobreaker.StateOpen:
		if st.Expiry.Before(now) {
			b.setState(st, gobreaker.StateHalfOpen, now)
		}
	case gobreaker.StateHalfOpen:
		if st.Start.Add(b.cfg.Timeout).Before(now) {
			b.newGeneration(st, now)
		}
	}
}

func (b *breaker) setState(st *gobreaker.SharedState, to gobreaker.State, now time.Time) {
	if st.State == to {
		return
	}
	prev := st.State
	st.State = to
	b.newGeneration(st, now)
	level := slog.LevelWarn
	if to == gobreaker.StateClosed {
		level = slog.LevelInfo
	}
	b.log.LogAttrs(context.Background(), level, "router: circuit "+to.String(),
		slog.String("provider", b.name), slog.String("from", prev.String()))
}

func (b *breaker) newGeneration(st *gobreaker.SharedState, now time.Time) {
	st.Generation++
	st.Start = now
	st.Counts = gobreaker.Counts{}
	st.Buckets = nil
	st.Age = 0
	switch st.State {
	case gobreaker.StateClosed:
		if b.cfg.Interval == 0 {
			st.Expiry = time.Time{}
		} else {
			st.Expiry = now.Add(b.cfg.Interval)
		}
	case gobreaker.StateOpen:
		st.Expiry = now.Add(b.cfg.Timeout)
	default:
		st.Expiry = time.Time{}
	}
}
