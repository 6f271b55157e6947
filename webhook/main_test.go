package webhook_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run when goroutines outlive the tests (handlers blocked in a Deduper,
// servers or connections left open). It does what goleak.VerifyTestMain does; go.uber.org/goleak
// is not a requirement of the module yet, and this package may not change go.mod.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(5 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "webhook tests leaked goroutines:\n\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines polls until only this goroutine is left, or wait is over, and then
// returns the stacks of the others.
func leakedGoroutines(wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		others := otherGoroutines()
		if len(others) == 0 {
			return ""
		}
		if time.Now().After(deadline) {
			return strings.Join(others, "\n\n")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// otherGoroutines returns the stacks of every goroutine but the caller's, less the ones the
// runtime and the testing package keep for themselves.
func otherGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 { // the caller's own goroutine comes first
			continue
		}
		if strings.Contains(g, "os/signal.signal_recv") ||
			strings.Contains(g, "testing.(*M).startAlarm") ||
			strings.Contains(g, "runtime.ensureSigM") {
			continue
		}
		out = append(out, g)
	}
	return out
}
