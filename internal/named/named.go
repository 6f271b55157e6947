// Package named holds what the constructors taking several gateways share: indexing them by
// name, with wiring mistakes caught at start-up.
package named

import "github.com/paygate-go/paygate"

// Gateways returns gws keyed by Name. It panics if a gateway is nil or two share a name, the
// message starting with caller ("tracker: New").
func Gateways(caller string, gws []paygate.Gateway) map[string]paygate.Gateway {
	out := make(map[string]paygate.Gateway, len(gws))
	for _, gw := range gws {
		if gw == nil {
			panic(caller + " with a nil Gateway")
		}
		name := gw.Name()
		if _, dup := out[name]; dup {
			panic(caller + " with two gateways named " + name)
		}
		out[name] = gw
	}
	return out
}
