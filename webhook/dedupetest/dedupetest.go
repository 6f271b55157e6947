// Package dedupetest checks that an implementation of [webhook.Deduper] honours the
// contract the webhook handler relies on, as testing/fstest checks an fs.FS: a merchant
// with a Deduper of its own runs [Run] in its tests; paygate runs it against the memory,
// Redis (redisstore) and PostgreSQL (pgstore) implementations.
//
// The suite knows no implementation. It asks for a fresh, empty store per subtest and for
// "replicas" on it: Dedupers that share the store's records, each as one process of a
// merchant's backend would hold it (its own connection, its own claims). An in-process
// implementation returns the same Deduper for every replica.
package dedupetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/option"
	"github.com/paygate-go/paygate/webhook"
)

// Config is what the suite asks of the store under test for one subtest.
type Config struct {
	// Lease is how long a claim holds before another replica may take it over. The suite
	// uses a short one (a second) in the tests of takeover and a long one elsewhere. An
	// implementation without leases ignores it (see WithoutLease).
	Lease time.Duration
	// DoneTTL is how long a handled key is remembered. The suite uses a short one in the
	// test of expiry and a long one elsewhere.
	DoneTTL time.Duration
}

// Open makes a fresh, empty store for one subtest, configured by cfg, and returns a
// function making replicas on it. Each call of replica returns a Deduper sharing the
// store's records with the others; the suite calls it a few times per subtest. Open
// registers its own cleanup with t.
type Open func(t *testing.T, cfg Config) (replica func() webhook.Deduper)

// Option adapts the suite to an implementation's documented limits.
type Option func(*settings)

type settings struct {
	noLease bool
	noTTL   bool
	noWait  bool
	wait    time.Duration
}

// WithoutLease skips the tests of lease takeover, for an implementation that keeps its
// claims in the process holding them (webhook.NewMemoryDeduper): a claim there ends only by
// Done or Release, or with the process.
//
// The tests of lease takeover need a replica to die holding a claim: the suite ends a
// replica's renewals by its Close method (io.Closer; redisstore's and pgstore's Dedupers
// have one), and skips them for a replica without one.
func WithoutLease() Option { return func(s *settings) { s.noLease = true } }

// WithoutTTL skips the test that a handled key is forgotten after Config.DoneTTL.
func WithoutTTL() Option { return func(s *settings) { s.noTTL = true } }

// WithoutWaiting accepts an error from a Claim of a key another caller holds, in place of
// waiting for that caller's Done or Release, as webhook.Deduper's contract allows.
func WithoutWaiting() Option { return func(s *settings) { s.noWait = true } }

// WithPatience sets how long the suite lets an operation that should finish take before it
// fails the test (default 10 s): raise it for a store on a slow network.
func WithPatience(d time.Duration) Option { return func(s *settings) { s.wait = d } }

// Short and long settings the suite passes in Config.
const (
	shortLease = time.Second
	shortTTL   = time.Second
	long       = time.Hour
)

