// Package wire holds the JSON field types provider responses and callbacks share: amounts that
// arrive as strings or numbers, decoded exactly; text that arrives as a string or a number;
// millisecond timestamps. Nothing here passes through float64.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/signing"
)

// Amount is an amount the provider writes as a JSON string ("100.00") or number (20000.00).
// "", "None" and null leave it unset.
type Amount struct {
	Value decimal.Decimal
	Set   bool
}

// UnmarshalJSON decodes exactly.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" || string(b) == `""` || string(b) == `"None"` {
		*a = Amount{}
		return nil
	}
	d, err := paygate.DecodeAmount(b)
	if err != nil {
		return err
	}
	*a = Amount{Value: d, Set: true}
	return nil
}

// MarshalJSON writes the amount as a JSON string, or null when unset.
func (a Amount) MarshalJSON() ([]byte, error) {
	if !a.Set {
		return []byte("null"), nil
	}
	return json.Marshal(a.Value.String())
}

// Money returns the amount in currency c; unset is zero.
func (a Amount) Money(c paygate.Currency) paygate.Money { return paygate.NewMoney(a.Value, c) }

// Text is a scalar the provider writes as a string or a number (an order status 2 or "2", an
// ID 1002001 or "1002001"). Numbers keep their JSON text; null is empty.
type Text string

// UnmarshalJSON accepts any JSON scalar.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		return fmt.Errorf("wire: expected a string or number, got %c", b[0])
	}
	s, err := signing.Scalar(b)
	if err != nil {
		return err
	}
	*t = Text(s)
	return nil
}

// String returns the text.
func (t Text) String() string { return string(t) }

// Millis is a Unix time in milliseconds, written as a JSON number or string. 0, "" and null
// are the zero time.
type Millis struct{ time.Time }

// UnmarshalJSON decodes milliseconds since the epoch.
func (m *Millis) UnmarshalJSON(b []byte) error {
	var t Text
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	tm, err := ParseMillis(string(t))
	if err != nil {
		return err
	}
	m.Time = tm
	return nil
}

// ParseMillis parses decimal milliseconds since the epoch; "" and "0" are the zero time.
func ParseMillis(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("wire: %q is not a millisecond timestamp", s)
	}
	return time.UnixMilli(n).UTC(), nil
}

// Encode marshals v as compact JSON without HTML escaping, so a URL's & stays &. A
// map[string]string (every provider's request fields) is written directly, byte for byte
// what encoding/json writes, without its reflection.
//
// A key or value that is not valid UTF-8 is refused with a *paygate.ValidationError naming
// it: encoding/json would write U+FFFD in place of each bad byte, so the provider would read
// (and verify the signature over) another text than the one given and signed.
func Encode(v any) ([]byte, error) {
	if m, ok := v.(map[string]string); ok && m != nil {
		if b, ok := encodeFields(m); ok {
			return b, nil
		}
	}
	if err := ValidText(v); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// ValidText checks that every string of v (a string, or a map or slice of them, nested) is valid
// UTF-8, naming the key of the first that is not in a *paygate.ValidationError. Other types
// are not looked into.
func ValidText(v any) error {
	return text("", v)
}

func text(key string, v any) error {
	switch v := v.(type) {
	case string:
		if !utf8.ValidString(v) {
			return paygate.Invalid(strings.ToValidUTF8(key, "\uFFFD"), "is not valid UTF-8 text (%d bytes): sent as JSON it would read as "+
				"another text than the one signed; convert it to UTF-8 first", len(v))
		}
	case map[string]string:
		return textMap(v)
	case map[string]any:
		return textMap(v)
	case []any:
		for _, x := range v {
			if err := text(key, x); err != nil {
				return err
			}
		}
	case []string:
		for _, x := range v {
			if err := text(key, x); err != nil {
				return err
			}
		}
	}
	return nil
}

// textMap is text over m's keys and values.
func textMap[V any](m map[string]V) error {
	for k, x := range m {
		if err := text(k, k); err != nil {
			return err
		}
		if err := text(k, x); err != nil {
			return err
		}
	}
	return nil
}

// encodeFields writes m as a JSON object with its keys in order, as encoding/json does. It
// declines (false) when a key or value needs escaping, leaving that to encoding/json.
func encodeFields(m map[string]string) ([]byte, bool) {
	keys := make([]string, 0, len(m))
	size := 2
	for k, v := range m {
		if !plain(k) || !plain(v) {
			return nil, false
		}
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':', '"')
		b = append(b, m[k]...)
		b = append(b, '"')
	}
	return append(b, '}'), true
}

// plain reports whether encoding/json writes s between quotes unchanged: valid UTF-8 without
// control characters, quotes, backslashes or the line separators U+2028 and U+2029.
func plain(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == '"' || r == '\\' || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// Timestamp returns now in milliseconds as 13-digit text.
func Timestamp(now time.Time) string { return strconv.FormatInt(now.UnixMilli(), 10) }

// ParseLocal parses "2006-01-02 15:04:05" in loc; empty text is the zero time.
func ParseLocal(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation(time.DateTime, s, loc)
}

// The providers' local time zones, fixed: neither India nor Pakistan keeps daylight saving
// time, and a fixed zone needs no tz database on the merchant's machine.
var (
	IST = time.FixedZone("IST", 5*3600+30*60) // India Standard Time, UTC+05:30
	PKT = time.FixedZone("PKT", 5*3600)       // Pakistan Standard Time, UTC+05:00
)

// Put sets fields[k] when v is not empty: empty values are neither signed nor sent.
func Put(fields map[string]string, k, v string) {
	if v != "" {
		fields[k] = v
	}
}
