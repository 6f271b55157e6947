package lease

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/paygate-go/paygate/internal/pause"
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
type Deduper struct {
	name  string // the package, starting every error
	store Store
	poll  time.Duration
	retry time.Duration
	holds Holds // keys held by callers in this process
}

// NewDeduper returns a Deduper over store with o's Poll and Retry. Its errors start with
// name ("redisstore").
func NewDeduper(name string, store Store, o Options) *Deduper {
	return &Deduper{name: name, store: store, poll: o.Poll, retry: o.Retry}
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
