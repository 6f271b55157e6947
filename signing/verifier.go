package signing

import (
	"github.com/paygate-go/paygate"
)

// Verifier checks a callback's signature the same way for every provider: against the
// current secret and then every previous one (so a merchant can rotate secrets without losing
// callbacks), under each of the provider's signing rules in turn, until one matches. Each
// comparison is constant-time and case-insensitive for hex signatures (Equal): the time taken
// can tell which secret matched, never how close a forged signature came.
type Verifier struct {
	Provider string
	Op       string   // names the check in errors: "callback"
	Secrets  []string // the current secret first, then the previous ones
}

// Verify returns nil when got equals sign(secret) for some secret and some rule, and else a
// *paygate.SignatureError. A missing signature is refused as "missing", never compared.
func (v Verifier) Verify(got string, rules ...func(secret string) string) error {
	if got == "" {
		return &paygate.SignatureError{Provider: v.Provider, Op: v.Op, Reason: "signature is missing"}
	}
	for _, secret := range v.Secrets {
		if secret == "" {
			continue
		}
		for _, sign := range rules {
			if Equal(got, sign(secret)) {
				return nil
			}
		}
	}
	return &paygate.SignatureError{Provider: v.Provider, Op: v.Op, Reason: "signature does not match"}
}
