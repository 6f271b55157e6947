package lease

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/paygate-go/paygate/internal/pause"
	"github.com/paygate-go/paygate/webhook"
)

// Store is one store's single operations on a webhook key, as a Deduper calls them. The key
// is the caller's webhook key: the Store bounds or prefixes it as it needs.
type Store interface {
	// Claim tries once to claim key under token, for the lease: claimed when it now holds it
	// (or already did: a retry whose first answer was lost); done when the key is marked
	// handled; neither when another claim holds it, or it went away between two looks.
	Claim(ctx context.Context, key, token string) (claimed, done bool, err error)
	// Done marks key handled, for the done TTL, whoever holds it.
	Done(ctx context.Context, key string) error
	// Release deletes key's claim while it is still token's.
	Release(ctx context.Context, key, token string) error
	// Extend renews key's claim for the lease while it is still token's: held reports that
	// it was; false means the claim is gone or another's.
	Extend(ctx context.Context, key, token string) (held bool, err error)
	// Permanent reports an error the store answered with itself: retrying will not help.
	Permanent(err error) bool
}

// firstPoll is how long a claim of a key another replica holds first waits before it looks
// again; the wait doubles up to Options.Poll.
const firstPoll = 5 * time.Millisecond

// Deduper is the webhook.Deduper of redisstore and pgstore over their Store: the polling
// claim, the in-process holds that keep one owner token per key, and the bounded retry of
// Done and Release.
//
// The token is kept in the process, by key: webhook.Deduper's methods carry no token, and the
// webhook handler calls Claim, then Done or Release, for one key from one request. So that a
// key has one token per process, callers in one process that claim the same key wait for each
// other in the process before one of them asks the store.
//
// When the store does not answer, Claim returns the error, after trying to give up a claim
// whose answer was lost. Done and Release retry for Options.Retry. A Done that still fails
// tries to release the claim, so that the key is claimable again before its lease ends.
//
// A claim is kept while it is held: from Claim until Done or Release, its lease is renewed
// every third of the lease (Store.Extend), so that a merchant's function slower than the
// lease does not let another replica take the claim over and run it again, concurrently.
// The claim is lost when a renewal finds it gone or another's, or no renewal reached the
// store before the lease ended: the context Hold returned is then cancelled with
// webhook.ErrClaimLost; a function that then fails is answered 500 and the callback is not
// marked handled.
type Deduper struct {
	name  string // the package, starting every error
	store Store
	lease time.Duration
	poll  time.Duration
	retry time.Duration
	holds Holds // keys held by callers in this process

	mu       sync.Mutex
	renewals map[string]*renewal // the claims held by callers in this process, by key
	closed   bool                // Close ran: no claim is renewed any more
}

// renewal keeps one held claim's lease.
type renewal struct {
	stop  chan struct{}           // closed by Done, Release or Close
	halt  context.CancelFunc      // ends a renewal in flight (called with stop's closing)
	ended chan struct{}           // closed when the renewing goroutine has returned
	lost  context.Context         // cancelled, with cause webhook.ErrClaimLost, when the claim is lost
	lose  context.CancelCauseFunc // cancels lost
	once  sync.Once               // closes stop
}

// NewDeduper returns a Deduper over store with o's Lease, Poll and Retry. Its errors start
// with name ("redisstore").
func NewDeduper(name string, store Store, o Options) *Deduper {
	return &Deduper{name: name, store: store, lease: o.Lease, poll: o.Poll, retry: o.Retry}
}

// Claim implements webhook.Deduper: it holds key in the process, then claims it in the
// store, looking again while another replica holds it until it is marked, released or
// expires.
func (d *Deduper) Claim(ctx context.Context, key string) (bool, error) {
	h, err := d.holds.Acquire(ctx, key)
	if err != nil {
		return false, err
	}
	token := uuid.NewString()
	wait := firstPoll
	for {
		start := time.Now() // the lease starts no earlier than this
		claimed, done, err := d.store.Claim(ctx, key, token)
		if err != nil {
			// The claim may have been taken with its answer lost: give it up where the store
			// allows, so that the provider's next delivery need not wait for the lease. When
			// ctx ended, the caller is not kept waiting for that.
			d.holds.Release(key, h)
			if ctx.Err() != nil {
				go d.giveUp(ctx, key, token)
				return false, ctx.Err()
			}
			d.giveUp(ctx, key, token)
			return false, fmt.Errorf("%s: claim: %w", d.name, err)
		}
		switch {
		case claimed:
			d.holds.Claimed(h, token)
			d.keep(key, token, start)
			return true, nil
		case done:
			d.holds.Release(key, h)
			return false, nil
		}
		if err := pause.For(ctx, wait); err != nil {
			d.holds.Release(key, h)
			return false, err
		}
		wait = min(2*wait, d.poll)
	}
}

// Done implements webhook.Deduper: it marks key handled, retrying for a while, and ends this
// process's hold of it.
func (d *Deduper) Done(ctx context.Context, key string) error {
	h := d.holds.Owned(key)
	err := Retry(ctx, d.retry, func(ctx context.Context) error {
		return d.store.Done(ctx, key)
	}, d.store.Permanent)
	d.unkeep(key)
	if err != nil && h != nil {
		// Leave the key claimable rather than held until the lease ends, where possible.
		d.giveUp(ctx, key, h.Token())
	}
	if h != nil {
		d.holds.Release(key, h)
	}
	if err != nil {
		return fmt.Errorf("%s: done: %w", d.name, err)
	}
	return nil
}

