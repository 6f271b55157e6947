package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSwitching runs the same merchant code against every embedded provider config.
func TestSwitching(t *testing.T) {
	t.Setenv("PAYGATE_DEMO_API_KEY", "demo-api-key")
	t.Setenv("PAYGATE_DEMO_SECRET", "demo-secret")
	require.NoError(t, run(""))
}
