package fakeserver

import (
	"encoding/json"
	"net/http"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
)

// Missing returns the first of keys whose value in fields is empty, and "" when every one has
// a value. The fake words the refusal as its provider does.
func Missing(fields map[string]string, keys ...string) string {
	for _, k := range keys {
		if fields[k] == "" {
			return k
		}
	}
	return ""
}

// Amount parses text as an amount the fakes accept: a plain decimal number as
// paygate.ParseDecimal reads it (digits and at most one point, no exponent), positive, with at
// most two decimal places. ok is false when text is not one; the fake words the
// refusal as its provider does, and adds its provider's own limits.
func Amount(text string) (d decimal.Decimal, ok bool) {
	d, err := paygate.ParseDecimal(text)
	if err != nil || !d.IsPositive() || !d.Equal(d.Truncate(2)) {
		return decimal.Decimal{}, false
	}
	return d, true
}

// JSONCallback is a callback whose body is v as JSON, as Fake.Callback returns it.
func JSONCallback(v any) (http.Header, []byte, error) {
	b, err := json.Marshal(v)
	return http.Header{"Content-Type": {"application/json"}}, b, err
}

// DefaultSchedule is the callback retry schedule the sandbox gives a provider that does not
// document its intervals: after 1, 2, 4, 8 and 16 minutes.
func DefaultSchedule() []int { return []int{1, 2, 4, 8, 16} }
