package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRouting runs the example: every pay-in succeeds at one of the two providers that are up.
func TestRouting(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, 20))
	t.Log("\n" + out.String())
	require.Contains(t, out.String(), "deekpay's circuit is open")
	require.NotContains(t, out.String(), "deekpay took")
}
