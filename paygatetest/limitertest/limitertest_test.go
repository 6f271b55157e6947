package limitertest_test

import (
	"testing"

	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest/limitertest"
)

// The in-process limiter passes the suite; its replicas are one Limiter, as in one process.
func TestMemoryLimiter(t *testing.T) {
	limitertest.Run(t, func(_ *testing.T, r rate.Limit, burst int) func() paygate.Limiter {
		l := paygate.NewMemoryLimiter(r, burst)
		return func() paygate.Limiter { return l }
	})
}
