// Command replicas shows two replicas of a merchant's backend sharing one Redis: each has its
// own webhook handler on its own loopback port, its own Redis client, Deduper and CashGit
// gateway, and a round-robin load balancer sits in front of them, as in production. A CashGit
// sandbox then delivers every callback several times at once — the provider retrying, the
// balancer spreading the copies over both replicas — and each order is credited exactly once.
// The gateways also share CashGit's 10 requests per second through one Redis limiter.
//
//	go run ./examples/replicas                       # Redis at PAYGATE_REDIS_URL or redis://127.0.0.1:6379/0
//	go run ./examples/replicas -redis redis://host:6379/1 -orders 20 -copies 5
//
// It prints the counts and exits 0 when every order was credited once and every delivery
// acknowledged, 1 otherwise.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

func main() {
	def := os.Getenv("PAYGATE_REDIS_URL")
	if def == "" {
		def = "redis://127.0.0.1:6379/0"
	}
	redisURL := flag.String("redis", def, "the Redis both replicas share")
	orders := flag.Int("orders", 10, "pay-ins to create and settle")
	copies := flag.Int("copies", 4, "deliveries of each callback, all at once")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	prefix := "paygate-example-replicas:" + uuid.NewString()[:8] + ":"
	res, err := run(context.Background(), config{redisURL: *redisURL, prefix: prefix, orders: *orders, copies: *copies, logger: logger})
	if err != nil {
		fmt.Fprintln(os.Stderr, "replicas:", err)
		os.Exit(1)
	}
	fmt.Println(res)
	if !res.ok() {
		os.Exit(1)
	}
}

type config struct {
	redisURL string
	prefix   string // every key the run writes starts with it; removed at the end
	orders   int
	copies   int
	logger   *slog.Logger
}

// result is what a run counted.
type result struct {
	orders, deliveries, acked int
	credited                  map[string]int // credits per order, over both replicas
	byReplica                 [2]int64       // merchant's function calls per replica
	duplicates                [2]int64       // deliveries acknowledged without a call, per replica
}

func (r result) ok() bool {
	if len(r.credited) != r.orders || r.acked != r.deliveries {
		return false
	}
	for _, n := range r.credited {
		if n != 1 {
			return false
		}
	}
	return true
}

func (r result) String() string {
	twice := 0
	for _, n := range r.credited {
		if n > 1 {
			twice++
		}
	}
	return fmt.Sprintf("orders %d, deliveries %d, acknowledged %d, credited %d (replica A %d, replica B %d), credited twice %d, duplicates acknowledged without a call %d (A %d, B %d)",
		r.orders, r.deliveries, r.acked, len(r.credited), r.byReplica[0], r.byReplica[1], twice,
		r.duplicates[0]+r.duplicates[1], r.duplicates[0], r.duplicates[1])
}

func run(ctx context.Context, c config) (res result, err error) {
	opt, err := redis.ParseURL(c.redisURL)
	if err != nil {
		return res, err
	}
	cfg := paygate.Config{Provider: cashgit.Name, MerchantID: "cgpay", Secret: "your_secret_key"}
	sb, err := sandbox.New(cashgit.Name, cfg, sandbox.WithMinute(50*time.Millisecond))
	if err != nil {
		return res, err
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	defer cleanup(opt, c.prefix)

	var mu sync.Mutex
	res.credited = map[string]int{}
	var backends []*url.URL
	var gws []*cashgit.Client
	for i := range 2 {
		rdb := redis.NewClient(opt) // each replica its own client, as each process would have
		defer rdb.Close()
		if err := rdb.Ping(ctx).Err(); err != nil {
			return res, fmt.Errorf("redis at %s: %w", c.redisURL, err)
		}
		limiter := redisstore.NewLimiter(rdb, cashgit.DefaultRateLimit, 1, redisstore.WithKeyPrefix(c.prefix))
		gw, err := cashgit.New(cfg, paygate.WithLimiter(limiter), paygate.WithLogger(c.logger))
		if err != nil {
			return res, err
		}
		defer gw.CloseIdleConnections()
		gws = append(gws, gw)
		credit := func(ctx context.Context, cb *paygate.Callback) error {
			if called, ok := ctx.Value(calledKey{}).(*atomic.Bool); ok {
				called.Store(true)
			}
			mu.Lock()
			res.credited[cb.OrderID]++ // the merchant's ledger, in its own database
			mu.Unlock()
			atomic.AddInt64(&res.byReplica[i], 1)
			return nil
		}
		h := webhook.Handler(gw, credit, webhook.WithDeduper(redisstore.NewDeduper(rdb, redisstore.WithKeyPrefix(c.prefix))),
			webhook.WithLogger(c.logger))
		counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			called := new(atomic.Bool)
			h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), calledKey{}, called)))
			if !called.Load() {
				atomic.AddInt64(&res.duplicates[i], 1)
			}
		})
		u, stop, err := serve(counted)
		if err != nil {
			return res, err
		}
		defer stop()
		backends = append(backends, u)
	}
	lb, stop, err := serve(roundRobin(backends))
	if err != nil {
		return res, err
	}
	defer stop()

	ids := make([]string, c.orders)
	run := time.Now().UnixMilli() % 1e9
	for i := range ids {
		ids[i] = fmt.Sprintf("RPL%d%03d", run, i)
		_, err := gws[i%2].PayIn(ctx, &paygate.PayInRequest{
			OrderID:   ids[i],
			Amount:    paygate.MustParseMoney("100.00", paygate.INR),
			NotifyURL: lb.String() + "/notify/cashgit",
			Remark:    "replicas demo",
		})
		if err != nil {
			return res, fmt.Errorf("pay-in %s: %w", ids[i], err)
		}
	}

	// The provider delivers each callback copies times at once.
	var wg sync.WaitGroup
	var acked, notAcked atomic.Int64
	for _, id := range ids {
		for range c.copies {
			wg.Go(func() {
				switch err := sb.Settle(id, paygate.StatusSucceeded); {
				case err == nil:
					acked.Add(1)
				case errors.Is(err, sandbox.ErrNotAcknowledged):
					notAcked.Add(1)
				default:
					notAcked.Add(1)
					c.logger.Error("settle", "order", id, "error", err)
				}
			})
		}
	}
	wg.Wait()
	res.orders, res.deliveries, res.acked = c.orders, c.orders*c.copies, int(acked.Load())
	return res, nil
}

// calledKey marks, in a request's context, whether the merchant's function ran for it.
type calledKey struct{}

// serve starts h on a loopback port and returns its URL and a function stopping it.
func serve(h http.Handler) (*url.URL, func(), error) {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return &url.URL{Scheme: "http", Host: ln.Addr().String()}, func() { _ = srv.Close(); <-done }, nil
}

// roundRobin is the load balancer in front of the replicas.
func roundRobin(backends []*url.URL) http.Handler {
	var next atomic.Uint64
	proxies := make([]*httputil.ReverseProxy, len(backends))
	for i, u := range backends {
		proxies[i] = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u) }}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxies[next.Add(1)%uint64(len(proxies))].ServeHTTP(w, r)
	})
}

// cleanup deletes the run's keys.
func cleanup(opt *redis.Options, prefix string) {
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}
