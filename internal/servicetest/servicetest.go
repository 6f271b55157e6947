// Package servicetest connects tests to the real Redis and PostgreSQL servers the project's
// machines run. Where a server does not answer, the test is skipped with one line saying how
// to run it; with PAYGATE_REQUIRE_SERVICES=1 (set by .ci/run) a missing server fails it.
//
// Each call returns a fresh namespace: a key prefix for Redis, a schema for PostgreSQL, both
// removed when the test ends.
package servicetest

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// Defaults for PAYGATE_REDIS_URL and PAYGATE_POSTGRES_URL.
const (
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
	DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test"
)

// RedisURL is PAYGATE_REDIS_URL or its default.
func RedisURL() string { return cmp.Or(os.Getenv("PAYGATE_REDIS_URL"), DefaultRedisURL) }

// PostgresURL is PAYGATE_POSTGRES_URL or its default.
func PostgresURL() string { return cmp.Or(os.Getenv("PAYGATE_POSTGRES_URL"), DefaultPostgresURL) }

// Required reports whether PAYGATE_REQUIRE_SERVICES asks for the servers.
func Required() bool { return os.Getenv("PAYGATE_REQUIRE_SERVICES") == "1" }

func unavailable(t testing.TB, what, url, how string, err error) {
	t.Helper()
	if Required() {
		t.Fatalf("%s at %s is required (PAYGATE_REQUIRE_SERVICES=1) but does not answer: %v", what, url, err)
	}
	t.Skipf("%s not reachable at %s (%v); to run: %s", what, url, err, how)
}

// probes remember, per URL and process, whether a server answered: a test binary whose
// server is away skips every test at once instead of waiting for each connection to fail.
var probes sync.Map // url → *probe

type probe struct {
	once sync.Once
	err  error
}

func probed(url string, ping func(ctx context.Context) error) error {
	p, _ := probes.LoadOrStore(url, &probe{})
	pr := p.(*probe)
	pr.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		pr.err = ping(ctx)
	})
	return pr.err
}

func redisAway(url string) error {
	return probed("redis "+url, func(ctx context.Context) error {
		opt, err := redis.ParseURL(url)
		if err != nil {
			return err
		}
		opt.MaxRetries = -1 // one attempt: a refused connection is an answer
		c := redis.NewClient(opt)
		defer c.Close()
		return c.Ping(ctx).Err()
	})
}

func postgresAway(url string) error {
	return probed("postgres "+url, func(ctx context.Context) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		return conn.Close(ctx)
	})
}

// Redis returns a client for PAYGATE_REDIS_URL and a key prefix of the test's own. Every key
// under the prefix is deleted and the client closed when the test ends.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	url := RedisURL()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("PAYGATE_REDIS_URL: %v", err)
	}
	if err := redisAway(url); err != nil {
		unavailable(t, "Redis", url, `redis-server --daemonize yes --port 6379 --save "" --appendonly no`, err)
	}
	c := redis.NewClient(opt)
	prefix := "paygatetest:" + uuid.NewString()[:8] + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		_ = c.Close()
	})
	return c, prefix
}

// RedisOptions returns the parsed PAYGATE_REDIS_URL, for tests that open more clients
// (one per simulated replica). Call Redis first: it skips or fails when the server is away.
func RedisOptions(t testing.TB) *redis.Options {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("PAYGATE_REDIS_URL: %v", err)
	}
	return opt
}

// Postgres returns a pool for PAYGATE_POSTGRES_URL whose connections use a schema of the
// test's own (search_path), and that schema's name. The schema is dropped and the pool closed
// when the test ends.
func Postgres(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	url := PostgresURL()
	if err := postgresAway(url); err != nil {
		unavailable(t, "PostgreSQL", url, "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := pgxpool.New(ctx, url)
	if err == nil {
		err = admin.Ping(ctx)
	}
	if err != nil {
		if admin != nil {
			admin.Close()
		}
		t.Fatalf("PostgreSQL at %s: %v", url, err)
	}
	schema := "paygatetest_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		admin.Close()
		t.Fatalf("PAYGATE_POSTGRES_URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		admin.Close()
		t.Fatalf("pool: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, fmt.Sprintf("DROP SCHEMA %s CASCADE", schema)); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	return pool, schema
}

// PostgresConfig returns a pool config for the test's schema, for tests that open more pools
// (one per simulated replica).
func PostgresConfig(t testing.TB, schema string) *pgxpool.Config {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(PostgresURL())
	if err != nil {
		t.Fatalf("PAYGATE_POSTGRES_URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	return cfg
}
