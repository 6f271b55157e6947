package redisstore_test

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/webhook"
)

// Every replica of the backend runs the same code: one Redis client, one Deduper and one
// Limiter per process, shared by its handlers and gateways.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()

	// CashGit allows 10 requests per second per merchant: across all replicas together.
	limiter := redisstore.NewLimiter(rdb, cashgit.DefaultRateLimit, 1)
	gw, err := cashgit.New(paygate.Config{Provider: cashgit.Name, MerchantID: "cgpay", Secret: "your_secret_key"},
		paygate.WithLimiter(limiter))
	if err != nil {
		log.Fatal(err)
	}

	// A callback redelivered to another replica is acknowledged without a second credit.
	dedupe := redisstore.NewDeduper(rdb)
	http.Handle("/notify/cashgit", webhook.Handler(gw, func(ctx context.Context, cb *paygate.Callback) error {
		return nil // credit the order, in the merchant's own transaction
	}, webhook.WithDeduper(dedupe)))
}

// A merchant serving several shops from one Redis keeps their records apart by prefix, and
// shortens the lease when its callback function is quick.
func ExampleNewDeduper() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	d := redisstore.NewDeduper(rdb, redisstore.WithKeyPrefix("shop-a:paygate:"), redisstore.WithLease(30*time.Second))
	_ = webhook.WithDeduper(d)
}
