package paygatetest_test

import (
	"testing"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// TestConformance runs the suite for every provider the sandbox fakes. Each provider's
// package is blank-imported by its own file here (cashgit_test.go, ...).
func TestConformance(t *testing.T) {
	for _, name := range sandbox.Providers() {
		t.Run(name, func(t *testing.T) {
			cfg := paygate.Config{Provider: name, MerchantID: "M10001", APIKey: "test-api-key", Secret: "test-secret-" + name}
			sb, err := sandbox.New(name, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			cfg.BaseURL = sb.URL()
			gw, err := paygate.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			paygatetest.Run(t, gw, sb)
		})
	}
}
