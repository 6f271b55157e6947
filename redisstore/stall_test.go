package redisstore_test

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/redisstore"
)

// stallProxy forwards to the test Redis; while stalled it holds Redis's answers back.
type stallProxy struct {
	ln      net.Listener
	mu      sync.Mutex
	stalled bool
	cond    *sync.Cond
	closed  bool
	conns   []net.Conn
	wg      sync.WaitGroup
}

func newStallProxy(t *testing.T, target string) *stallProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &stallProxy{ln: ln}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			p.wg.Add(2)
			go func() { defer p.wg.Done(); _, _ = io.Copy(s, c); _ = s.Close() }()
			go func() { defer p.wg.Done(); _, _ = io.Copy(gatedWriter{p, c}, s); _ = c.Close() }()
		}
	}()
	t.Cleanup(func() {
		p.mu.Lock()
		p.closed, p.stalled = true, false
		p.cond.Broadcast()
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
		_ = ln.Close()
		p.wg.Wait()
	})
	return p
}

func (p *stallProxy) stall() { p.mu.Lock(); p.stalled = true; p.mu.Unlock() }

type gatedWriter struct {
	p *stallProxy
	w io.Writer
}

func (g gatedWriter) Write(b []byte) (int, error) {
	g.p.mu.Lock()
	for g.p.stalled && !g.p.closed {
		g.p.cond.Wait()
	}
	g.p.mu.Unlock()
	return g.w.Write(b)
}

// A renewal in flight on a stalled Redis is stopped by Close and by Release: before, both
// waited for the renewal's own deadline, the lease's end (two minutes with the default lease).
func TestCloseEndsStalledRenewal(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	opts := servicetest.RedisOptions(t)
	p := newStallProxy(t, opts.Addr)
	opts.Addr = p.ln.Addr().String()
	opts.ReadTimeout, opts.MaxRetries = 10*time.Second, -1
	c := redis.NewClient(opts)
	defer c.Close()
	const lease = 3 * time.Second
	d := redisstore.NewDeduper(c, redisstore.WithKeyPrefix(prefix), redisstore.WithLease(lease), redisstore.WithWriteRetry(-1))
	ok, err := d.Claim(t.Context(), "cashgit|payin|succeeded|ORDER-stall")
	require.NoError(t, err)
	require.True(t, ok)
	p.stall()
	time.Sleep(lease/3 + 200*time.Millisecond) // a renewal is now waiting for Redis

	start := time.Now()
	require.NoError(t, d.Close())
	took := time.Since(start)
	require.Less(t, took, 500*time.Millisecond, "Close stops renewals; it took %v (the rest of the lease)", took)
}

func TestReleaseEndsStalledRenewal(t *testing.T) {
	_, prefix := servicetest.Redis(t)
	opts := servicetest.RedisOptions(t)
	p := newStallProxy(t, opts.Addr)
	opts.Addr = p.ln.Addr().String()
	opts.ReadTimeout, opts.MaxRetries = 10*time.Second, -1
	c := redis.NewClient(opts)
	defer c.Close()
	const lease = 3 * time.Second
	d := redisstore.NewDeduper(c, redisstore.WithKeyPrefix(prefix), redisstore.WithLease(lease), redisstore.WithWriteRetry(-1))
	defer d.Close()
	const k = "cashgit|payin|succeeded|ORDER-stall-release"
	ok, err := d.Claim(t.Context(), k)
	require.NoError(t, err)
	require.True(t, ok)
	p.stall()
	time.Sleep(lease/3 + 200*time.Millisecond)

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_ = d.Release(ctx, k)
	took := time.Since(start)
	require.Less(t, took, time.Second, "Release with a 200 ms context took %v", took)
}
