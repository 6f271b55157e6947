package redisstore_test

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/redisstore"
)

// ownRedis starts a private redis-server on a free port, so that it can be demoted and
// promoted without disturbing the shared one, and returns its address.
func ownRedis(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if servicetest.Required() {
			t.Fatal("redis-server is not on PATH and PAYGATE_REQUIRE_SERVICES=1")
		}
		t.Skip("redis-server is not on PATH: install it to run this test")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	require.NoError(t, ln.Close())
	cmd := exec.Command(path, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", port)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	require.Eventually(t, func() bool { return c.Ping(context.Background()).Err() == nil }, 5*time.Second, 20*time.Millisecond)
	return addr
}

// During a failover the server answers READONLY for a moment. Done keeps trying for its
// write retry budget, so the mark is written once the server is writable again and the
// callback is not handled a second time after the lease.
func TestDoneRetriesThroughReadOnlyFailover(t *testing.T) {
	addr := ownRedis(t)
	client := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	admin := client()
	ctx := t.Context()
	const lease = 2 * time.Second
	a := redisstore.NewDeduper(client(), redisstore.WithLease(lease))
	b := redisstore.NewDeduper(client(), redisstore.WithLease(lease))
	const k = "cashgit|payin|succeeded|ORDER-RO"

	ok, err := a.Claim(ctx, k)
	require.NoError(t, err)
	require.True(t, ok)
	// fn returned nil; the server is demoted for a second, then promoted again.
	require.NoError(t, admin.Do(ctx, "REPLICAOF", "127.0.0.1", "1").Err())
	promoted := make(chan error, 1)
	time.AfterFunc(time.Second, func() { promoted <- admin.Do(context.Background(), "REPLICAOF", "NO", "ONE").Err() })
	require.NoError(t, a.Done(ctx, k), "a READONLY moment within the write retry budget is retried")
	require.NoError(t, <-promoted)

	time.Sleep(lease + 200*time.Millisecond)
	ok, err = b.Claim(ctx, k)
	require.NoError(t, err)
	require.False(t, ok, "the handled callback is not handled again")
}
