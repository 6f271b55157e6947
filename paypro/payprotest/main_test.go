package payprotest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a server or a callback retry outlives its test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
