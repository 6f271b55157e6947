package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/pgstore"
	"github.com/paygate-go/paygate/webhook"
)

// Every replica runs the same start-up: Migrate (safe to run concurrently), then one
// Deduper per process shared by its webhook handlers.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://app@127.0.0.1:5432/shop")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := pgstore.Migrate(ctx, pool); err != nil {
		log.Fatal(err)
	}
	dedupe, err := pgstore.NewDeduper(pool)
	if err != nil {
		log.Fatal(err)
	}
	gw, err := cashgit.New(paygate.Config{Provider: cashgit.Name, MerchantID: "cgpay", Secret: "your_secret_key"})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/notify/cashgit", webhook.Handler(gw, func(ctx context.Context, cb *paygate.Callback) error {
		return nil // credit the order
	}, webhook.WithDeduper(dedupe)))
}

// A merchant who runs migrations with its own tool writes Schema's statements into a
// migration file instead of calling Migrate.
func ExampleSchema() {
	s := pgstore.Schema(pgstore.WithTablePrefix("shop_"))
	for line := range strings.Lines(s) {
		if strings.HasPrefix(line, "CREATE") {
			fmt.Print(line)
		}
	}
	// Output:
	// CREATE TABLE IF NOT EXISTS shop_dedupe (
	// CREATE INDEX IF NOT EXISTS shop_dedupe_expires_at ON shop_dedupe (expires_at);
	// CREATE TABLE IF NOT EXISTS shop_tracker (
	// CREATE INDEX IF NOT EXISTS shop_tracker_due ON shop_tracker (due);
	// CREATE TABLE IF NOT EXISTS shop_router_orders (
	// CREATE INDEX IF NOT EXISTS shop_router_orders_updated ON shop_router_orders (updated_at);
}
