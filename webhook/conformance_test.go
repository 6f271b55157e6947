package webhook_test

import (
	"testing"

	"github.com/paygate-go/paygate/webhook"
	"github.com/paygate-go/paygate/webhook/dedupetest"
)

// The memory Deduper passes the conformance suite every Deduper must. It has no lease: a
// claim lives in the process holding it and ends by Done or Release.
func TestMemoryDeduperConformance(t *testing.T) {
	dedupetest.Run(t, func(_ *testing.T, cfg dedupetest.Config) func() webhook.Deduper {
		d := webhook.NewMemoryDeduper(cfg.DoneTTL, 0)
		return func() webhook.Deduper { return d }
	}, dedupetest.WithoutLease())
}
