package named_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/named"
	"github.com/paygate-go/paygate/internal/storetest"
)

func TestGateways(t *testing.T) {
	gw := storetest.Gateway{}
	require.Equal(t, map[string]paygate.Gateway{"fake": gw}, named.Gateways("x: New", []paygate.Gateway{gw}))
	require.PanicsWithValue(t, "x: New with a nil Gateway", func() { named.Gateways("x: New", []paygate.Gateway{gw, nil}) })
	require.PanicsWithValue(t, "x: New with two gateways named fake", func() { named.Gateways("x: New", []paygate.Gateway{gw, gw}) })
}
