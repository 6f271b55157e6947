package tracker_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when goroutines outlive the tests: Run loops, pollers, servers.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
