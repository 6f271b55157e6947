package sandbox_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/sandbox"
)

// signatureKeys are the request members that carry a signature or a credential in some
// provider's requests: an order's kept fields hold none of them.
var signatureKeys = []string{"sign", "signKey", "Sign", "token", "access_key", "secret", "key"}

// TestFakesKeepNoCredentials: each fake keeps a request's fields with its order
// (Order.Fields). The CaiPay fake kept the token (Config.APIKey) and signKey, the PayPro fake
// the sign: every fake now keeps no credential and no signature.
func TestFakesKeepNoCredentials(t *testing.T) {
	w := newWorld(t)
	for _, s := range w.cluster.Servers() {
		t.Run(s.Provider(), func(t *testing.T) {
			cfg := s.Config()
			orders := []string{w.payIn(t, s.Provider()).OrderID}
			if w.gws[s.Provider()].Capabilities().PayOut {
				orders = append(orders, w.payOut(t, s.Provider()).OrderID)
			}
			for _, id := range orders {
				o, err := s.Order(id)
				require.NoError(t, err)
				require.NotEmpty(t, o.Fields)
				for k, v := range o.Fields {
					require.NotContains(t, signatureKeys, k, "order %s keeps %s", id, k)
					for _, secret := range []string{cfg.Secret, cfg.APIKey} {
						if secret != "" {
							require.NotContains(t, v, secret, "order %s keeps a credential in %s", id, k)
						}
					}
				}
			}
		})
	}
}

// TestLegacyOrderShowsNoCredential: the legacy GET /orders/{order_id} wrote the whole Order,
// Fields included, so it served CaiPay's token and the request's signKey, which the rest of the
// dashboard masks. It now serves the JSON API's view of the order.
func TestLegacyOrderShowsNoCredential(t *testing.T) {
	w := newWorld(t)
	for _, s := range w.cluster.Servers() {
		t.Run(s.Provider(), func(t *testing.T) {
			cfg := s.Config()
			res := w.payIn(t, s.Provider())
			for _, path := range []string{"/orders/" + res.OrderID, "/api/orders/" + s.Provider() + "/payin/" + res.OrderID} {
				code, body := get(t, w.dash.URL+path)
				require.Equal(t, http.StatusOK, code, path)
				require.Contains(t, body, `"order_id": "`+res.OrderID+`"`, path)
				require.NotContains(t, body, cfg.Secret, path)
				if cfg.APIKey != "" {
					require.NotContains(t, body, cfg.APIKey, path)
				}
				for _, k := range signatureKeys {
					require.NotContains(t, body, `"`+k+`"`, path)
				}
			}
		})
	}
}

// TestServerAndClusterRedactInFmt: a *sandbox.Server holds the merchant's credentials and
// had no String or Format, so %v printed the secret and API key. Every verb now prints the
// provider, URL and merchant id only; a Cluster likewise.
func TestServerAndClusterRedactInFmt(t *testing.T) {
	cfg := paygate.Config{Provider: "caipay", MerchantID: "M1", APIKey: "tok-REVIEW-key", Secret: "sec-REVIEW-secret"}
	s, err := sandbox.New("caipay", cfg)
	require.NoError(t, err)
	defer s.Close()
	c, err := sandbox.NewCluster([]paygate.Config{cfg})
	require.NoError(t, err)
	defer c.Close()

	for _, v := range []struct {
		name string
		val  any
		want string
	}{
		{"server", s, "sandbox.Server{provider: caipay, url: " + s.URL() + ", merchant_id: M1}"},
		{"cluster", c, "sandbox.Cluster{caipay: " + c.Server("caipay").URL()},
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			out := fmt.Sprintf(verb, v.val)
			require.NotContains(t, out, cfg.Secret, "%s %s", v.name, verb)
			require.NotContains(t, out, cfg.APIKey, "%s %s", v.name, verb)
			require.NotContains(t, out, "736563", "%s %s: the secret in hex", v.name, verb)
			require.Contains(t, out, v.want, "%s %s", v.name, verb)
		}
		require.Contains(t, fmt.Sprint(v.val), v.want)
		require.Contains(t, fmt.Sprint([]any{v.val}), v.want, "nested in a slice")
		require.True(t, strings.HasPrefix(v.val.(fmt.Stringer).String(), v.want[:16]))
	}
	require.Contains(t, fmt.Sprintf("%+v", struct{ S *sandbox.Server }{s}), "sandbox.Server{", "as a field of a struct")
}
