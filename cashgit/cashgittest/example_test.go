package cashgittest_test

import (
	"fmt"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit/cashgittest"
)

// A fake of the provider for a test: point Config.BaseURL at its URL and use the client as in
// production; Settle moves an order and delivers its signed callback.
func Example() {
	cfg := paygate.Config{MerchantID: "M10001", Secret: "sandbox-secret"}
	sb, err := cashgittest.New(cfg)
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	cfg.Provider, cfg.BaseURL = cashgittest.Provider, sb.URL()
	fmt.Println(sb.Provider(), strings.HasPrefix(cfg.BaseURL, "http://127.0.0.1:"))
	_, err = sb.Order("NO-SUCH-ORDER")
	fmt.Println(err)
	// Output:
	// cashgit true
	// sandbox: no such order: "NO-SUCH-ORDER"
}
