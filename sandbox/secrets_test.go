package sandbox_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
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
