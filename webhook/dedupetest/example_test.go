package dedupetest_test

import (
	"testing"

	"github.com/paygate-go/paygate/webhook"
	"github.com/paygate-go/paygate/webhook/dedupetest"
)

// A merchant checks its own Deduper the way paygate checks the memory one: Open returns the
// replicas of a fresh store. An in-process Deduper is one store shared by every "replica".
func ExampleRun() {
	_ = func(t *testing.T) {
		dedupetest.Run(t, func(t *testing.T, cfg dedupetest.Config) func() webhook.Deduper {
			d := webhook.NewMemoryDeduper(cfg.DoneTTL, 0)
			return func() webhook.Deduper { return d }
		}, dedupetest.WithoutLease())
	}
}
