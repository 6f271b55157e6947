package paygate

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestParseMoneyAccepts(t *testing.T) {
	tests := []struct {
		in       string
		want     string // decimal.String()
		exponent int32
	}{
		{"100", "100", 0},
		{"40.2", "40.2", -1},
		{"-3.50", "-3.5", -2},
		{"0.01", "0.01", -2},
		{"20000.00", "20000", -2},
		{"0", "0", 0},
		{"007", "7", 0},
		{"12345678901234567.89", "12345678901234567.89", -2},
		{strings.Repeat("9", 64), strings.Repeat("9", 64), 0},
		{"-" + strings.Repeat("9", 63), "-" + strings.Repeat("9", 63), 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, err := ParseMoney(tt.in, INR)
			require.NoError(t, err)
			require.Equal(t, tt.want, m.Decimal().String())
			require.Equal(t, tt.exponent, m.Decimal().Exponent())
			require.Equal(t, INR, m.Currency())
		})
	}
}

func TestParseMoneyRejects(t *testing.T) {
	tests := []string{
		"",
		" 1",
		"1 ",
		"+1",
		"1e3",
		"1E3",
		"1e-2",
		"NaN",
		"nan",
		"Inf",
		"-Inf",
		"Infinity",
		"1,000",
		"1.",
		".5",
		"-.5",
		"0x10",
		"--1",
		"-",
		"1.2.3",
		"1_000",
		"١٢٣", // Arabic-Indic digits
		"1\x00",
		"\n1",
		strings.Repeat("9", 65),
		"-" + strings.Repeat("9", 64),
		strings.Repeat("1", 40) + "." + strings.Repeat("1", 40),
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			m, err := ParseMoney(in, INR)
			require.Error(t, err)
			require.ErrorIs(t, err, ErrBadAmount)
			require.Equal(t, Money{}, m)
			require.LessOrEqual(t, len(err.Error()), 120, "the error quotes at most a bounded prefix")
		})
	}
}

func TestMustParseMoney(t *testing.T) {
	require.Equal(t, "100.00 INR", MustParseMoney("100", INR).String())
	require.Panics(t, func() { MustParseMoney("1e3", INR) })
}

func TestNewMoney(t *testing.T) {
	m := NewMoney(decimal.New(4020, -2), PKR)
	require.Equal(t, "40.20 PKR", m.String())
	require.Equal(t, PKR, m.Currency())
	require.True(t, m.IsPositive())
	require.False(t, m.IsZero())

	var zero Money
	require.True(t, zero.IsZero())
	require.False(t, zero.IsPositive())
	require.Equal(t, "0.00", zero.String())
}