// Release implements webhook.Deduper: it gives up this process's claim of key, retrying for
// a while.
func (d *Deduper) Release(ctx context.Context, key string) error {
	h := d.holds.Owned(key)
	if h == nil {
		return nil // not held by this process: nothing of ours to give up
	}
	d.unkeep(key)
	err := Retry(ctx, d.retry, func(ctx context.Context) error {
		return d.store.Release(ctx, key, h.Token())
	}, d.store.Permanent)
	d.holds.Release(key, h)
	if err != nil {
		return fmt.Errorf("%s: release: %w", d.name, err)
	}
	return nil
}

// giveUp releases key's claim if it is still token's, once, briefly, ignoring errors.
func (d *Deduper) giveUp(ctx context.Context, key, token string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_ = d.store.Release(ctx, key, token)
}

// Hold implements webhook.Holder: the returned context is ctx, cancelled with cause
// webhook.ErrClaimLost once this process's claim of key is lost. For a key no caller here
// holds, it is ctx's copy, never cancelled for a loss.
func (d *Deduper) Hold(ctx context.Context, key string) (context.Context, context.CancelFunc) {
	hctx, cancel := context.WithCancelCause(ctx)
	d.mu.Lock()
	r, closed := d.renewals[key], d.closed
	d.mu.Unlock()
	if r == nil {
		if closed && d.holds.Owned(key) != nil {
			// Held, but Close stopped the renewals: the claim is as good as lost.
			cancel(webhook.ErrClaimLost)
		}
		return hctx, func() { cancel(context.Canceled) }
	}
	stop := context.AfterFunc(r.lost, func() { cancel(context.Cause(r.lost)) })
	return hctx, func() { stop(); cancel(context.Canceled) }
}

// Close stops renewing the leases of the claims held in this process, as the process ending
// would, without giving them up: each is lost (its Hold context cancelled), and another
// replica may take it over once its lease ends. Done and Release still work, as for a claim
// whose lease ran out. Close does not close the store's client.
func (d *Deduper) Close() error {
	d.mu.Lock()
	rs := d.renewals
	d.renewals, d.closed = nil, true
	d.mu.Unlock()
	for _, r := range rs {
		r.end()
		r.lose(webhook.ErrClaimLost)
	}
	return nil
}

// keep starts renewing key's claim, taken under token no earlier than start.
func (d *Deduper) keep(key, token string, start time.Time) {
	r := &renewal{stop: make(chan struct{}), ended: make(chan struct{})}
	r.lost, r.lose = context.WithCancelCause(context.Background())
	rctx, halt := context.WithCancel(context.Background())
	r.halt = halt
	d.mu.Lock()
	if d.closed { // a claim that landed after Close: not renewed, as good as lost
		d.mu.Unlock()
		halt()
		close(r.ended)
		return
	}
	if d.renewals == nil {
		d.renewals = make(map[string]*renewal)
	}
	d.renewals[key] = r
	d.mu.Unlock()
	go d.renew(rctx, key, token, start, r)
}

// unkeep stops renewing key's claim and waits for the renewing goroutine to return.
func (d *Deduper) unkeep(key string) {
	d.mu.Lock()
	r := d.renewals[key]
	delete(d.renewals, key)
	d.mu.Unlock()
	if r != nil {
		r.end()
		r.lose(context.Canceled) // frees the context; the claim was not lost
	}
}

// renew extends the claim every third of the lease until r stops, or the claim is lost: a
// renewal finds it gone or another's, or none succeeded before the lease ended. A renewal
// that fails is tried again sooner, never past the lease's end.
func (d *Deduper) renew(rctx context.Context, key, token string, start time.Time, r *renewal) {
	defer close(r.ended)
	every := d.lease / 3
	expires := start.Add(d.lease)
	next := every
	t := time.NewTimer(next)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
		if !time.Now().Before(expires) {
			d.lost(r)
			return
		}
		sent := time.Now()
		ctx, cancel := context.WithDeadline(rctx, expires)
		held, err := d.store.Extend(ctx, key, token)
		cancel()
		switch {
		case err == nil && held:
			expires, next = sent.Add(d.lease), every
		case err == nil || d.store.Permanent(err):
			d.lost(r)
			return
		default:
			next = max(min(every/4, time.Until(expires)), 0)
		}
		t.Reset(next)
	}
}

// lost cancels r's context with webhook.ErrClaimLost, unless r was stopped meanwhile (Done
// or Release ended the claim: a renewal racing them finds it gone, which is no loss).
func (d *Deduper) lost(r *renewal) {
	select {
	case <-r.stop:
	default:
		r.lose(webhook.ErrClaimLost)
	}
}

// end stops the renewal, a renewal in flight included (a stalled store does not hold Done,
// Release or Close until the lease ends), and waits for its goroutine to return.
func (r *renewal) end() {
	r.once.Do(func() {
		close(r.stop)
		r.halt()
	})
	<-r.ended
}
