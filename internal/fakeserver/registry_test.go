package fakeserver

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRegistry(t *testing.T) {
	_, ok := Lookup("registry-test")
	require.False(t, ok)
	s := Register(Spec{Provider: "registry-test", Title: "Registry Test"})
	t.Cleanup(func() { delete(registry, "registry-test") }) // -count=2 registers it afresh
	require.Equal(t, "registry-test", s.Provider)
	got, ok := Lookup("registry-test")
	require.True(t, ok)
	require.Equal(t, "Registry Test", got.Title)
	require.Contains(t, Providers(), "registry-test")
	require.PanicsWithValue(t, "fakeserver: provider registry-test registered twice", func() {
		Register(Spec{Provider: "registry-test"})
	})
}
