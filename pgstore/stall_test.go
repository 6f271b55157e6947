package pgstore_test

import (
	"context"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/pgstore"
)

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

type stallProxy struct {
	ln      net.Listener
	mu      sync.Mutex
	stalled bool
	cond    *sync.Cond
	closed  bool
	conns   []net.Conn
	wg      sync.WaitGroup
}

func (p *stallProxy) stall() { p.mu.Lock(); p.stalled = true; p.mu.Unlock() }

func (p *stallProxy) unstall() {
	p.mu.Lock()
	p.stalled = false
	p.cond.Broadcast()
	p.mu.Unlock()
}

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

func stalledPool(t *testing.T) (*pgxpool.Pool, *stallProxy) {
	_, schema := migrated(t)
	cfg := servicetest.PostgresConfig(t, schema)
	p := newStallProxy(t, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	addr := p.ln.Addr().(*net.TCPAddr)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port = "127.0.0.1", uint16(addr.Port)
	cfg.ConnConfig.Fallbacks = nil
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	t.Cleanup(p.unstall) // first: the pool closes on a proxy that answers again
	return pool, p
}

// A renewal in flight on a stalled PostgreSQL is stopped by Close: before, Close waited for
// the renewal's deadline, the lease's end (two minutes by default).
func TestCloseEndsStalledRenewal(t *testing.T) {
	pool, p := stalledPool(t)
	const lease = 3 * time.Second
	d, err := pgstore.NewDeduper(pool, pgstore.WithLease(lease), pgstore.WithWriteRetry(-1))
	require.NoError(t, err)
	ok, err := d.Claim(t.Context(), "cashgit|payin|succeeded|ORDER-pgstall")
	require.NoError(t, err)
	require.True(t, ok)
	p.stall()
	time.Sleep(lease/3 + 200*time.Millisecond)
	start := time.Now()
	require.NoError(t, d.Close())
	took := time.Since(start)
	require.Less(t, took, 500*time.Millisecond, "Close took %v", took)
}

// The handler's Done (a context without deadline, as the handler passes) on a stalled
// PostgreSQL returns about when WithWriteRetry ends (each attempt ends with the budget, a
// second at least): before, one attempt waited forever (pgx has no read timeout).
func TestDoneBoundedOnStalledDB(t *testing.T) {
	pool, p := stalledPool(t)
	d, err := pgstore.NewDeduper(pool, pgstore.WithLease(time.Minute), pgstore.WithWriteRetry(300*time.Millisecond))
	require.NoError(t, err)
	defer d.Close()
	const k = "cashgit|payin|succeeded|ORDER-pgdone"
	ok, err := d.Claim(t.Context(), k)
	require.NoError(t, err)
	require.True(t, ok)
	p.stall()
	ch := make(chan error, 1)
	go func() { ch <- d.Done(context.WithoutCancel(t.Context()), k) }()
	select {
	case err := <-ch:
		require.Error(t, err, "the database never answered")
	case <-time.After(5 * time.Second):
		t.Errorf("Done with WithWriteRetry(300ms) has not returned after 5 s on a stalled database")
		p.unstall()
		t.Log("Done returned once the database answered:", <-ch)
	}
}
