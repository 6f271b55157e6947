package paygatetest_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// TestConcurrentUse shares one Gateway between 2,000 goroutines, each creating a pay-in and
// querying it, against the provider's sandbox on loopback: no error, race-clean, and the
// goroutines and heap come back to where they started.
func TestConcurrentUse(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 goroutines per provider")
	}
	const workers = 2000
	for _, name := range sandbox.Providers() {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(name)
			sb, err := sandbox.New(name, cfg)
			require.NoError(t, err)
			defer sb.Close()
			gw := newGateway(t, name, sb.URL(), 30*time.Second)
			fx := paygatetest.Fixtures(gw.Capabilities().Currency)
			amount := paygate.MustParseMoney(fx.Amount, fx.Currency)

			goroutines, heap := settle()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			errs := make(chan error, workers)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					req := fx.PayIn()
					req.OrderID, req.Amount, req.NotifyURL = paygatetest.OrderID("C"), amount, "https://merchant.example/cb"
					res, err := gw.PayIn(ctx, req)
					if err == nil {
						_, err = gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: res.OrderID, ProviderOrderID: res.ProviderOrderID})
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			closeIdle(gw)
			after, afterHeap := settle()
			require.LessOrEqual(t, after, goroutines+2, "goroutines back to their start")
			// The sandbox keeps the 2,000 orders it was sent; the client keeps nothing.
			require.Less(t, int64(afterHeap)-int64(heap), int64(16<<20), "heap back near its start")
		})
	}
}

// settle lets finished goroutines exit and collects garbage, then reports both.
func settle() (goroutines int, heap uint64) {
	var ms runtime.MemStats
	for range 20 {
		runtime.GC()
		if n := runtime.NumGoroutine(); n == goroutines {
			break
		} else {
			goroutines = n
		}
		time.Sleep(10 * time.Millisecond)
	}
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}
