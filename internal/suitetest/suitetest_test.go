package suitetest_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paygate-go/paygate/internal/suitetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSuite stands for a conformance suite: in a child process started by Failures, its
// subtests named by Broken fail.
func TestSuite(t *testing.T) {
	broken := suitetest.Broken()
	if broken == "" {
		return // run by TestFailures
	}
	for _, name := range []string{"Claim", "Done", "Nested"} {
		t.Run(name, func(t *testing.T) {
			if name == "Nested" {
				t.Run("Inner", func(t *testing.T) {
					if broken == "nested" {
						t.Error("broken")
					}
				})
				return
			}
			if broken == name || broken == "both" {
				t.Error("broken")
			}
		})
	}
}

func TestFailures(t *testing.T) {
	for _, tt := range []struct {
		broken string
		want   []string
	}{
		{"Claim", []string{"Claim"}},
		{"both", []string{"Claim", "Done"}},
		{"nested", []string{"Nested", "Nested/Inner"}},
		{"none", nil},
	} {
		t.Run(tt.broken, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, suitetest.Failures(t, "TestSuite", tt.broken))
		})
	}
}

func TestCheck(t *testing.T) {
	suitetest.Check(t, "TestSuite", map[string][]string{"both": {"Claim", "Done"}, "nested": {"Nested/Inner"}})
}
