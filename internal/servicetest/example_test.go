package servicetest_test

import (
	"fmt"

	"github.com/paygate-go/paygate/internal/servicetest"
)

// The servers a test reaches when PAYGATE_REDIS_URL and PAYGATE_POSTGRES_URL are unset. A test
// asks for a fresh namespace on each, removed when it ends:
//
//	rdb, prefix := servicetest.Redis(t)   // skips (or, under PAYGATE_REQUIRE_SERVICES=1, fails) without Redis
//	db, schema := servicetest.Postgres(t) // the pool's search_path is schema
func Example() {
	fmt.Println(servicetest.DefaultRedisURL)
	fmt.Println(servicetest.DefaultPostgresURL)
	// Output:
	// redis://127.0.0.1:6379/0
	// postgres://postgres@127.0.0.1:5432/test
}
