package tracker_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/webhook"
)

// cutter is a loopback TCP proxy that can cut every connection to its upstream.
type cutter struct {
	ln       net.Listener
	upstream string
	mu       sync.Mutex
	down     bool
	conns    map[net.Conn]struct{}
	wg       sync.WaitGroup
}

func newCutter(t *testing.T, upstream string) *cutter {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	c := &cutter{ln: ln, upstream: upstream, conns: map[net.Conn]struct{}{}}
	c.wg.Go(c.serve)
	t.Cleanup(func() {
		_ = ln.Close()
		c.setDown(true)
		c.wg.Wait()
	})
	return c
}

func (c *cutter) serve() {
	for {
		in, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.mu.Lock()
		if c.down {
			c.mu.Unlock()
			_ = in.Close()
			continue
		}
		out, err := (&net.Dialer{Timeout: time.Second}).Dial("tcp", c.upstream)
		if err != nil {
			c.mu.Unlock()
			_ = in.Close()
			continue
		}
		c.conns[in], c.conns[out] = struct{}{}, struct{}{}
		c.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			_, _ = io.Copy(dst, src)
			_ = dst.Close()
			_ = src.Close()
		}
		c.wg.Go(func() { pipe(out, in) })
		c.wg.Go(func() { pipe(in, out) })
	}
}

func (c *cutter) setDown(d bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = d
	if d {
		for conn := range c.conns {
			_ = conn.Close()
		}
		clear(c.conns)
	}
}

// With Redis unreachable for a while (every connection cut), the tracker loses nothing:
// claims fail and are retried, and once Redis is back every lost callback is recovered, once.
func TestRedisDownNothingLost(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	opt := servicetest.RedisOptions(t)
	proxy := newCutter(t, opt.Addr)
	popt := *opt
	popt.Addr = proxy.ln.Addr().String()
	popt.DialTimeout, popt.ReadTimeout, popt.WriteTimeout, popt.MaxRetries = 200*time.Millisecond, 200*time.Millisecond, 200*time.Millisecond, -1
	rc := redis.NewClient(&popt)
	t.Cleanup(func() { _ = rc.Close() })
	store := redisstore.NewTrackerStore(rc, redisstore.WithKeyPrefix(prefix))

	sb, gw := cashgit(t)
	c, rec := newClock(), &recorder{}
	tr := tracker.New([]paygate.Gateway{gw}, store, rec.fn, tracker.WithClock(c.Now), tracker.WithSchedule(exact),
		tracker.WithDeduper(webhook.NewMemoryDeduper(0, 0)))
	ctx := context.Background()
	dead := deadEnd(t)
	const n = 20
	id := func(i int) string { return fmt.Sprintf("TRKRDOWN%03d", i) }
	for i := range n {
		payIn(t, gw, id(i), dead)
		require.NoError(t, tr.Track(ctx, "cashgit", paygate.KindPayIn, id(i), tracker.WithStatus(paygate.StatusPending, "pending")))
		require.ErrorIs(t, sb.Settle(id(i), paygate.StatusSucceeded), sandbox.ErrNotAcknowledged)
	}

	proxy.setDown(true)
	require.Error(t, tr.Track(ctx, "cashgit", paygate.KindPayIn, "TRKRDOWNX"), "Track says it tracked nothing")
	for _, d := range []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute} {
		c.at(d)
		_, err := tr.PollDue(ctx)
		require.Error(t, err, "at %v", d)
		require.False(t, errors.Is(err, tracker.ErrLeaseLost))
	}
	require.Empty(t, rec.all())

	proxy.setDown(false)
	require.Eventually(t, func() bool { return rc.Ping(ctx).Err() == nil }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, n, poll(t, tr, c, 31*time.Minute))
	require.Zero(t, poll(t, tr, c, 100*time.Hour))
	got := map[string]int{}
	for _, call := range rec.all() {
		got[call.cb.OrderID+":"+string(call.cb.Status)]++
	}
	require.Len(t, got, n)
	for i := range n {
		require.Equal(t, 1, got[id(i)+":succeeded"])
	}
}
