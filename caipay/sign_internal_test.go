package caipay

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// TestSignKeyVector sends the sample code's example (CaiPay's API document, section 5) through
// the client's own request path and checks the signKey on the wire against the one its Java and
// PHP samples produce (internal/testdata/signatures.json).
func TestSignKeyVector(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "signatures.json"))
	require.NoError(t, err)
	var vectors struct {
		CaiPay []struct {
			Name    string            `json:"name"`
			Secret  string            `json:"secret"`
			Params  map[string]string `json:"params"`
			SignKey string            `json:"signKey"`
		} `json:"caipay"`
	}
	require.NoError(t, json.Unmarshal(raw, &vectors))
	require.NotEmpty(t, vectors.CaiPay)
	for _, v := range vectors.CaiPay {
		t.Run(v.Name, func(t *testing.T) {
			// The Java sample's string, by hand: values in ASCII key order (amount, callbackUrl,
			// customerOrderNo, rechargeEmail, rechargeName, rechargePhone, tenantId, token).
			p := v.Params
			text := p["amount"] + p["callbackUrl"] + p["customerOrderNo"] + p["rechargeEmail"] + p["rechargeName"] +
				p["rechargePhone"] + p["tenantId"] + p["token"] + v.Secret
			sum := md5.Sum([]byte(text))
			require.Equal(t, v.SignKey, hex.EncodeToString(sum[:]), "the vector is the documented rule")

			var got string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.URL.Query().Get("signKey")
				_, _ = w.Write([]byte(`{"code":400,"msg":"test","data":null,"ok":false}`))
			}))
			defer srv.Close()
			c, err := New(paygate.Config{BaseURL: srv.URL, MerchantID: p["tenantId"], APIKey: p["token"], Secret: v.Secret})
			require.NoError(t, err)
			fields := map[string]string{}
			for k, val := range p {
				if k != "token" && k != "tenantId" {
					fields[k] = val
				}
			}
			_, err = c.do(context.Background(), call{op: "payin", method: http.MethodGet, path: PathPayIn, fields: fields}, &payInData{})
			require.Error(t, err)
			require.Equal(t, v.SignKey, got)
		})
	}
}
