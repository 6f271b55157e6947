package payprotest_test

import (
	"fmt"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paypro/payprotest"
)

// A fake of the provider for a test: point Config.BaseURL at its URL and use the client as in
// production; Settle moves an order and delivers its signed callback.
func Example() {
	cfg := paygate.Config{MerchantID: "M10001", Secret: "sandbox-secret"}
	sb, err := payprotest.New(cfg)
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	cfg.Provider, cfg.BaseURL = payprotest.Provider, sb.URL()
	fmt.Println(sb.Provider(), strings.HasPrefix(cfg.BaseURL, "http://127.0.0.1:"))
	_, err = sb.Order("NO-SUCH-ORDER")
	fmt.Println(err)
	// Output:
	// paypro true
	// sandbox: no such order: "NO-SUCH-ORDER"
}
