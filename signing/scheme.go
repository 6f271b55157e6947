package signing

import (
	"slices"

	"github.com/paygate-go/paygate/internal/registry"
)

// Scheme is how a provider signs a request, as a person checking one by hand needs to know it
// (the paygate sign and verify commands). Each provider package declares its schemes as
// SignSchemes and registers them under its name; Schemes returns them.
type Scheme struct {
	// Name tells a provider's schemes apart where it has more than one (CashGit's "key_param"
	// and "append"); the first registered is the one requests are signed with by default.
	Name string
	// Canonical is the string that is hashed, and Sign the signature, over a request's fields.
	// Both are nil where the provider signs the raw body.
	Canonical func(fields map[string]string) string
	Sign      func(fields map[string]string, secret string) string
	// SignBody signs the raw body bytes, where that is what the provider signs (Cashy).
	SignBody func(body []byte, secret string) string
	// Formula says how the canonical string (or the body) and the secret are hashed.
	Formula string
	// Field is the request field that carries the signature; "" where it travels in a header.
	Field string
	// Requires are fields that must be among those signed: DeekPay signs the values of its
	// access_key, timestamp and nonce headers with the fields.
	Requires []string
}

var schemes = registry.New[[]Scheme]("signing: Register")

// Register records provider's signing schemes, the default first. Provider packages call it
// from init; registering a provider twice, or no scheme, panics.
func Register(provider string, s ...Scheme) {
	if len(s) == 0 {
		panic("signing: Register of no scheme for " + provider)
	}
	schemes.Add(provider, slices.Clone(s))
}

// Schemes returns provider's signing schemes, the default first, or nil for a provider that
// registered none.
func Schemes(provider string) []Scheme {
	s, _ := schemes.Get(provider)
	return slices.Clone(s)
}

// Providers returns the names of the providers that registered schemes, sorted.
func Providers() []string { return schemes.Names() }
