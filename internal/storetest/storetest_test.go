package storetest_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/storetest"
	"github.com/paygate-go/paygate/webhook"
)

// TestMain fails the test binary when a test leaves a goroutine running.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The suites of redisstore and pgstore trust these helpers to see a double call or a lost
// delivery; each test below shows one of them seeing it, over the in-process Deduper.

func TestExactlyOnce(t *testing.T) {
	tests := []struct {
		name  string
		calls []map[string]int
		want  []string // what the error names; none: no error
	}{
		{"once each", []map[string]int{{"order-000": 1, "order-001": 1}}, nil},
		{"summed over processes", []map[string]int{{"order-000": 1}, {"order-001": 1}}, nil},
		{"twice across processes", []map[string]int{{"order-000": 1, "order-001": 1}, {"order-001": 1}},
			[]string{"order-001 called 2 times"}},
		{"lost", []map[string]int{{"order-000": 1}}, []string{"order-001 called 0 times"}},
		{"a stranger", []map[string]int{{"order-000": 1, "order-001": 1, "other": 1}},
			[]string{"unexpected order other called 1 times"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := storetest.ExactlyOnce(2, tt.calls...)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, storetest.ErrNotOnce)
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}

func TestDeliverAcknowledgedOnce(t *testing.T) {
	d := webhook.NewMemoryDeduper(time.Hour, 1000)
	rec := &storetest.Recorder{Delay: time.Millisecond}
	urls := []string{storetest.Replica(t, d, rec.Func(nil)), storetest.Replica(t, d, rec.Func(nil))}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := storetest.Deliver(ctx, urls, storetest.Delivery{Callbacks: 5, Copies: 4, Spread: 5 * time.Millisecond})
	require.Equal(t, int64(20), st.Acked, "%+v", st)
	require.Zero(t, st.Unfinished)
	require.NoError(t, storetest.ExactlyOnce(5, rec.Calls()))
	require.Empty(t, rec.Overlaps())
}

// TestDeliverRedeliversFailures: a 500 is delivered again, as a provider does, and the second
// call of the merchant's function is counted, so ExactlyOnce names it.
func TestDeliverRedeliversFailures(t *testing.T) {
	var mu sync.Mutex
	failed := map[string]bool{}
	rec := &storetest.Recorder{}
	fn := rec.Func(nil)
	url := storetest.Replica(t, webhook.NewMemoryDeduper(time.Hour, 1000), func(ctx context.Context, cb *paygate.Callback) error {
		if err := fn(ctx, cb); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if !failed[cb.OrderID] {
			failed[cb.OrderID] = true
			return errors.New("first call fails")
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := storetest.Deliver(ctx, []string{url}, storetest.Delivery{Callbacks: 3, Copies: 1, Pause: time.Millisecond})
	require.Equal(t, int64(3), st.Acked, "%+v", st)
	require.Equal(t, int64(3), st.Failed, "%+v", st)
	require.Equal(t, int64(3), st.RetriesMade, "%+v", st)
	err := storetest.ExactlyOnce(3, rec.Calls())
	require.ErrorIs(t, err, storetest.ErrNotOnce)
	require.ErrorContains(t, err, "order-002 called 2 times")
}

// TestDeliverUnfinished: what is never acknowledged is counted unfinished when ctx ends,
// never acknowledged.
func TestDeliverUnfinished(t *testing.T) {
	url := storetest.Replica(t, webhook.NewMemoryDeduper(time.Hour, 1000), func(context.Context, *paygate.Callback) error {
		return errors.New("always fails")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	st := storetest.Deliver(ctx, []string{url}, storetest.Delivery{Callbacks: 2, Copies: 2, Pause: 10 * time.Millisecond})
	require.Zero(t, st.Acked)
	require.Equal(t, int64(4), st.Unfinished, "%+v", st)
	require.Positive(t, st.Failed)
}

// TestRecorderOverlaps: two calls for one order at once, without a Deduper between them, are
// what Overlaps reports.
func TestRecorderOverlaps(t *testing.T) {
	rec := &storetest.Recorder{}
	var both sync.WaitGroup // each call waits inside until the other has begun
	both.Add(2)
	fn := rec.Func(func(context.Context, string) { both.Done(); both.Wait() })
	cb := &paygate.Callback{OrderID: "order-x"}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { _ = fn(context.Background(), cb) })
	}
	wg.Wait()
	require.Equal(t, []string{"order-x"}, rec.Overlaps())
	require.Equal(t, map[string]int{"order-x": 2}, rec.Calls())
}

// TestLeaseRenewed runs the check over one Deduper shared by both replicas, which holds a
// claim for as long as its function runs.
func TestLeaseRenewed(t *testing.T) {
	d := webhook.NewMemoryDeduper(time.Hour, 1000)
	storetest.LeaseRenewed(t, 20*time.Millisecond, func() webhook.Deduper { return d })
}

func TestGatewayParseCallback(t *testing.T) {
	cb, err := storetest.Gateway{}.ParseCallback(nil, storetest.Body(storetest.Order(7)))
	require.NoError(t, err)
	require.Equal(t, "order-007", cb.OrderID)
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
	require.Equal(t, "ok", cb.Ack.Body)

	for _, body := range []string{``, `{}`, `{"status":"paid"}`, `[1]`} {
		_, err := storetest.Gateway{}.ParseCallback(nil, []byte(body))
		require.ErrorIs(t, err, paygate.ErrMalformedCallback, body)
	}
}

// TestProxy: through the proxy an echo server answers; Cut drops the connection and refuses
// new ones; Stall holds answers back until Restore.
func TestProxy(t *testing.T) {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					if _, err := c.Write(append(sc.Bytes(), '\n')); err != nil {
						return
					}
				}
			})
		}
	})
	p := storetest.NewProxy(t, ln.Addr().String())

	dial := func(t *testing.T) (net.Conn, *bufio.Reader) {
		t.Helper()
		c, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", p.Addr())
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		return c, bufio.NewReader(c)
	}
	echo := func(c net.Conn, r *bufio.Reader, line string, wait time.Duration) (string, error) {
		if _, err := c.Write([]byte(line + "\n")); err != nil {
			return "", err
		}
		_ = c.SetReadDeadline(time.Now().Add(wait))
		return r.ReadString('\n')
	}

	c, r := dial(t)
	got, err := echo(c, r, "one", 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, "one\n", got)

	p.Cut()
	_, err = echo(c, r, "two", 5*time.Second)
	require.Error(t, err, "a cut connection still answered")
	c2, r2 := dial(t)
	_, err = echo(c2, r2, "three", 5*time.Second)
	require.Error(t, err, "a connection made while cut was let through")

	p.Restore()
	c3, r3 := dial(t)
	got, err = echo(c3, r3, "four", 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, "four\n", got)

	p.Stall()
	_, err = echo(c3, r3, "five", 100*time.Millisecond)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout(), "a stalled store answered: %v", err)
	p.Restore()
	_ = c3.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err = r3.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "five\n", got, "the answer held back by Stall is delivered after Restore")
}

