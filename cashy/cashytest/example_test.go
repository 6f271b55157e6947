package cashytest_test

import (
	"fmt"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashy/cashytest"
)

// A fake of the provider for a test: point Config.BaseURL at its URL and use the client as in
// production; Settle moves an order and delivers its signed callback.
func Example() {
	cfg := paygate.Config{MerchantID: "1002001", Secret: "sandbox-secret"}
	sb, err := cashytest.New(cfg)
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	cfg.Provider, cfg.BaseURL = cashytest.Provider, sb.URL()
	fmt.Println(sb.Provider(), strings.HasPrefix(cfg.BaseURL, "http://127.0.0.1:"))
	_, err = sb.Order("NO-SUCH-ORDER")
	fmt.Println(err)
	// Output:
	// cashy true
	// sandbox: no such order: "NO-SUCH-ORDER"
}
