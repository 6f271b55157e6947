package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/paygate-go/paygate/internal/pause"
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
type breaker struct {
	name  string
	cfg   BreakerSettings
	now   func() time.Time
	store gobreaker.SharedDataStore // nil: local only
	log   *slog.Logger

	mu        sync.Mutex
	state     gobreaker.SharedState // the local state; with a store, the last one read
	storeDown time.Time             // until then the store is not asked (real time)
}

// Store timings: how long update waits for the shared lock, and how long a store that failed
// is left alone before it is asked again. Real time: the store's lock expiry is real time too.
const (
	lockBudget    = 250 * time.Millisecond
	lockRetry     = 5 * time.Millisecond
	storeCooldown = 5 * time.Second
)

func newBreaker(name string, cfg BreakerSettings, now func() time.Time, store gobreaker.SharedDataStore, log *slog.Logger) *breaker {
	b := &breaker{name: name, cfg: cfg, now: now, store: store, log: log}
	b.state.State = gobreaker.StateClosed
	b.newGeneration(now())
	return b
}

func (b *breaker) stateKey() string { return "gobreaker:state:" + b.name }
func (b *breaker) mutexKey() string { return "gobreaker:mutex:" + b.name }

// allow asks whether a request may go; it returns the generation to hand to done.
func (b *breaker) allow(ctx context.Context) (uint64, error) {
	var gen uint64
	var refused error
	b.update(ctx, func(now time.Time) {
		b.current(now)
		gen = b.state.Generation
		switch {
		case b.state.State == gobreaker.StateOpen:
			refused = ErrCircuitOpen
		case b.state.State == gobreaker.StateHalfOpen &&
			b.state.Counts.Requests-b.state.Counts.TotalExclusions >= b.cfg.MaxRequests:
			refused = fmt.Errorf("%w: half-open, probe in flight", ErrCircuitOpen)
		default:
			b.state.Counts.Requests++
		}
	})
	return gen, refused
}

// done records how a request allowed in generation gen ended.
func (b *breaker) done(ctx context.Context, gen uint64, h health) {
	b.update(ctx, func(now time.Time) {
		b.current(now)
		if b.state.Generation != gen {
			return
		}
		c := &b.state.Counts
		switch h {
		case excluded:
			c.TotalExclusions++
		case healthy:
			c.TotalSuccesses++
			c.ConsecutiveSuccesses++
			c.ConsecutiveFailures = 0
			if b.state.State == gobreaker.StateHalfOpen && c.ConsecutiveSuccesses >= b.cfg.MaxRequests {
				b.setState(gobreaker.StateClosed, now)
			}
		case sick:
			c.TotalFailures++
			c.ConsecutiveFailures++
			c.ConsecutiveSuccesses = 0
			switch b.state.State {
			case gobreaker.StateClosed:
				if b.cfg.ReadyToTrip(*c) {
					b.setState(gobreaker.StateOpen, now)
				}
			case gobreaker.StateHalfOpen:
				b.setState(gobreaker.StateOpen, now)
			}
		}
	})
}

// State is the circuit's state now.
func (b *breaker) State(ctx context.Context) gobreaker.State {
	var st gobreaker.State
	b.update(ctx, func(now time.Time) {
		b.current(now)
		st = b.state.State
	})
	return st
}

// update runs fn on the state under the local mutex and, with a store, under the store's lock
// with the shared state loaded before and saved after. A store that fails is logged and the
// local state used instead: the circuit fails open to this replica's own view.
func (b *breaker) update(ctx context.Context, fn func(now time.Time)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.store == nil || time.Now().Before(b.storeDown) {
		fn(b.now())
		return
	}
	if err := b.lock(ctx); err != nil {
		if ctx.Err() == nil {
			b.storeDown = time.Now().Add(storeCooldown)
			b.log.LogAttrs(ctx, slog.LevelWarn, "router: breaker store unavailable, using this replica's circuit state for a while",
				slog.String("provider", b.name), slog.Duration("for", storeCooldown), slog.String("error", err.Error()))
		}
		fn(b.now())
		return
	}
	defer func() {
		if err := b.store.Unlock(b.mutexKey()); err != nil {
			b.log.LogAttrs(ctx, slog.LevelWarn, "router: breaker store unlock failed",
				slog.String("provider", b.name), slog.String("error", err.Error()))
		}
	}()
	data, err := b.store.GetData(b.stateKey())
	if err == nil && len(data) > 0 {
		var shared gobreaker.SharedState
		if err = json.Unmarshal(data, &shared); err == nil {
			b.state = shared
		}
	}
	if err != nil {
		b.log.LogAttrs(ctx, slog.LevelWarn, "router: breaker state unreadable, using this replica's",
			slog.String("provider", b.name), slog.String("error", err.Error()))
	}
	fn(b.now())
	data, err = json.Marshal(b.state)
	if err == nil {
		err = b.store.SetData(b.stateKey(), data)
	}
	if err != nil {
		b.log.LogAttrs(ctx, slog.LevelWarn, "router: breaker state not saved",
			slog.String("provider", b.name), slog.String("error", err.Error()))
	}
}

// lock takes the store's lock, retrying briefly while another replica holds it. The store's
// errors do not tell contention from failure, so the wait is bounded by lockBudget.
func (b *breaker) lock(ctx context.Context) error {
	deadline := time.Now().Add(lockBudget)
	for {
		err := b.store.Lock(b.mutexKey())
		if err == nil {
			return nil
		}
		if !time.Now().Before(deadline) {
			return err
		}
		if err := pause.For(ctx, lockRetry); err != nil {
			return err
		}
	}
}

// current moves the state along the clock, as gobreaker's currentState does.
func (b *breaker) current(now time.Time) {
	switch b.state.State {
	case gobreaker.StateClosed:
		if !b.state.Expiry.IsZero() && b.state.Expiry.Before(now) {
			b.newGeneration(now)
		}
	case gobreaker.StateOpen:
		if b.state.Expiry.Before(now) {
			b.setState(gobreaker.StateHalfOpen, now)
		}
	}
}

func (b *breaker) setState(st gobreaker.State, now time.Time) {
	if b.state.State == st {
		return
	}
	prev := b.state.State
	b.state.State = st
	b.newGeneration(now)
	level := slog.LevelWarn
	if st == gobreaker.StateClosed {
		level = slog.LevelInfo
	}
	b.log.LogAttrs(context.Background(), level, "router: circuit "+st.String(),
		slog.String("provider", b.name), slog.String("from", prev.String()))
}

func (b *breaker) newGeneration(now time.Time) {
	b.state.Generation++
	b.state.Start = now
	b.state.Counts = gobreaker.Counts{}
	b.state.Buckets = nil
	b.state.Age = 0
	switch b.state.State {
	case gobreaker.StateClosed:
		if b.cfg.Interval == 0 {
			b.state.Expiry = time.Time{}
		} else {
			b.state.Expiry = now.Add(b.cfg.Interval)
		}
	case gobreaker.StateOpen:
		b.state.Expiry = now.Add(b.cfg.Timeout)
	default:
		b.state.Expiry = time.Time{}
	}
}