// TestHelperProcess is the helper replica StartHelper runs: it serves over a Deduper of its
// own process.
func TestHelperProcess(t *testing.T) {
	if !storetest.IsHelper() {
		return
	}
	storetest.ServeHelper(t, webhook.NewMemoryDeduper(time.Hour, 1000))
}

// TestStartHelper: a replica in another process reports its calls, tells when the held order's
// call hangs, and a Kill ends it as a crash would (the held delivery gets no answer).
func TestStartHelper(t *testing.T) {
	h := storetest.StartHelper(t, storetest.HoldEnv+"=order-hold")
	code, body, err := storetest.Post(context.Background(), h.URL, storetest.Body("order-000"))
	require.NoError(t, err)
	require.Equal(t, 200, code)
	require.Equal(t, "ok", body)
	require.Eventually(t, func() bool { return h.Calls()["order-000"] == 1 }, 10*time.Second, 5*time.Millisecond)

	held := make(chan error, 1)
	go func() {
		_, _, err := storetest.Post(context.Background(), h.URL, storetest.Body("order-hold"))
		held <- err
	}()
	select {
	case order := <-h.Holds():
		require.Equal(t, "order-hold", order)
	case <-time.After(10 * time.Second):
		t.Fatal("the held call never started")
	}
	h.Kill()
	select {
	case err := <-held:
		require.Error(t, err, "a killed replica answered")
	case <-time.After(10 * time.Second):
		t.Fatal("the held delivery outlived the killed replica")
	}
	require.Equal(t, map[string]int{"order-000": 1, "order-hold": 1}, h.Calls())
}
