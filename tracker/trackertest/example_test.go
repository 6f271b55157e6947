package trackertest_test

import (
	"testing"

	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/tracker/trackertest"
)

// The memory store passes the suite; a store of one's own runs it the same way.
func TestMemoryStore(t *testing.T) {
	trackertest.Run(t, func(*testing.T) tracker.Store { return tracker.NewMemoryStore() })
}

// Run the suite from a store's tests, with a fresh empty store for each subtest.
func Example() {
	_ = func(t *testing.T) {
		trackertest.Run(t, func(*testing.T) tracker.Store { return tracker.NewMemoryStore() })
	}
}
