package main

import (
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDemo serves every provider's callbacks and settles one order per provider.
func TestDemo(t *testing.T) {
	require.NoError(t, runDemo(slog.New(slog.NewTextHandler(io.Discard, nil))))
}
