package router_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/redisstore"
	"github.com/paygate-go/paygate/router"
)

// BenchmarkDirect is the baseline: a pay-in on a gateway without I/O, called directly.
func BenchmarkDirect(b *testing.B) {
	gw := newStub("a", paygate.INR)
	req := inrPayIn("O1")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gw.PayIn(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRouter is the same pay-in through a router of three weighted routes with local
// circuits and the memory order index: the router's own cost per create.
func BenchmarkRouter(b *testing.B) {
	r, err := router.New([]router.Route{
		{Gateway: newStub("a", paygate.INR), Weight: 1},
		{Gateway: newStub("b", paygate.INR), Weight: 1},
		{Gateway: newStub("c", paygate.INR), Priority: 1},
	}, router.WithStore(discardStore{}))
	if err != nil {
		b.Fatal(err)
	}
	req := inrPayIn("O1")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.PayIn(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRouterSharedBreaker adds circuits shared through Redis (lock, read, write, unlock
// before and after each create) and the Redis order index.
func BenchmarkRouterSharedBreaker(b *testing.B) {
	_, prefix := servicetest.Redis(b)
	c := redis.NewClient(servicetest.RedisOptions(b))
	defer func() { _ = c.Close() }()
	r, err := router.New([]router.Route{
		{Gateway: newStub("a", paygate.INR), Weight: 1},
		{Gateway: newStub("b", paygate.INR), Weight: 1},
	}, router.WithBreakerStore(redisstore.NewBreakerStore(c, redisstore.WithKeyPrefix(prefix))),
		router.WithStore(redisstore.NewRouterStore(c, redisstore.WithKeyPrefix(prefix))))
	if err != nil {
		b.Fatal(err)
	}
	req := inrPayIn("O1")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.PayIn(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// discardStore is an order index that keeps nothing, so the benchmark does not grow a map.
type discardStore struct{}

func (discardStore) SetProvider(context.Context, paygate.Kind, string, string) error { return nil }
func (discardStore) Provider(context.Context, paygate.Kind, string) (string, error) {
	return "", nil
}
func (discardStore) ClaimProvider(_ context.Context, _ paygate.Kind, _, provider string) (router.Claim, bool, error) {
	return router.Claim{Provider: provider}, true, nil
}
func (discardStore) MoveProvider(_ context.Context, _ paygate.Kind, _ string, _ router.Claim, to string) (router.Claim, error) {
	return router.Claim{Provider: to}, nil
}
