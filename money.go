package paygate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Currency is an ISO 4217 currency code, in upper case.
type Currency string

// The currencies the providers settle in.
const (
	INR Currency = "INR"
	PKR Currency = "PKR"
)

// Currencies are the currencies paygate's providers settle in, the only ones ParseMoney takes.
var Currencies = []Currency{INR, PKR}

// ErrUnknownCurrency is returned by ParseMoney and Money.UnmarshalJSON for a currency code
// that no provider settles in, or that is not written in upper case.
var ErrUnknownCurrency = errors.New("paygate: unknown currency")

// Check reports whether c is one of Currencies, or empty (an amount in no currency yet, which
// a provider takes as its own). Lower case is refused, not normalized: a Currency is compared
// as it is written, so "inr" would never equal INR further on.
func (c Currency) Check() error {
	if c == "" || slices.Contains(Currencies, c) {
		return nil
	}
	if up := Currency(strings.ToUpper(string(c))); slices.Contains(Currencies, up) {
		return fmt.Errorf("%w %q: write it in upper case, %s", ErrUnknownCurrency, truncate(string(c), 8), up)
	}
	return fmt.Errorf("%w %q: paygate's providers settle in INR and PKR only", ErrUnknownCurrency, truncate(string(c), 8))
}

// Money is an exact decimal amount in a currency. The zero value is zero in no currency.
// Money never passes through binary floating point.
type Money struct {
	amount   decimal.Decimal
	currency Currency
}

// NewMoney returns amount in currency c.
func NewMoney(amount decimal.Decimal, c Currency) Money {
	return Money{amount: amount, currency: c}
}

// ErrBadAmount is returned by ParseMoney for text that is not a plain decimal number.
var ErrBadAmount = errors.New("paygate: not a plain decimal amount")

// ParseMoney parses a plain decimal number such as "100", "40.2" or "-3.50". It is exact and
// refuses anything else: exponents, NaN, infinities, signs other than a leading minus,
// spaces, separators and empty text. The currency must be INR or PKR, in upper case, or empty
// (see Currency.Check): "inr" and "USD" are refused with ErrUnknownCurrency.
func ParseMoney(s string, c Currency) (Money, error) {
	if err := c.Check(); err != nil {
		return Money{}, err
	}
	d, err := ParseDecimal(s)
	if err != nil {
		return Money{}, err
	}
	return Money{amount: d, currency: c}, nil
}

// ParseDecimal parses s as ParseMoney does, without a currency.
func ParseDecimal(s string) (decimal.Decimal, error) {
	if !plainDecimal(s) {
		return decimal.Decimal{}, fmt.Errorf("%w: %q", ErrBadAmount, truncate(s, 40))
	}
	return decimal.NewFromString(s)
}

// plainDecimal reports whether s is -?digits(.digits)?.
func plainDecimal(s string) bool {
	// At most 64 characters, the sign counted, not counting zeros that end a fraction (so
	// that Text's "999….00" reads back); 128 in all.
	if len(s) > 128 {
		return false
	}
	if t := s; strings.IndexByte(t, '.') >= 0 && len(strings.TrimSuffix(strings.TrimRight(t, "0"), ".")) > 64 {
		return false
	} else if strings.IndexByte(t, '.') < 0 && len(t) > 64 {
		return false
	}
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// MustParseMoney is ParseMoney that panics on error; for constants in programs and tests.
func MustParseMoney(s string, c Currency) Money {
	m, err := ParseMoney(s, c)
	if err != nil {
		panic(err)
	}
	return m
}

// Decimal returns the amount.
func (m Money) Decimal() decimal.Decimal { return m.amount }

// Currency returns the currency.
func (m Money) Currency() Currency { return m.currency }

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.amount.IsZero() }

// IsPositive reports whether the amount is greater than zero.
func (m Money) IsPositive() bool { return m.amount.IsPositive() }

// Equal reports whether m and o have the same currency and numerically equal amounts
// ("100" equals "100.00").
func (m Money) Equal(o Money) bool {
	return m.currency == o.currency && m.amount.Equal(o.amount)
}

// Cmp compares the amounts of m and o, ignoring currency: -1, 0 or +1.
func (m Money) Cmp(o Money) int { return m.amount.Cmp(o.amount) }

// Text writes the amount with the currency's two decimal places, or more where fewer would
// lose precision: "100.00", "40.20", "101000.00" (from "101000.0000": trailing zeros beyond
// two places are dropped), "10.005". The value is never changed.
func (m Money) Text() string {
	places := max(-m.amount.Exponent(), 0)
	for places > 2 && m.amount.Truncate(places-1).Equal(m.amount) {
		places-- // a trailing zero
	}
	return m.amount.StringFixed(max(places, 2))
}

