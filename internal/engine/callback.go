package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/signing"
)

// Scheme is how a provider's callback signature joins the body's members, which decides what
// a forger could re-split without changing the signature.
type Scheme int

// The schemes.
const (
	// PairsJoined signs "k=v&k=v" (DeekPay, CashGit): a key containing '&' or '=', or a value
	// containing "&k=", could turn two signed members into one forged member, so such keys and
	// values are refused.
	PairsJoined Scheme = iota
	// PairsConcatenated signs "k1=v1k2=v2" with no separator (PayPro): a value can swallow the
	// next member. Only documented keys are accepted, and no value may carry "key=".
	PairsConcatenated
	// ValuesOnly signs the values alone (CaiPay): keys can be renamed. Only documented keys
	// are accepted, and no value may carry "key=".
	ValuesOnly
	// RawBody signs the exact body bytes (Cashy): nothing can be re-split.
	RawBody
)

// Schema is a provider's callback as its documents describe it.
type Schema struct {
	Scheme Scheme
	// Known are the documented keys. For PairsConcatenated and ValuesOnly a key outside them
	// is refused; for the other schemes they are informational.
	Known []string
	// Required are the keys the SDK reads, which must be present and non-empty. The
	// provider's order number is among them where the provider always sends one.
	Required []string
}

// Check refuses a verified callback's fields that do not have the documented shape: a body
// whose genuine signature could also belong to another body (a re-split) is not trusted. The
// error is a *paygate.CallbackError naming the key at fault (Callback adds the provider).
func (s Schema) Check(fields map[string]string) error {
	strict := s.Scheme == PairsConcatenated || s.Scheme == ValuesOnly
	for k, v := range fields {
		if s.Scheme == PairsJoined {
			if strings.ContainsAny(k, "&=") {
				return shape(k, "the key contains '&' or '=': it could be a re-split of two signed members")
			}
			if check.CarriesMember(v) {
				return shape(k, "the value carries \"&name=\": it could be a re-split of two signed members")
			}
		}
		if !strict {
			continue
		}
		if !slices.Contains(s.Known, k) {
			return shape(k, "the key is not in the provider's documented callback")
		}
		if !strings.Contains(v, "=") {
			continue
		}
		for _, other := range s.Known {
			if strings.Contains(v, other+"=") {
				return shape(k, fmt.Sprintf("the value carries %q: it could swallow another member", other+"="))
			}
		}
	}
	return nil
}

// Present checks that every required field is there after the signature verified: a
// *paygate.CallbackError naming the first one missing.
func (s Schema) Present(fields map[string]string) error {
	for _, k := range s.Required {
		if fields[k] == "" {
			return shape(k, "missing")
		}
	}
	return nil
}

// shape is a *paygate.CallbackError naming field; Callback sets its provider.
func shape(field, reason string) *paygate.CallbackError {
	return &paygate.CallbackError{Field: field, Err: errors.New(reason)}
}

// named sets the provider of err, a *paygate.CallbackError of Check or Present.
func (b *Base) named(err error) error {
	var ce *paygate.CallbackError
	if errors.As(err, &ce) {
		ce.Provider = b.spec.Name
	}
	return err
}

// MalformedField is a *paygate.CallbackError naming field.
func (b *Base) MalformedField(field string, err error) error {
	return &paygate.CallbackError{Provider: b.spec.Name, Field: field, Err: err}
}

// Callback is the one verifier's first half: it reads body as flat fields, checks its shape
// against schema and its signature with rules under every secret, and returns the fields.
// sig is the signature the provider sent (a field of the body or a header); rules compute the
// expected one for a secret. Nothing of the body is trusted before Callback returns nil.
func (b *Base) Callback(body []byte, schema Schema, sig func(fields map[string]string) string, rules ...func(fields map[string]string, secret string) string) (map[string]string, error) {
	if schema.Scheme == RawBody { // the signature is over the bytes: check it before reading them
		if err := b.Verify(sig(nil), nil, rules...); err != nil {
			return nil, err
		}
	}
	fields, err := signing.Fields(body)
	if err != nil {
		return nil, &paygate.CallbackError{Provider: b.spec.Name, Err: err}
	}
	if schema.Scheme != RawBody {
		if err := b.Verify(sig(fields), fields, rules...); err != nil {
			return nil, err
		}
		if err := schema.Check(fields); err != nil {
			return nil, b.named(err)
		}
	}
	if err := schema.Present(fields); err != nil {
		return nil, b.named(err)
	}
	return fields, nil
}

// Verify checks got against rules over fields under every secret (signing.Verifier).
func (b *Base) Verify(got string, fields map[string]string, rules ...func(fields map[string]string, secret string) string) error {
	v := signing.Verifier{Provider: b.spec.Name, Op: "callback", Secrets: b.Secrets}
	if len(rules) == 1 {
		r := rules[0]
		return v.Verify(got, func(secret string) string { return r(fields, secret) })
	}
	bound := make([]func(string) string, len(rules))
	for i, r := range rules {
		bound[i] = func(secret string) string { return r(fields, secret) }
	}
	return v.Verify(got, bound...)
}

// Ours refuses a verified callback that names another merchant: each of named (a field's or a
// header's value) must be this merchant's ID, or empty. An empty (or null) member is not
// signed, so it says nothing, whoever added it.
func (b *Base) Ours(named ...string) error {
	for _, m := range named {
		if m != "" && m != b.merchantID {
			return b.Refuse("callback for another merchant")
		}
	}
	return nil
}

// Refuse is a *paygate.SignatureError of a verified callback that is not for this merchant.
func (b *Base) Refuse(reason string) error {
	return &paygate.SignatureError{Provider: b.spec.Name, Op: "callback", Reason: reason}
}