func TestMoneyFormat(t *testing.T) {
	tests := []struct {
		in      string
		style   AmountStyle
		want    string
		wantErr bool
	}{
		{"100", Fixed2, "100.00", false},
		{"40.2", Fixed2, "40.20", false},
		{"10.000", Fixed2, "10.00", false},
		{"0.01", Fixed2, "0.01", false},
		{"-3.5", Fixed2, "-3.50", false},
		{"10.005", Fixed2, "", true},
		{"0.001", Fixed2, "", true},

		{"40.20", Trimmed, "40.2", false},
		{"300.00", Trimmed, "300", false},
		{"300", Trimmed, "300", false},
		{"0.10", Trimmed, "0.1", false},
		{"12.34", Trimmed, "12.34", false},
		{"1.005", Trimmed, "", true},
		{"1.0050", Trimmed, "", true},

		{"300", Whole, "300", false},
		{"300.00", Whole, "300", false},
		{"40.5", Whole, "", true},
		{"0.01", Whole, "", true},

		{"100", AmountStyle(7), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.style.String()+"/"+tt.in, func(t *testing.T) {
			got, err := MustParseMoney(tt.in, INR).Format(tt.style)
			if tt.wantErr {
				require.Error(t, err)
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestAmountStyle(t *testing.T) {
	tests := []struct {
		style  AmountStyle
		name   string
		places int32
	}{
		{Fixed2, "Fixed2", 2},
		{Trimmed, "Trimmed", 2},
		{Whole, "Whole", 0},
		{AmountStyle(9), "AmountStyle(9)", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.name, tt.style.String())
			require.Equal(t, tt.places, tt.style.Places())
		})
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{MustParseMoney("100", INR), "100.00 INR"},
		{MustParseMoney("40.2", INR), "40.20 INR"},
		{MustParseMoney("1.005", INR), "1.005 INR"},
		{MustParseMoney("5", ""), "5.00"},
		{MustParseMoney("-3.5", PKR), "-3.50 PKR"},
		{MustParseMoney("2500.0000", PKR), "2500.00 PKR"},     // trailing zeros beyond two places dropped
		{MustParseMoney("101000.0000", INR), "101000.00 INR"}, // the balance the issue saw in two forms
		{MustParseMoney("1.0050", INR), "1.005 INR"},          // only the zeros
		{MustParseMoney("0.0001000", INR), "0.0001 INR"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			require.Equal(t, tt.want, tt.m.String())
		})
	}
}

func TestMoneyEqualCmp(t *testing.T) {
	tests := []struct {
		a, b  Money
		equal bool
		cmp   int
	}{
		{MustParseMoney("100", INR), MustParseMoney("100.00", INR), true, 0},
		{MustParseMoney("100", INR), MustParseMoney("100", PKR), false, 0},
		{MustParseMoney("100", INR), MustParseMoney("100", ""), false, 0},
		{MustParseMoney("100", INR), MustParseMoney("100.01", INR), false, -1},
		{MustParseMoney("100.01", INR), MustParseMoney("100", INR), false, 1},
		{MustParseMoney("-1", INR), MustParseMoney("0", INR), false, -1},
		{Money{}, MustParseMoney("0.00", ""), true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.a.String()+" vs "+tt.b.String(), func(t *testing.T) {
			require.Equal(t, tt.equal, tt.a.Equal(tt.b))
			require.Equal(t, tt.equal, tt.b.Equal(tt.a))
			require.Equal(t, tt.cmp, tt.a.Cmp(tt.b))
			require.Equal(t, -tt.cmp, tt.b.Cmp(tt.a))
		})
	}
}

func TestMoneyJSONRoundTrip(t *testing.T) {
	tests := []Money{
		MustParseMoney("100.00", INR),
		MustParseMoney("40.2", PKR),
		MustParseMoney("-3.50", INR),
		MustParseMoney("12345678901234567.89", INR),
		MustParseMoney("7", ""),
	}
	for _, m := range tests {
		t.Run(m.String(), func(t *testing.T) {
			b, err := json.Marshal(m)
			require.NoError(t, err)
			var got Money
			require.NoError(t, json.Unmarshal(b, &got))
			require.True(t, m.Equal(got), "%s round-tripped to %s through %s", m, got, b)
		})
	}

	b, err := json.Marshal(MustParseMoney("100.50", INR))
	require.NoError(t, err)
	require.JSONEq(t, `{"amount":"100.50","currency":"INR"}`, string(b))

	b, err = json.Marshal(MustParseMoney("1", ""))
	require.NoError(t, err)
	require.JSONEq(t, `{"amount":"1.00"}`, string(b), "an unset currency is omitted")
}

// TestMoneyTwoPlaces is finding 6: JSON and String write the currency's two places where no
// precision is lost, and trailing zeros beyond two places are dropped for display only.
func TestMoneyTwoPlaces(t *testing.T) {
	tests := []struct{ in, text string }{
		{"100.00", "100.00"}, {"100", "100.00"}, {"100.5", "100.50"}, {"101000.0000", "101000.00"},
		{"10.005", "10.005"}, {"10.0050", "10.005"}, {"0", "0.00"}, {"-0.10", "-0.10"},
	}
	for _, tt := range tests {
		m := MustParseMoney(tt.in, INR)
		require.Equal(t, tt.text, m.Text(), tt.in)
		require.Equal(t, tt.text+" INR", m.String(), tt.in)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		require.JSONEq(t, `{"amount":"`+tt.text+`","currency":"INR"}`, string(b), tt.in)
		require.Equal(t, tt.in, m.Decimal().StringFixed(-m.Decimal().Exponent()), "the value is never changed")
	}
}

// TestParseMoneyCurrency is finding 6: currency codes are checked at parse.
func TestParseMoneyCurrency(t *testing.T) {
	for _, c := range []Currency{INR, PKR, ""} {
		_, err := ParseMoney("100", c)
		require.NoError(t, err, c)
	}
	_, err := ParseMoney("100", "inr")
	require.ErrorIs(t, err, ErrUnknownCurrency)
	require.EqualError(t, err, `paygate: unknown currency "inr": write it in upper case, INR`)
	_, err = ParseMoney("100", "USD")
	require.ErrorIs(t, err, ErrUnknownCurrency)
	require.EqualError(t, err, `paygate: unknown currency "USD": paygate's providers settle in INR and PKR only`)
	require.Panics(t, func() { MustParseMoney("1", "usd") })

	var m Money
	require.ErrorIs(t, json.Unmarshal([]byte(`{"amount":"1","currency":"usd"}`), &m), ErrUnknownCurrency)
}

func TestMoneyUnmarshalJSON(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string // decimal.String()
		exponent int32
		currency Currency
	}{
		{"object", `{"amount":"100.00","currency":"INR"}`, "100", -2, INR},
		{"object without currency", `{"amount":"5"}`, "5", 0, ""},
		{"bare string", `"100.00"`, "100", -2, ""},
		{"bare number", `20000.00`, "20000", -2, ""},
		{"bare number four places", `2500.0000`, "2500", -4, ""},
		{"beyond float64 precision", `12345678901234567.89`, "12345678901234567.89", -2, ""},
		{"beyond float64 precision as string", `"12345678901234567.89"`, "12345678901234567.89", -2, ""},
		{"0.1 exactly", `0.1`, "0.1", -1, ""},
		{"surrounding space", " 40.2 ", "40.2", -1, ""},
		{"negative", `-3.50`, "-3.5", -2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Money
			require.NoError(t, m.UnmarshalJSON([]byte(tt.in)))
			require.Equal(t, tt.want, m.Decimal().String())
			require.Equal(t, tt.exponent, m.Decimal().Exponent())
			require.Equal(t, tt.currency, m.Currency())

			// The same through encoding/json, as a field of a struct.
			var v struct {
				Amount Money `json:"amount"`
			}
			require.NoError(t, json.Unmarshal([]byte(`{"amount":`+tt.in+`}`), &v))
			require.Equal(t, tt.want, v.Amount.Decimal().String())
			require.Equal(t, tt.exponent, v.Amount.Decimal().Exponent())
		})
	}
}