// Run runs the conformance suite as subtests of t.
func Run(t *testing.T, open Open, opts ...Option) {
	s := settings{wait: 10 * time.Second}
	option.Apply(&s, opts)
	longCfg := Config{Lease: long, DoneTTL: long}
	tests := []struct {
		name  string
		cfg   Config
		skip  string
		check func(t *testing.T, s *settings, replica func() webhook.Deduper)
	}{
		{name: "ClaimThenDone", cfg: longCfg, check: claimThenDone},
		{name: "ClaimThenRelease", cfg: longCfg, check: claimThenRelease},
		{name: "KeysIndependent", cfg: longCfg, check: keysIndependent},
		{name: "OddKeys", cfg: longCfg, check: oddKeys},
		{name: "DoneWithoutClaim", cfg: longCfg, check: doneWithoutClaim},
		{name: "DoneTwice", cfg: longCfg, check: doneTwice},
		{name: "ReleaseWithoutClaim", cfg: longCfg, check: releaseWithoutClaim},
		{name: "DoneByAnotherReplica", cfg: longCfg, check: doneByAnother},
		{name: "ReleaseAfterDoneKeepsMark", cfg: longCfg, check: releaseAfterDone},
		{name: "WaitingClaimHonoursContext", cfg: longCfg, check: waitHonoursContext},
		{name: "CancelledContext", cfg: longCfg, check: cancelledContext},
		{name: "WaiterSeesDone", cfg: longCfg, skip: when(s.noWait, "WithoutWaiting"), check: waiterSeesDone},
		{name: "WaiterClaimsAfterRelease", cfg: longCfg, skip: when(s.noWait, "WithoutWaiting"), check: waiterClaimsAfterRelease},
		{name: "ConcurrentClaimsCallOnce", cfg: longCfg, check: concurrentOnce},
		{name: "ConcurrentClaimsWithFailures", cfg: longCfg, check: concurrentWithFailures},
		{name: "HeldPastLease", cfg: Config{Lease: shortLease, DoneTTL: long}, check: heldPastLease},
		{name: "LeaseTakeover", cfg: Config{Lease: shortLease, DoneTTL: long}, skip: when(s.noLease, "WithoutLease"), check: leaseTakeover},
		{name: "ReleaseByFormerOwner", cfg: Config{Lease: shortLease, DoneTTL: long}, skip: when(s.noLease, "WithoutLease"), check: releaseByFormerOwner},
		{name: "DoneByFormerOwner", cfg: Config{Lease: shortLease, DoneTTL: long}, skip: when(s.noLease, "WithoutLease"), check: doneByFormerOwner},
		{name: "DoneTTL", cfg: Config{Lease: long, DoneTTL: shortTTL}, skip: when(s.noTTL, "WithoutTTL"), check: doneTTL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skipf("skipped by dedupetest.%s", tc.skip)
			}
			replica := open(t, tc.cfg)
			tc.check(t, &s, func() webhook.Deduper {
				d := replica()
				if c, ok := d.(io.Closer); ok {
					t.Cleanup(func() { _ = c.Close() }) // ends the renewals of claims a test left held
				}
				return d
			})
		})
	}
}

func when(b bool, opt string) string {
	if b {
		return opt
	}
	return ""
}

// key returns a key of the shape webhook.Key produces, unique to the test.
func key(t *testing.T, n int) string {
	return fmt.Sprintf("dedupetest|payin|succeeded|p:%s-%d", t.Name(), n)
}

// claimOK claims k on d and requires no error.
func claimOK(t *testing.T, d webhook.Deduper, k string) bool {
	t.Helper()
	ok, err := d.Claim(t.Context(), k)
	require.NoError(t, err, "Claim(%q)", k)
	return ok
}

// claimed returns a replica that has claimed the test's key, and the key.
func claimed(t *testing.T, replica func() webhook.Deduper) (webhook.Deduper, string) {
	t.Helper()
	d := replica()
	k := key(t, 0)
	require.True(t, claimOK(t, d, k), "a new key is claimed")
	return d, k
}

// result of a Claim run in the background.
type result struct {
	ok  bool
	err error
}

// claimAsync claims k on d in a goroutine; the channel receives its result.
func claimAsync(ctx context.Context, d webhook.Deduper, k string) <-chan result {
	ch := make(chan result, 1)
	go func() {
		ok, err := d.Claim(ctx, k)
		ch <- result{ok, err}
	}()
	return ch
}

// pending requires that ch has no result for a little while: the claim is waiting.
func pending(t *testing.T, ch <-chan result, why string) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("%s: Claim returned (%v, %v) while another caller holds the key", why, r.ok, r.err)
	case <-time.After(150 * time.Millisecond):
	}
}

func receive(t *testing.T, s *settings, ch <-chan result, why string) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(s.wait):
		t.Fatalf("%s: Claim did not return within %v", why, s.wait)
		return result{}
	}
}

