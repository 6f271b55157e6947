package limitertest_test

import (
	"testing"

	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest/limitertest"
)

// A merchant checks its own Limiter the way paygate checks the in-process one: Open returns
// the replicas of a fresh store.
func ExampleRun() {
	_ = func(t *testing.T) {
		limitertest.Run(t, func(_ *testing.T, r rate.Limit, burst int) func() paygate.Limiter {
			l := paygate.NewMemoryLimiter(r, burst)
			return func() paygate.Limiter { return l }
		})
	}
}
