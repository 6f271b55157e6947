package paypro_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/paypro"
	"github.com/paygate-go/paygate/paypro/payprotest"
)

// TestConformance runs paygatetest's suite against this package's own fake, so that
// `go test ./paypro` checks the client end to end.
func TestConformance(t *testing.T) {
	cfg := paygate.Config{MerchantID: "M10001", APIKey: "conformance-api-key", Secret: "conformance-secret"}
	sb, err := payprotest.New(cfg)
	require.NoError(t, err)
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := paypro.New(cfg)
	require.NoError(t, err)
	defer gw.CloseIdleConnections()
	paygatetest.Run(t, gw, sb)
}
