package caipay_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/caipay"
	"github.com/paygate-go/paygate/caipay/caipaytest"
	"github.com/paygate-go/paygate/paygatetest"
)

// TestConformance runs paygatetest's suite against this package's own fake, so that
// `go test ./caipay` checks the client end to end.
func TestConformance(t *testing.T) {
	cfg := paygate.Config{MerchantID: "M10001", APIKey: "conformance-api-key", Secret: "conformance-secret"}
	sb, err := caipaytest.New(cfg)
	require.NoError(t, err)
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := caipay.New(cfg)
	require.NoError(t, err)
	defer gw.CloseIdleConnections()
	paygatetest.Run(t, gw, sb)
}
