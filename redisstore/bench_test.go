package redisstore_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/redisstore"
)

// Each callback costs a Claim and a Done: against a bare SET NX and SET, the two round
// trips any Redis dedupe needs.
func BenchmarkDeduperClaimDone(b *testing.B) {
	c, prefix := servicetest.Redis(b)
	d := redisstore.NewDeduper(c, redisstore.WithKeyPrefix(prefix))
	ctx := b.Context()
	i := 0
	for b.Loop() {
		k := "bench|payin|succeeded|p:" + strconv.Itoa(i)
		i++
		if ok, err := d.Claim(ctx, k); err != nil || !ok {
			b.Fatal(ok, err)
		}
		if err := d.Done(ctx, k); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBaselineSetNXSet(b *testing.B) {
	c, prefix := servicetest.Redis(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		k := prefix + "dedupe:bench|payin|succeeded|p:" + strconv.Itoa(i)
		i++
		if ok, err := c.SetNX(ctx, k, "c:token", 2*time.Minute).Result(); err != nil || !ok {
			b.Fatal(ok, err)
		}
		if err := c.Set(ctx, k, "d", 24*time.Hour).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

// A Wait that is let through at once is one EVALSHA of the GCRA script: against a bare
// EVALSHA of a script that only returns.
func BenchmarkLimiterWait(b *testing.B) {
	c, prefix := servicetest.Redis(b)
	l := redisstore.NewLimiter(c, 1e6, 1<<30, redisstore.WithKeyPrefix(prefix))
	ctx := b.Context()
	for b.Loop() {
		if err := l.Wait(ctx, "cashgit:cgpay"); err != nil {
			b.Fatal(err)
		}
	}
}

var nopScript = redis.NewScript(`return 0`)

func BenchmarkBaselineEvalSha(b *testing.B) {
	c, prefix := servicetest.Redis(b)
	ctx := b.Context()
	for b.Loop() {
		if err := nopScript.Run(ctx, c, []string{prefix + "rate:cashgit:cgpay"}).Err(); err != nil {
			b.Fatal(err)
		}
	}
}
