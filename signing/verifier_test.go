package signing

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// TestVerifierSkipsEmptySecrets: an empty secret is no secret. A Verifier whose secret list
// holds "" (an unset Config.Secret, a stray comma in a hand-built list) must not accept a
// signature computed with the empty secret: anyone can compute that one, so every forged
// callback would verify. The real secrets around it still verify.
func TestVerifierSkipsEmptySecrets(t *testing.T) {
	fields := map[string]string{"orderid": "ORDER1", "amount": "100.00", "status": "paid"}
	tests := []struct {
		name    string
		secrets []string
		signed  string // the secret the callback was signed with
		ok      bool
	}{
		{"current secret", []string{"s3cret", "old"}, "s3cret", true},
		{"previous secret", []string{"s3cret", "old"}, "old", true},
		{"unknown secret", []string{"s3cret", "old"}, "guess", false},
		{"empty current secret is no secret", []string{"", "old"}, "", false},
		{"empty previous secret is no secret", []string{"s3cret", ""}, "", false},
		{"a real secret after an empty one", []string{"", "old"}, "old", true},
		{"only an empty secret", []string{""}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Verifier{Provider: "cashgit", Op: "callback", Secrets: tt.secrets}
			for _, rule := range []func(map[string]string, string) string{KeyParamMD5, AppendMD5, ConcatMD5, ValuesMD5, HMACSHA1} {
				got := rule(fields, tt.signed)
				err := v.Verify(got, func(secret string) string { return rule(fields, secret) })
				if tt.ok {
					require.NoError(t, err)
					continue
				}
				require.ErrorIs(t, err, paygate.ErrInvalidSignature)
				var se *paygate.SignatureError
				require.ErrorAs(t, err, &se)
				require.Equal(t, "signature does not match", se.Reason)
			}
		})
	}
}
