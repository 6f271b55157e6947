package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The lost callback is recovered by a poll, the delivered one is not polled at all.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	require.Equal(t, `sandbox: DEMO_LOST_01 succeeded
sandbox: its callback was lost
sandbox: DEMO_OK_0002 succeeded
cashgit payin DEMO_OK_0002: succeeded (by callback)
sandbox: its callback was acknowledged
cashgit payin DEMO_LOST_01: succeeded (by poll)
queries made by the tracker: 1
`, out.String())
}
