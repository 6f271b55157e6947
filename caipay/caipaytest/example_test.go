package caipaytest_test

import (
	"fmt"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/caipay/caipaytest"
)

// A fake of the provider for a test: point Config.BaseURL at its URL and use the client as in
// production; Settle moves an order and delivers its signed callback.
func Example() {
	cfg := paygate.Config{MerchantID: "1919668884792586242", APIKey: "sandbox-token", Secret: "sandbox-secret"}
	sb, err := caipaytest.New(cfg)
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	cfg.Provider, cfg.BaseURL = caipaytest.Provider, sb.URL()
	fmt.Println(sb.Provider(), strings.HasPrefix(cfg.BaseURL, "http://127.0.0.1:"))
	_, err = sb.Order("NO-SUCH-ORDER")
	fmt.Println(err)
	// Output:
	// caipay true
	// sandbox: no such order: "NO-SUCH-ORDER"
}