func claimThenDone(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	d, k := claimed(t, replica)
	require.NoError(t, d.Done(t.Context(), k))
	require.False(t, claimOK(t, d, k), "a handled key is not claimed again")
	require.False(t, claimOK(t, replica(), k), "nor by another replica")
}

func claimThenRelease(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	d, k := claimed(t, replica)
	require.NoError(t, d.Release(t.Context(), k))
	require.True(t, claimOK(t, d, k), "a released key is claimed again")
	require.NoError(t, d.Release(t.Context(), k))
	other := replica()
	require.True(t, claimOK(t, other, k), "by any replica")
	require.NoError(t, other.Done(t.Context(), k))
	require.False(t, claimOK(t, d, k))
}

func keysIndependent(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	d := replica()
	a, b := key(t, 1), key(t, 2)
	require.True(t, claimOK(t, d, a))
	require.True(t, claimOK(t, d, b), "holding one key does not hold another")
	require.NoError(t, d.Done(t.Context(), a))
	require.NoError(t, d.Release(t.Context(), b))
	require.True(t, claimOK(t, d, b), "handling one key does not mark another")
	require.NoError(t, d.Done(t.Context(), b))
	require.False(t, claimOK(t, d, a))
}

// oddKeys: the separators, quotes and long order IDs webhook.Key can produce. Keys sharing a
// long prefix stay distinct, however the implementation shortens them.
func oddKeys(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	d := replica()
	long := strings.Repeat("x", 5000)
	keys := []string{
		`cashgit|payin|unknown"HOLD"|p:a|b|c`,
		"cashgit|payin|succeeded|m:订单-42 ünïcode",
		"cashgit|payin|succeeded|m:with space and 'quote' and %s and \\",
		"cashgit|payin|succeeded|p:" + long + "1",
		"cashgit|payin|succeeded|p:" + long + "2",
		"x",
		"cashgit|payin|succeeded|m:nul\x00byte",
		"cashgit|payin|succeeded|m:invalid utf-8 \xff\xfe",
	}
	for _, k := range keys {
		require.True(t, claimOK(t, d, k), "key of %d bytes", len(k))
	}
	for _, k := range keys[:len(keys)/2] {
		require.NoError(t, d.Done(t.Context(), k))
	}
	for _, k := range keys[len(keys)/2:] {
		require.NoError(t, d.Release(t.Context(), k))
	}
	for i, k := range keys {
		require.Equal(t, i >= len(keys)/2, claimOK(t, d, k), "key of %d bytes", len(k))
	}
}

func doneWithoutClaim(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	d := replica()
	k := key(t, 0)
	require.NoError(t, d.Done(t.Context(), k), "Done of a key not held")
	require.False(t, claimOK(t, d, k), "marks it handled")
	require.False(t, claimOK(t, replica(), k))
}

func doneTwice(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	d, k := claimed(t, replica)
	require.NoError(t, d.Done(t.Context(), k))
	require.NoError(t, d.Done(t.Context(), k), "Done again")
	require.False(t, claimOK(t, d, k))
}

func releaseWithoutClaim(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	d := replica()
	k := key(t, 0)
	require.NoError(t, d.Release(t.Context(), k), "Release of a key not held")
	require.True(t, claimOK(t, d, k), "leaves it claimable")
	require.NoError(t, d.Done(t.Context(), k))
}

// doneByAnother: a replica that did not claim the key marks it handled (the callback was
// handled, a fact the store must keep); the holder's waiters then see it handled.
func doneByAnother(t *testing.T, s *settings, replica func() webhook.Deduper) {
	a, b, c := replica(), replica(), replica()
	k := key(t, 0)
	require.True(t, claimOK(t, a, k))
	require.NoError(t, b.Done(t.Context(), k), "Done by a replica not holding the key")
	ctx, cancel := context.WithTimeout(t.Context(), s.wait)
	defer cancel()
	ok, err := c.Claim(ctx, k)
	require.NoError(t, err)
	require.False(t, ok, "the key is handled")
	require.NoError(t, a.Release(t.Context(), k), "the former holder's Release")
	require.False(t, claimOK(t, c, k), "does not undo the mark")
}

