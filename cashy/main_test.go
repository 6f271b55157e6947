package cashy_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a test leaves a goroutine behind (a connection, a server).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
