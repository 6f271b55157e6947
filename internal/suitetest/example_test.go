package suitetest_test

import (
	"fmt"
	"testing"

	"github.com/paygate-go/paygate/internal/suitetest"
)

// A suite's test package runs the suite against a broken implementation in a child process and
// checks that the subtest guarding the broken promise failed.
func ExampleFailures() {
	_ = func(t *testing.T) {
		failed := suitetest.Failures(t, "TestBrokenStore", "forgets-done")
		fmt.Println(failed) // [ClaimThenDone ...]
	}
}

// In the child process, Broken names the implementation to run the suite against.
func ExampleBroken() {
	fmt.Printf("%q\n", suitetest.Broken()) // "" outside a child process
	// Output: ""
}
