package storetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paygate-go/paygate/webhook"
)

// Environment of a helper replica process.
const (
	HelperEnv = "PAYGATE_STORETEST_HELPER" // "1" in the helper process
	NSEnv     = "PAYGATE_STORETEST_NS"     // the store's namespace: a key prefix or a schema
	LeaseEnv  = "PAYGATE_STORETEST_LEASE"  // the Deduper's lease, as time.ParseDuration reads
	HoldEnv   = "PAYGATE_STORETEST_HOLD"   // an order whose call hangs until stdin ends
)

// IsHelper reports whether this test binary was started by StartHelper: the test named
// TestHelperProcess should then call ServeHelper, and return at once otherwise.
func IsHelper() bool { return os.Getenv(HelperEnv) == "1" }

// Lease is the lease the parent asked the helper for.
func Lease(t testing.TB) time.Duration {
	d, err := time.ParseDuration(os.Getenv(LeaseEnv))
	if err != nil {
		t.Fatalf("%s: %v", LeaseEnv, err)
	}
	return d
}

// ServeHelper runs a replica over d in the helper process: it prints "URL <url>", then
// "CALL <order>" for every call of the merchant's function, and "HOLD <order>" when the call
// for HoldEnv's order starts, which then hangs. It returns when stdin ends.
func ServeHelper(t testing.TB, d webhook.Deduper) {
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
	}
	stdinDone := make(chan struct{})
	hold := os.Getenv(HoldEnv)
	rec := &Recorder{}
	srv := httptest.NewServer(webhook.Handler(Gateway{}, rec.Func(func(_ context.Context, order string) {
		say("CALL %s", order)
		if order == hold {
			say("HOLD %s", order)
			<-stdinDone
		}
	}), webhook.WithDeduper(d)))
	say("URL %s", srv.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
	close(stdinDone)
	srv.Close()
}

// Helper is a replica running in another OS process: this test binary started again.
type Helper struct {
	// URL is the helper's callback URL.
	URL string

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr bytes.Buffer
	done   chan struct{} // closed when stdout ends
	holds  chan string
	calls  counts
	end    sync.Once // Kill or Stop, whichever comes first
}

// StartHelper starts this test binary again running only TestHelperProcess, with env added
// to the environment (HelperEnv is set), waits for its URL, and stops it when the test ends.
func StartHelper(t testing.TB, env ...string) *Helper {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1") //nolint:gosec // this test binary itself

	cmd.Env = append(os.Environ(), append([]string{HelperEnv + "=1"}, env...)...)
	h := &Helper{cmd: cmd, done: make(chan struct{}), holds: make(chan string, 16)}
	cmd.Stderr = &h.stderr
	var err error
	if h.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		defer close(h.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			word, arg, _ := strings.Cut(sc.Text(), " ")
			switch word {
			case "URL":
				urls <- arg
			case "CALL":
				h.calls.add(arg)
			case "HOLD":
				h.holds <- arg
			}
		}
	}()
	t.Cleanup(h.Stop)
	select {
	case h.URL = <-urls:
	case <-h.done:
		h.Stop()
		t.Fatalf("helper process ended before serving: %s", h.stderr.String())
	case <-time.After(30 * time.Second):
		h.Stop()
		t.Fatal("helper process did not start in 30 s")
	}
	return h
}

// Calls returns the helper's calls per order so far.
func (h *Helper) Calls() map[string]int { return h.calls.snapshot() }

// Holds receives the order of each call that started hanging.
func (h *Helper) Holds() <-chan string { return h.holds }

// Kill ends the helper at once, as a crash would.
func (h *Helper) Kill() {
	h.end.Do(func() {
		_ = h.cmd.Process.Kill()
		<-h.done
		_ = h.cmd.Wait()
	})
}

// Stop asks the helper to finish (its stdin ends) and waits for it, killing it after 10 s.
func (h *Helper) Stop() {
	h.end.Do(func() {
		_ = h.stdin.Close()
		select {
		case <-h.done:
		case <-time.After(10 * time.Second):
			_ = h.cmd.Process.Kill()
			<-h.done
		}
		_ = h.cmd.Wait()
	})
}

// NS is the store namespace the parent gave the helper.
func NS() string { return os.Getenv(NSEnv) }
