package webhook_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when goroutines outlive the tests: handlers blocked in a Deduper,
// servers or connections left open.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
