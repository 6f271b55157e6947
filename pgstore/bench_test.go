package pgstore_test

import (
	"strconv"
	"testing"

	"github.com/paygate-go/paygate/internal/servicetest"
	"github.com/paygate-go/paygate/pgstore"
)

// Each callback costs a Claim and a Done: against a bare INSERT and UPDATE of a row under a
// primary key, the two statements any PostgreSQL dedupe needs.
func BenchmarkDeduperClaimDone(b *testing.B) {
	pool, _ := servicetest.Postgres(b)
	if err := pgstore.Migrate(b.Context(), pool); err != nil {
		b.Fatal(err)
	}
	d, err := pgstore.NewDeduper(pool)
	if err != nil {
		b.Fatal(err)
	}
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

func BenchmarkBaselineInsertUpdate(b *testing.B) {
	pool, _ := servicetest.Postgres(b)
	ctx := b.Context()
	if _, err := pool.Exec(ctx, `CREATE TABLE bare (key text PRIMARY KEY, state text NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		k := "bench|payin|succeeded|p:" + strconv.Itoa(i)
		i++
		if _, err := pool.Exec(ctx, `INSERT INTO bare (key, state) VALUES ($1, 'claimed')`, k); err != nil {
			b.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `UPDATE bare SET state = 'done' WHERE key = $1`, k); err != nil {
			b.Fatal(err)
		}
	}
}
