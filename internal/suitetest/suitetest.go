// Package suitetest checks that a conformance suite fails where it should. A suite that knows
// no implementation (webhook/dedupetest, paygatetest/limitertest, tracker/trackertest) is
// only worth its passes if it fails a broken implementation: Failures runs the suite against
// one in a child process — this test binary again, as os/exec's own tests do — and returns
// the subtests that failed there.
//
// The test package holds two tests: one that runs the suite against the implementation
// named by Broken (and returns at once when Broken is empty, as in the parent), and one that
// calls Check with the subtests each broken implementation must fail.
package suitetest

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// env names the broken implementation a child process runs the suite against.
const env = "PAYGATE_SUITETEST_BROKEN"

// Broken is the name of the broken implementation this process was started to run a suite
// against, or "" in a process Failures did not start.
func Broken() string { return os.Getenv(env) }

// failLine is go test -v's report of a failed subtest, indented by its depth.
var failLine = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)

// Failures runs the test named test in a child process with Broken returning broken, and
// returns the names of the subtests below test that failed there, relative to test
// ("ClaimThenDone", "Waiting/Cancelled"), sorted. It fails t when the child fails without
// any failed subtest (a crash, a timeout, a test that does not exist).
func Failures(t testing.TB, test, broken string) []string {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), os.Args[0], //nolint:gosec // this test binary itself
		"-test.run=^"+test+"$", "-test.v", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), env+"="+broken)
	out, err := cmd.CombinedOutput()
	var failed []string
	for _, m := range failLine.FindAllStringSubmatch(string(out), -1) {
		if name, ok := strings.CutPrefix(m[1], test+"/"); ok {
			failed = append(failed, name)
		}
	}
	slices.Sort(failed)
	if err != nil && len(failed) == 0 {
		t.Fatalf("%s against %q failed without a failed subtest: %v\n%s", test, broken, err, out)
	}
	if !strings.Contains(string(out), "=== RUN   "+test) {
		t.Fatalf("%s did not run in the child process:\n%s", test, out)
	}
	return failed
}

// Check runs test against each broken implementation of want, in parallel subtests of t
// named after it, and fails each one where a subtest want names for it did not fail.
func Check(t *testing.T, test string, want map[string][]string) {
	t.Helper()
	for broken, subtests := range want {
		t.Run(broken, func(t *testing.T) {
			t.Parallel()
			failed := Failures(t, test, broken)
			for _, s := range subtests {
				if !slices.Contains(failed, s) {
					t.Errorf("%s against %q: subtest %s passed (failed: %v)", test, broken, s, failed)
				}
			}
		})
	}
}