func releaseAfterDone(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	a, b := replica(), replica()
	k := key(t, 0)
	require.NoError(t, a.Done(t.Context(), k))
	require.NoError(t, b.Release(t.Context(), k))
	require.NoError(t, a.Release(t.Context(), k))
	require.False(t, claimOK(t, b, k), "Release never unmarks a handled key")
}

// waitHonoursContext: a Claim of a key another caller holds ends with an error when its
// context does, promptly, and without taking the key.
func waitHonoursContext(t *testing.T, s *settings, replica func() webhook.Deduper) {
	sameAndOtherReplica(t, replica, func(t *testing.T, a, b webhook.Deduper) {
		k := key(t, 0)
		require.True(t, claimOK(t, a, k))
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		ok, err := b.Claim(ctx, k)
		took := time.Since(start)
		require.Error(t, err, "a Claim of a held key whose context ends")
		require.False(t, ok)
		if !s.noWait {
			require.ErrorIs(t, err, context.DeadlineExceeded, "the context's error")
		}
		require.Less(t, took, 200*time.Millisecond+s.wait/2, "returns promptly once the context ends")
		// The holder is unaffected and can still finish.
		require.NoError(t, a.Done(t.Context(), k))
		require.False(t, claimOK(t, b, k))
	})
}

// cancelledContext: a Claim with an ended context does not take a free key and hold it.
func cancelledContext(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	d := replica()
	k := key(t, 0)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ok, err := d.Claim(ctx, k)
	if err == nil && ok {
		// Taking a free key despite the ended context is allowed; it must be held properly.
		require.NoError(t, d.Release(t.Context(), k))
	}
	other := replica()
	require.True(t, claimOK(t, other, k), "the key is free afterwards")
	require.NoError(t, other.Release(t.Context(), k))
}

func waiterSeesDone(t *testing.T, s *settings, replica func() webhook.Deduper) {
	sameAndOtherReplica(t, replica, func(t *testing.T, a, b webhook.Deduper) {
		r := waitFor(t, s, a, b, key(t, 0), a.Done, "after Done")
		require.NoError(t, r.err)
		require.False(t, r.ok, "the waiter sees the key handled")
	})
}

func waiterClaimsAfterRelease(t *testing.T, s *settings, replica func() webhook.Deduper) {
	sameAndOtherReplica(t, replica, func(t *testing.T, a, b webhook.Deduper) {
		k := key(t, 0)
		r := waitFor(t, s, a, b, k, a.Release, "after Release")
		require.NoError(t, r.err)
		require.True(t, r.ok, "the waiter takes the released key")
		pending(t, claimAsync(t.Context(), a, k), "the waiter now holds it")
		require.NoError(t, b.Done(t.Context(), k))
	})
}

// sameAndOtherReplica runs check as two subtests: with the holder a and the other caller b
// one replica, then two.
func sameAndOtherReplica(t *testing.T, replica func() webhook.Deduper, check func(t *testing.T, a, b webhook.Deduper)) {
	for _, same := range []bool{true, false} {
		t.Run(map[bool]string{true: "SameReplica", false: "OtherReplica"}[same], func(t *testing.T) {
			a := replica()
			b := a
			if !same {
				b = replica()
			}
			check(t, a, b)
		})
	}
}

// waitFor claims k on a, requires that b's Claim of k waits, ends a's claim with end (a's
// Done or Release) and returns the result of b's Claim.
func waitFor(t *testing.T, s *settings, a, b webhook.Deduper, k string, end func(context.Context, string) error, why string) result {
	t.Helper()
	require.True(t, claimOK(t, a, k))
	ch := claimAsync(t.Context(), b, k)
	pending(t, ch, "while the first caller holds the key")
	require.NoError(t, end(t.Context(), k))
	return receive(t, s, ch, why)
}

