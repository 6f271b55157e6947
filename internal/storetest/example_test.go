package storetest_test

import (
	"fmt"

	"github.com/paygate-go/paygate/internal/storetest"
)

// ExactlyOnce sums the merchant's calls over every process that ran a replica and names each
// callback not handled exactly once.
func ExampleExactlyOnce() {
	thisProcess := map[string]int{storetest.Order(0): 1}
	helper := map[string]int{storetest.Order(0): 1, storetest.Order(1): 1}
	fmt.Println(storetest.ExactlyOnce(2, thisProcess, helper))
	fmt.Println(storetest.ExactlyOnce(2, map[string]int{storetest.Order(1): 1}, map[string]int{storetest.Order(0): 1}))
	// Output:
	// not exactly once: order-000 called 2 times
	// <nil>
}