// TestMoneyJSONNoFloat proves that numbers do not pass through float64: the float64 nearest
// to 12345678901234567.89 is 12345678901234568, and 2500.0000 would lose its four places.
func TestMoneyJSONNoFloat(t *testing.T) {
	var v struct {
		Amount Money `json:"amount"`
		Fee    Money `json:"fee"`
		Big    Money `json:"big"`
	}
	body := `{"amount":20000.00,"fee":2500.0000,"big":12345678901234567.89}`
	require.NoError(t, json.Unmarshal([]byte(body), &v))
	require.Equal(t, "20000.00", v.Amount.Decimal().StringFixed(-v.Amount.Decimal().Exponent()))
	require.Equal(t, "2500.0000", v.Fee.Decimal().StringFixed(-v.Fee.Decimal().Exponent()))
	require.Equal(t, int32(-4), v.Fee.Decimal().Exponent())
	require.Equal(t, "12345678901234567.89", v.Big.Decimal().String())
	require.True(t, v.Big.Decimal().Equal(decimal.New(1234567890123456789, -2)))
	require.Equal(t, "2500.00", v.Fee.String(), "displayed with two places, the value untouched")
}

func TestMoneyUnmarshalJSONRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ``},
		{"space", `  `},
		{"exponent number", `1e3`},
		{"exponent upper", `1E3`},
		{"exponent string", `"1e3"`},
		{"NaN string", `"NaN"`},
		{"Infinity string", `"Infinity"`},
		{"true", `true`},
		{"array", `[1]`},
		{"empty string", `""`},
		{"object exponent", `{"amount":"1e3","currency":"INR"}`},
		{"object number amount", `{"amount":100,"currency":"INR"}`},
		{"object no amount", `{"currency":"INR"}`},
		{"broken object", `{"amount":`},
		{"broken string", `"100`},
		{"plus", `+1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := MustParseMoney("42", INR)
			m := before
			require.Error(t, m.UnmarshalJSON([]byte(tt.in)))
			require.Equal(t, before, m, "a failed decode leaves the value alone")
		})
	}

	var v struct {
		Amount Money `json:"amount"`
	}
	require.Error(t, json.Unmarshal([]byte(`{"amount":1e3}`), &v))
}

func TestMoneyUnmarshalJSONNull(t *testing.T) {
	m := MustParseMoney("42.00", INR)
	require.NoError(t, m.UnmarshalJSON([]byte("null")))
	require.Equal(t, MustParseMoney("42.00", INR), m)

	v := struct {
		Amount Money `json:"amount"`
	}{Amount: MustParseMoney("7", PKR)}
	require.NoError(t, json.Unmarshal([]byte(`{"amount":null}`), &v))
	require.Equal(t, MustParseMoney("7", PKR), v.Amount)
}

func TestDecodeAmount(t *testing.T) {
	tests := []struct {
		in       string
		want     string
		exponent int32
	}{
		{`"100.00"`, "100", -2},
		{`20000.00`, "20000", -2},
		{`2500.0000`, "2500", -4},
		{`"2500.0000"`, "2500", -4},
		{`12345678901234567.89`, "12345678901234567.89", -2},
		{`"40.2"`, "40.2", -1},
		{`0`, "0", 0},
		{`-1.5`, "-1.5", -1},
		{"\t300\n", "300", 0},
		{`"\u0031\u0030"`, "10", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := DecodeAmount([]byte(tt.in))
			require.NoError(t, err)
			require.Equal(t, tt.want, d.String())
			require.Equal(t, tt.exponent, d.Exponent())
		})
	}
}

func TestDecodeAmountRejects(t *testing.T) {
	tests := []string{
		``,
		`null`,
		`true`,
		`1e3`,
		`"1e3"`,
		`1E+3`,
		`"NaN"`,
		`NaN`,
		`"Inf"`,
		`""`,
		`" 1"`,
		`"1,000"`,
		`"100`,
		`{}`,
		`[]`,
		`0x10`,
		`"` + strings.Repeat("1", 65) + `"`,
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			_, err := DecodeAmount([]byte(in))
			require.Error(t, err)
			require.True(t, errors.Is(err, ErrBadAmount), "got %v", err)
		})
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{
		"100", "40.2", "-3.50", "0.01", "20000.00", "2500.0000", "12345678901234567.89", "300",
		"", " 1", "1 ", "+1", "1e3", "NaN", "Inf", "1,000", "1.", ".5", "0x10", "--1", "1.2.3",
		"10.005", strings.Repeat("9", 64), "-" + strings.Repeat("9", 64),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s, INR)
		m2, err2 := ParseMoney(s, INR)
		require.Equal(t, err == nil, err2 == nil, "deterministic")
		if err != nil {
			require.ErrorIs(t, err, ErrBadAmount)
			return
		}
		require.Equal(t, m, m2)
		require.LessOrEqual(t, len(s), 128)
		if !strings.Contains(s, ".") {
			require.LessOrEqual(t, len(s), 64)
		}

		// Every accepted text re-parses to the same value from the decimal's own text.
		again, err := ParseMoney(m.Decimal().String(), INR)
		require.NoError(t, err, "re-parse %q", m.Decimal().String())
		require.True(t, m.Equal(again))

		// String keeps every place: it reads back as the same amount. (It may be longer than
		// ParseMoney's 64-character limit, so read it with decimal.)
		str := m.String()
		require.Equal(t, str, m2.String())
		require.True(t, strings.HasSuffix(str, " INR"))
		back, err := decimal.NewFromString(strings.TrimSuffix(str, " INR"))
		require.NoError(t, err)
		require.True(t, m.Decimal().Equal(back))

		// The int64 fast path writes what decimal's StringFixed writes.
		for _, places := range []int{0, 2} {
			if fast, ok := fixedSmall(m.Decimal(), places); ok {
				require.Equal(t, m.Decimal().StringFixed(int32(places)), fast, "%s with %d places", s, places)
			}
		}

		// Format never rounds: what it writes is the same number, or it refuses.
		for _, style := range []AmountStyle{Fixed2, Trimmed, Whole} {
			out, err := m.Format(style)
			out2, err2 := m.Format(style)
			require.Equal(t, out, out2)
			require.Equal(t, err == nil, err2 == nil)
			if err != nil {
				continue
			}
			require.NotContains(t, out, "e")
			back, err := decimal.NewFromString(out)
			require.NoError(t, err, "%s wrote %q", style, out)
			require.True(t, m.Decimal().Equal(back), "%s wrote %q for %s", style, out, s)
		}

		// JSON round trip.
		b, err := json.Marshal(m)
		require.NoError(t, err)
		var j Money
		require.NoError(t, json.Unmarshal(b, &j))
		require.True(t, m.Equal(j))
	})
}

func FuzzDecodeAmount(f *testing.F) {
	for _, s := range []string{
		`"100.00"`, `20000.00`, `2500.0000`, `1000.0`, `2.0`, `"20000"`, `"1700"`, `200`,
		`12345678901234567.89`, `1e3`, `"1e3"`, `null`, `true`, `""`, `"None"`, `"\u0031"`,
		`{"amount":"100.00","currency":"INR"}`, `-0`, `"-0.00"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := DecodeAmount(raw)
		d2, err2 := DecodeAmount(raw)
		require.Equal(t, err == nil, err2 == nil, "deterministic")
		var m Money
		merr := m.UnmarshalJSON(raw)
		if err != nil {
			return
		}
		require.True(t, d.Equal(d2))
		require.Equal(t, d.Exponent(), d2.Exponent())
		if merr == nil && len(raw) > 0 && raw[0] != '{' {
			require.True(t, d.Equal(m.Decimal()))
		}
		again, err := ParseDecimal(d.String())
		require.NoError(t, err)
		require.True(t, d.Equal(again))
	})
}
