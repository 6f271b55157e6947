package cashy_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashy"
	"github.com/paygate-go/paygate/cashy/cashytest"
	"github.com/paygate-go/paygate/paygatetest"
)

// TestConformance runs paygatetest's suite against this package's own fake, so that
// `go test ./cashy` checks the client end to end.
func TestConformance(t *testing.T) {
	cfg := paygate.Config{MerchantID: "M10001", APIKey: "conformance-api-key", Secret: "conformance-secret"}
	sb, err := cashytest.New(cfg)
	require.NoError(t, err)
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := cashy.New(cfg)
	require.NoError(t, err)
	defer gw.CloseIdleConnections()
	paygatetest.Run(t, gw, sb)
}
