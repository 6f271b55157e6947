package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/sandbox"
)

// TestQuickstart runs the README's first command for every provider.
func TestQuickstart(t *testing.T) {
	for _, p := range sandbox.Providers() {
		t.Run(p, func(t *testing.T) { require.NoError(t, run(p)) })
	}
}
