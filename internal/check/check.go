// Package check holds the request validations provider packages share. Every failure is a
// *paygate.ValidationError naming the request field, raised before any I/O; All merges the
// failures of one request so that the caller learns every field at fault at once.
package check

import (
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
)

// Limits bound an amount; a zero bound is no bound.
type Limits struct {
	Min, Max decimal.Decimal
}

// NewLimits parses two plain decimals ("10", "50000"); empty text is no bound. It panics on
// bad text: limits are constants in provider packages.
func NewLimits(min, max string) Limits {
	var l Limits
	if min != "" {
		l.Min = decimal.RequireFromString(min)
	}
	if max != "" {
		l.Max = decimal.RequireFromString(max)
	}
	return l
}

// Amount checks that m is positive, in currency cur (an unset currency is taken as cur),
// within l, and writable in style without rounding, and returns its wire text.
func Amount(field string, m paygate.Money, cur paygate.Currency, style paygate.AmountStyle, l Limits) (string, error) {
	if m.Currency() != "" && m.Currency() != cur {
		return "", paygate.Invalid(field, "currency %s is not accepted, only %s", m.Currency(), cur)
	}
	if !m.IsPositive() {
		return "", paygate.Invalid(field, "must be greater than zero")
	}
	d := m.Decimal()
	if !l.Min.IsZero() && d.LessThan(l.Min) {
		return "", paygate.Invalid(field, "%s is below the minimum of %s %s", d, l.Min, cur)
	}
	if !l.Max.IsZero() && d.GreaterThan(l.Max) {
		return "", paygate.Invalid(field, "%s is above the maximum of %s %s", d, l.Max, cur)
	}
	s, err := m.Format(style)
	if err != nil {
		if style == paygate.Whole {
			return "", paygate.Invalid(field, "%s has decimals; this provider takes whole amounts only", d)
		}
		return "", paygate.Invalid(field, "%s has more than %d decimal places", d, style.Places())
	}
	return s, nil
}

// Required checks that v is not empty.
func Required(field, v string) error {
	if v == "" {
		return paygate.Invalid(field, "is required")
	}
	return nil
}

// Length checks that v has between min and max characters (max 0: no upper bound).
func Length(field, v string, min, max int) error {
	n := utf8.RuneCountInString(v)
	if n < min || (max > 0 && n > max) {
		if max > 0 {
			return paygate.Invalid(field, "must be %d to %d characters, got %d", min, max, n)
		}
		return paygate.Invalid(field, "must be at least %d characters, got %d", min, n)
	}
	return nil
}

// OneMember checks that v, written into a "k=v&k=v" signature, reads back as one member: a
// value carrying "&name=" could be a re-split of two, so the provider's callbacks naming it
// would be refused as malformed. Refusing it before the order exists loses nothing.
func OneMember(field, v string) error {
	if CarriesMember(v) {
		return paygate.Invalid(field, "must not carry \"&name=\": the provider signs \"k=v&k=v\", where it would read as two fields")
	}
	return nil
}

// CarriesMember reports whether v, written into "k=v&k=v", would read back as more than one
// member: whether some '&' in it is followed by an '=' before the next '&'. "Tea & Coffee"
// does not; "ORD1&paytime=1700000000000" does.
func CarriesMember(v string) bool {
	for _, part := range strings.Split(v, "&")[1:] {
		if strings.Contains(part, "=") {
			return true
		}
	}
	return false
}

// MaxLength checks that v has at most max characters.
func MaxLength(field, v string, max int) error { return Length(field, v, 0, max) }

// URL checks that v, when set, is an absolute http or https URL.
func URL(field, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return paygate.Invalid(field, "must be an absolute http(s) URL")
	}
	return nil
}

// IP checks that v is an IPv4 or IPv6 address.
func IP(field, v string) error {
	if net.ParseIP(v) == nil {
		return paygate.Invalid(field, "%q is not an IP address", v)
	}
	return nil
}

// Digits checks that v is exactly n ASCII digits.
func Digits(field, v string, n int) error {
	if len(v) != n {
		return paygate.Invalid(field, "must be %d digits", n)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return paygate.Invalid(field, "must be %d digits", n)
		}
	}
	return nil
}

