package named_test

import (
	"fmt"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/named"
	"github.com/paygate-go/paygate/internal/storetest"
)

// Gateways indexes the gateways a constructor is given by name; a nil one, or two with one
// name, is a wiring mistake that panics at start-up.
func ExampleGateways() {
	byName := named.Gateways("example: New", []paygate.Gateway{storetest.Gateway{}})
	fmt.Println(len(byName), byName["fake"] != nil)
	// Output: 1 true
}
