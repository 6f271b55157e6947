package paypro_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/signing"
)

// TestSignSeedLayout rebuilds, by hand, the canonical string of the request example in PayPro's
// documentation (docs.paypro.tech) — keys in ASCII order, "k=v" with no separator, the secret
// appended — and checks it against signing.ConcatMD5 and the vector computed outside Go in
// internal/testdata/paypro.
func TestSignSeedLayout(t *testing.T) {
	raw, err := os.ReadFile("../internal/testdata/paypro/sign_vectors.json")
	require.NoError(t, err)
	var file struct {
		Vectors []struct {
			Name, Secret, Canonical, Sign string
			Fields                        map[string]string
		}
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	require.NotEmpty(t, file.Vectors)
	for _, v := range file.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			const canonical = "amount=300" + "email=123@qq.com" + "ipAddress=14.155.28.59" + "mobile=918234567890" +
				"name=abc" + "notifyUrl=https://google.com" + "remark=000000" + "returnUrl=http://abc.com/callback_page" +
				"timestamp=1724142041682" + "tradeNo=00000007"
			require.Equal(t, canonical, v.Canonical)
			sum := md5.Sum([]byte(canonical + v.Secret))
			want := hex.EncodeToString(sum[:])
			require.Equal(t, want, v.Sign)
			require.Equal(t, canonical, signing.ConcatCanonical(v.Fields))
			require.Equal(t, want, signing.ConcatMD5(v.Fields, v.Secret))

			withSign := map[string]string{"sign": "f53ee692f15d0329a1461373b67ff25a", "empty": ""}
			for k, x := range v.Fields {
				withSign[k] = x
			}
			require.Equal(t, want, signing.ConcatMD5(withSign, v.Secret), "sign and empty values are skipped")
		})
	}
}

// TestPayInSignsSeedExample sends the documentation's example through PayIn (the clock set to
// its timestamp) and checks the body's sign against the hand-built canonical string. The seed's
// mobile carries 91, which PayIn strips: the signed text has the 10-digit number.
func TestPayInSignsSeedExample(t *testing.T) {
	s := newServer(t, ok(payInData))
	c := newClient(t, s, func(cfg *paygate.Config) { cfg.Secret = "paypro-test-secret" },
		paygate.WithClock(func() time.Time { return time.UnixMilli(1724142041682) }))
	_, err := c.PayIn(context.Background(), &paygate.PayInRequest{
		OrderID: "00000007", Amount: money("300"),
		Customer:  paygate.Customer{Name: "abc", Email: "123@qq.com", Phone: "918234567890", IP: "14.155.28.59"},
		NotifyURL: "https://google.com", ReturnURL: "http://abc.com/callback_page", Remark: "000000",
	})
	require.NoError(t, err)
	var body map[string]string
	require.NoError(t, json.Unmarshal(s.last(t).Body, &body))
	canonical := "amount=300email=123@qq.comipAddress=14.155.28.59mobile=8234567890name=abcnotifyUrl=https://google.com" +
		"remark=000000returnUrl=http://abc.com/callback_pagetimestamp=1724142041682tradeNo=00000007"
	sum := md5.Sum([]byte(canonical + "paypro-test-secret"))
	require.Equal(t, hex.EncodeToString(sum[:]), body["sign"])
}
