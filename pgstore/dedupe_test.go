package pgstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/storetest"
	"github.com/paygate-go/paygate/pgstore"
	"github.com/paygate-go/paygate/webhook"
)

// A merchant's function slower than the lease keeps its claim: the holder renews the lease,
// so the provider's retry landing on another replica waits for it and is acknowledged as a
// duplicate instead of running the function a second time, concurrently.
func TestLeaseRenewedWhileFnRuns(t *testing.T) {
	_, schema := migrated(t)
	const lease = 300 * time.Millisecond
	storetest.LeaseRenewed(t, lease, func() webhook.Deduper {
		d, err := pgstore.NewDeduper(replicaPool(t, schema), pgstore.WithLease(lease))
		require.NoError(t, err)
		return d
	})
}
