package pgstore_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/storetest"
	"github.com/paygate-go/paygate/pgstore"
)

// A merchant's function slower than the lease keeps its claim: the holder renews the lease,
// so the provider's retry landing on another replica waits for it and is acknowledged as a
// duplicate instead of running the function a second time, concurrently.
func TestLeaseRenewedWhileFnRuns(t *testing.T) {
	_, schema := migrated(t)
	const lease = 300 * time.Millisecond
	rec := &storetest.Recorder{Delay: 4 * lease}
	open := func() string {
		d, err := pgstore.NewDeduper(replicaPool(t, schema), pgstore.WithLease(lease))
		require.NoError(t, err)
		return storetest.Replica(t, d, rec.Func(nil))
	}
	a, b := open(), open()
	body := storetest.Body("order-lease")
	var wg sync.WaitGroup
	codes := make([]int, 2)
	wg.Go(func() { codes[0], _, _ = storetest.Post(context.Background(), a, body) })
	time.Sleep(2 * lease) // the provider's retry (after its own timeout) reaches replica b
	wg.Go(func() { codes[1], _, _ = storetest.Post(context.Background(), b, body) })
	wg.Wait()
	require.Equal(t, []int{http.StatusOK, http.StatusOK}, codes)
	require.Empty(t, rec.Overlaps(), "fn ran twice at once for one callback")
	require.Equal(t, map[string]int{"order-lease": 1}, rec.Calls(), "fn called once per callback")
}
