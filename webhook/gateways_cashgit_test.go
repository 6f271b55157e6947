package webhook_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/signing"
)

// cashgitCase is CashGit in the TestGateways table: a pay-in callback as CashGit's API document
// shows it (paytime a JSON number, signed as its text), signed with the documented key_param
// style.
func cashgitCase(t *testing.T) gatewayCase {
	t.Helper()
	const secret = "cashgit-test-secret"
	gw, err := cashgit.New(paygate.Config{Provider: cashgit.Name, MerchantID: "10001", Secret: secret})
	require.NoError(t, err)
	t.Cleanup(gw.CloseIdleConnections)

	base := map[string]string{
		"appid": "10001", "orderid": "ORD-20250101-0001", "platform_orderid": "CG202501010001",
		"amount": "500.00", "status": "success", "utr": "412345678901", "paytime": "1735689600000",
	}
	// body writes fields as JSON, paytime as a number, signed with secret unless sign is set.
	body := func(f map[string]string, secret string) []byte {
		f = maps.Clone(f)
		if _, ok := f["sign"]; !ok {
			f["sign"] = signing.KeyParamMD5(f, secret)
		}
		paytime := f["paytime"]
		delete(f, "paytime")
		b, err := json.Marshal(f)
		require.NoError(t, err)
		return fmt.Appendf(b[:len(b)-1], `,"paytime":%s}`, paytime)
	}
	header := http.Header{"Content-Type": {"application/json"}}
	edit := func(change func(f map[string]string), signWith string) func(http.Header, []byte) (http.Header, []byte) {
		return func(h http.Header, _ []byte) (http.Header, []byte) {
			f := maps.Clone(base)
			if signWith == "" { // sign the original, then change: a tampered body
				f["sign"] = signing.KeyParamMD5(f, secret)
			}
			change(f)
			return h, body(f, signWith)
		}
	}
	return gatewayCase{
		name: cashgit.Name,
		gw:   gw,
		good: func() (http.Header, []byte) { return header.Clone(), body(base, secret) },
		tampers: []tamper{
			{"forged with another secret", edit(func(map[string]string) {}, "guessed-secret")},
			{"amount changed after signing", edit(func(f map[string]string) { f["amount"] = "50000.00" }, "")},
			{"status changed after signing", edit(func(f map[string]string) { f["status"] = "failed" }, "")},
			{"paytime changed after signing", edit(func(f map[string]string) { f["paytime"] = "1735689600001" }, "")},
			{"sign missing", edit(func(f map[string]string) { f["sign"] = "" }, "")},
			{"another merchant's callback", edit(func(f map[string]string) { f["appid"] = "10002" }, secret)},
		},
	}
}