// String formats the amount as Text does, followed by the currency: "100.00 INR".
func (m Money) String() string {
	s := m.Text()
	if m.currency == "" {
		return s
	}
	return s + " " + string(m.currency)
}

// AmountStyle is how a provider writes amounts on the wire.
type AmountStyle int

// The amount styles of the providers.
const (
	Fixed2  AmountStyle = iota // exactly two places: "100.00"
	Trimmed                    // at most two places, trailing zeros dropped: "40.2", "300"
	Whole                      // whole units only: "300"
)

// String names the style.
func (s AmountStyle) String() string {
	switch s {
	case Fixed2:
		return "Fixed2"
	case Trimmed:
		return "Trimmed"
	case Whole:
		return "Whole"
	}
	return fmt.Sprintf("AmountStyle(%d)", int(s))
}

// Places returns the most decimal places style s can write.
func (s AmountStyle) Places() int32 {
	if s == Whole {
		return 0
	}
	return 2
}

// Format writes the amount in style s. An amount with more significant decimal places than
// the style allows is an error, never rounded: "10.005" in Fixed2 and "40.5" in Whole fail.
func (m Money) Format(s AmountStyle) (string, error) {
	places := s.Places()
	if s != Fixed2 && s != Trimmed && s != Whole {
		return "", fmt.Errorf("paygate: unknown amount style %d", int(s))
	}
	if s != Trimmed {
		if out, ok := fixedSmall(m.amount, int(places)); ok {
			return out, nil
		}
	}
	if !m.amount.Equal(m.amount.Truncate(places)) {
		return "", fmt.Errorf("paygate: amount %s has more than %d decimal places", m.amount.String(), places)
	}
	switch s {
	case Fixed2:
		return m.amount.StringFixed(2), nil
	case Whole:
		return m.amount.StringFixed(0), nil
	default:
		return m.amount.Truncate(2).String(), nil
	}
}

// fixedSmall writes d with exactly places decimals, as StringFixed does, without big.Int
// arithmetic: for amounts with at most places decimals whose digits fit an int64 (every real
// payment). ok is false for the rest, which take the general path.
func fixedSmall(d decimal.Decimal, places int) (out string, ok bool) {
	shift := int(d.Exponent()) + places
	if shift < 0 || d.NumDigits()+shift > 17 {
		return "", false
	}
	v := d.CoefficientInt64()
	for range shift {
		v *= 10
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	digits := strconv.FormatInt(v, 10)
	if len(digits) <= places {
		digits = strings.Repeat("0", places+1-len(digits)) + digits
	}
	if places == 0 {
		return sign + digits, true
	}
	return sign + digits[:len(digits)-places] + "." + digits[len(digits)-places:], true
}

// moneyJSON is Money's JSON form: {"amount":"100.00","currency":"INR"}.
type moneyJSON struct {
	Amount   string   `json:"amount"`
	Currency Currency `json:"currency,omitempty"`
}

// MarshalJSON writes {"amount":"100.00","currency":"INR"}: the amount as an exact string, as
// Text writes it (two places where no precision is lost).
func (m Money) MarshalJSON() ([]byte, error) {
	return json.Marshal(moneyJSON{Amount: m.Text(), Currency: m.currency})
}

// UnmarshalJSON reads the object MarshalJSON writes, or a bare amount given as a JSON string
// ("100.00") or a JSON number (20000.00), exactly. A bare amount has no currency. null leaves
// m unchanged.
func (m *Money) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return fmt.Errorf("%w: empty", ErrBadAmount)
	case string(b) == "null":
		return nil
	case b[0] == '{':
		var v moneyJSON
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		if err := v.Currency.Check(); err != nil {
			return err
		}
		d, err := ParseDecimal(v.Amount)
		if err != nil {
			return err
		}
		*m = Money{amount: d, currency: v.Currency}
		return nil
	default:
		d, err := DecodeAmount(b)
		if err != nil {
			return err
		}
		*m = Money{amount: d}
		return nil
	}
}

// DecodeAmount decodes a JSON amount exactly, whether the provider sent it as a string
// ("100.00") or a number (20000.00, 2500.0000), never through binary floating point.
// Exponents are refused in both forms: no provider writes them, and "1e999999999" would be a
// denial of service.
func DecodeAmount(raw []byte) (decimal.Decimal, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 {
		return ParseDecimal(string(raw[1 : len(raw)-1])) // a plain quoted amount: nothing to unescape
	}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return decimal.Decimal{}, fmt.Errorf("%w: %w", ErrBadAmount, err)
		}
		return ParseDecimal(s)
	}
	return ParseDecimal(string(raw))
}

// truncate cuts s to at most n bytes.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