// IFSC checks an Indian Financial System Code: 11 characters, four letters, a zero, then six
// letters or digits ("SBIN0001234").
func IFSC(field, v string) error {
	if v == "" {
		return paygate.Invalid(field, "is required")
	}
	ok := len(v) == 11 && v[4] == '0'
	for i := 0; ok && i < len(v); i++ {
		c := v[i]
		letter := c >= 'A' && c <= 'Z'
		ok = (i < 4 && letter) || (i >= 4 && (letter || c >= '0' && c <= '9'))
	}
	if !ok {
		return paygate.Invalid(field, "%q is not an IFSC (11 characters: 4 capital letters, 0, 6 letters or digits)", v)
	}
	return nil
}

// Query checks that a QueryRequest names an order and a known kind.
func Query(req *paygate.QueryRequest) error {
	if req == nil {
		return paygate.Invalid("QueryRequest", "is nil")
	}
	if req.Kind != paygate.KindPayIn && req.Kind != paygate.KindPayOut {
		return paygate.Invalid("Kind", "must be %q or %q, got %q", paygate.KindPayIn, paygate.KindPayOut, req.Kind)
	}
	if req.OrderID == "" && req.ProviderOrderID == "" {
		return paygate.Invalid("OrderID", "OrderID or ProviderOrderID is required")
	}
	return nil
}

// QueryByOrderID is Query for providers that look orders up by the merchant's order number
// only: a request naming only the provider's order number is refused before any I/O.
func QueryByOrderID(req *paygate.QueryRequest) error {
	if err := Query(req); err != nil {
		return err
	}
	if req.OrderID == "" {
		return paygate.Invalid("OrderID", "this provider looks orders up by the merchant order number only")
	}
	return nil
}

// Named sets provider and op on a *paygate.ValidationError, and returns other errors as they are.
func Named(err error, provider, op string) error {
	var ve *paygate.ValidationError
	if errors.As(err, &ve) {
		ve.Provider, ve.Op = provider, op
	}
	return err
}

// All reports every problem of a request at once. The non-nil errors, when they are all
// *paygate.ValidationError, are merged into one whose Problems lists each field at fault
// once (the first problem found for a field wins, so an empty field reported as "is
// required" is not also reported as too short), and whose Field and Reason are the first.
// A lone error is returned as it is. An error of another kind is returned at once: it is not
// a problem of the request.
func All(errs ...error) error {
	var (
		first    *paygate.ValidationError
		problems []paygate.FieldProblem
		seen     = map[string]bool{}
	)
	for _, e := range errs {
		if e == nil {
			continue
		}
		var ve *paygate.ValidationError
		if !errors.As(e, &ve) {
			return e
		}
		if first == nil {
			first = ve
		}
		for _, p := range ve.AllProblems() {
			if !seen[p.Field] {
				seen[p.Field] = true
				problems = append(problems, p)
			}
		}
	}
	switch {
	case first == nil:
		return nil
	case len(problems) == 1:
		return first
	}
	return &paygate.ValidationError{Provider: first.Provider, Op: first.Op,
		Field: problems[0].Field, Reason: problems[0].Reason, Problems: problems}
}

// First is All, under the name the provider packages call it by: despite the name, every
// problem is reported.
func First(errs ...error) error { return All(errs...) }

// Extra copies a request's provider-specific fields into fields: they are sent and signed
// exactly as given, which is what PayInRequest.Extra promises. A field paygate sets itself, one already in fields or named in reserved (the
// signature, credentials, timestamps), is refused rather than overridden. Empty values are
// skipped, as the providers skip them when signing.
func Extra[V any](fields map[string]V, extra map[string]string, reserved ...string) error {
	for k, v := range extra {
		if _, taken := fields[k]; taken || slices.Contains(reserved, k) {
			return paygate.Invalid("Extra."+k, "is set by paygate and cannot be overridden")
		}
		if v != "" {
			fields[k] = any(v).(V)
		}
	}
	return nil
}

// Status looks raw up in table; an unlisted value is StatusUnknown, never success.
func Status(table map[string]paygate.Status, raw string) paygate.Status {
	if s, ok := table[raw]; ok {
		return s
	}
	return paygate.StatusUnknown
}