// deliver does what the webhook handler does with one delivery: claim, call fn, then Done
// or Release. It reports whether fn ran and whether the delivery was answered (true) or
// must be delivered again (false: a failed claim or fn).
func deliver(ctx context.Context, d webhook.Deduper, k string, fn func() error) (ran, answered bool, err error) {
	ok, err := d.Claim(ctx, k)
	if err != nil {
		return false, false, err
	}
	if !ok {
		return false, true, nil
	}
	if ferr := fn(); ferr != nil {
		return true, false, d.Release(context.WithoutCancel(ctx), k)
	}
	return true, true, d.Done(context.WithoutCancel(ctx), k)
}

// concurrentOnce: many concurrent deliveries of a few keys through several replicas call
// fn exactly once per key, and every delivery is answered.
func concurrentOnce(t *testing.T, s *settings, replica func() webhook.Deduper) {
	const replicas, keys, copies = 3, 5, 8
	ds := make([]webhook.Deduper, replicas)
	for i := range ds {
		ds[i] = replica()
	}
	var calls [keys]atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, keys*copies)
	ctx, cancel := context.WithTimeout(t.Context(), s.wait)
	defer cancel()
	for i := range keys * copies {
		wg.Go(func() {
			n := i % keys
			for {
				_, answered, err := deliver(ctx, ds[i%replicas], key(t, n), func() error {
					calls[n].Add(1)
					time.Sleep(20 * time.Millisecond)
					return nil
				})
				if answered || ctx.Err() != nil {
					if err != nil {
						errs <- err
					}
					return
				}
				// Unanswered (a Claim error of an implementation that does not wait): the
				// provider delivers again.
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, ctx.Err(), "every delivery answered in time")
	for n := range calls {
		require.Equal(t, int64(1), calls[n].Load(), "fn calls for key %d", n)
	}
}

// concurrentWithFailures: fn fails the first two times for each key; concurrent deliveries
// that keep being redelivered until answered call fn exactly three times per key, and never
// two at once.
func concurrentWithFailures(t *testing.T, s *settings, replica func() webhook.Deduper) {
	const replicas, keys, copies, failures = 2, 4, 6, 2
	ds := make([]webhook.Deduper, replicas)
	for i := range ds {
		ds[i] = replica()
	}
	var calls, running [keys]atomic.Int64
	var overlap atomic.Bool
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(t.Context(), s.wait)
	defer cancel()
	for i := range keys * copies {
		wg.Go(func() {
			n := i % keys
			for ctx.Err() == nil {
				_, answered, _ := deliver(ctx, ds[i%replicas], key(t, n), func() error {
					if running[n].Add(1) > 1 {
						overlap.Store(true)
					}
					defer running[n].Add(-1)
					time.Sleep(5 * time.Millisecond)
					if calls[n].Add(1) <= failures {
						return errors.New("merchant's function failed")
					}
					return nil
				})
				if answered {
					return
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, ctx.Err(), "every delivery answered in time")
	require.False(t, overlap.Load(), "fn ran twice at once for one key")
	for n := range calls {
		require.Equal(t, int64(failures+1), calls[n].Load(), "fn calls for key %d", n)
	}
}

// heldPastLease: a claim held longer than the lease (a merchant's function slower than it)
// is not taken by another caller: the holder keeps it until Done or Release. A Holder's
// context stays alive meanwhile.
func heldPastLease(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	a, b := replica(), replica()
	k := key(t, 0)
	require.True(t, claimOK(t, a, k))
	hctx := t.Context()
	if h, ok := a.(webhook.Holder); ok {
		var stop context.CancelFunc
		hctx, stop = h.Hold(t.Context(), k)
		defer stop()
	}
	time.Sleep(2*shortLease + 200*time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	ok, err := b.Claim(ctx, k)
	require.False(t, ok && err == nil, "a claim held past its lease is not taken by another caller")
	require.NoError(t, hctx.Err(), "nor is it lost")
	require.NoError(t, a.Done(t.Context(), k))
	require.False(t, claimOK(t, b, k), "the holder's Done marks it")
}

// die ends d's renewals of its claims, as the end of its process would, through its Close
// method; the test is skipped for a Deduper without one.
func die(t *testing.T, d webhook.Deduper) {
	t.Helper()
	c, ok := d.(io.Closer)
	if !ok {
		t.Skip("the Deduper has no Close method to end its renewals, as a replica's death would")
	}
	require.NoError(t, c.Close())
}

// leaseTakeover: a replica that died holding a claim blocks the key only until its lease
// ends; another replica's waiting Claim then takes it. A Holder's context of the dead claim
// is cancelled with webhook.ErrClaimLost.
func leaseTakeover(t *testing.T, s *settings, replica func() webhook.Deduper) {
	dead, b := replica(), replica()
	k := key(t, 0)
	start := time.Now() // the lease starts during the Claim: a slow commit does not lengthen it
	require.True(t, claimOK(t, dead, k))
	if h, ok := dead.(webhook.Holder); ok {
		hctx, stop := h.Hold(t.Context(), k)
		defer stop()
		die(t, dead)
		select {
		case <-hctx.Done():
		case <-time.After(s.wait):
			t.Fatal("the dead claim's context is not cancelled")
		}
		require.ErrorIs(t, context.Cause(hctx), webhook.ErrClaimLost, "the dead claim's context")
	} else {
		die(t, dead)
	}
	ctx, cancel := context.WithTimeout(t.Context(), shortLease+s.wait)
	defer cancel()
	ok, err := b.Claim(ctx, k)
	if s.noWait {
		for err != nil && ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			ok, err = b.Claim(ctx, k)
		}
	}
	require.NoError(t, err)
	require.True(t, ok, "the expired claim is taken over")
	require.GreaterOrEqual(t, time.Since(start), shortLease*8/10, "not before the lease ends")
	require.NoError(t, b.Done(t.Context(), k))
	require.False(t, claimOK(t, replica(), k))
}

// releaseByFormerOwner: a replica whose lease ran out and was taken over cannot release the
// new holder's claim.
func releaseByFormerOwner(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	a, b, c, k := takenOver(t, replica)
	require.NoError(t, a.Release(t.Context(), k), "the former holder's late Release")
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	ok, err := c.Claim(ctx, k)
	require.False(t, ok && err == nil, "the new holder's claim survives the former holder's Release")
	require.NoError(t, b.Done(t.Context(), k))
	require.False(t, claimOK(t, c, k))
}

// doneByFormerOwner: a replica whose lease ran out, and which then finished handling the
// callback, still marks it handled.
func doneByFormerOwner(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	a, b, c, k := takenOver(t, replica)
	require.NoError(t, a.Done(t.Context(), k), "the former holder's late Done")
	require.NoError(t, b.Release(t.Context(), k), "the new holder's Release")
	require.False(t, claimOK(t, c, k), "the key stays handled")
}

// takenOver makes three replicas: a claims the test's key k, stops renewing it, its lease
// runs out and b takes the key over; c is a third.
func takenOver(t *testing.T, replica func() webhook.Deduper) (a, b, c webhook.Deduper, k string) {
	t.Helper()
	a, b, c = replica(), replica(), replica()
	k = key(t, 0)
	require.True(t, claimOK(t, a, k))
	die(t, a) // its renewals end, as when it cannot reach the store
	time.Sleep(shortLease + 200*time.Millisecond)
	require.True(t, claimOK(t, b, k), "taken over after the lease")
	return a, b, c, k
}

func doneTTL(t *testing.T, _ *settings, replica func() webhook.Deduper) {
	d, k := claimed(t, replica)
	require.NoError(t, d.Done(t.Context(), k))
	require.False(t, claimOK(t, d, k), "within the TTL")
	time.Sleep(shortTTL + 200*time.Millisecond)
	require.True(t, claimOK(t, replica(), k), "forgotten after the TTL")
	require.NoError(t, d.Release(t.Context(), k))
}
