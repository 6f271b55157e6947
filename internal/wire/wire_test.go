package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

func TestAmountUnmarshal(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		set      bool
		want     string // decimal.String()
		exponent int32
		wantErr  bool
	}{
		{"string", `"100.00"`, true, "100", -2, false},
		{"string without places", `"100"`, true, "100", 0, false},
		{"number", `20000.00`, true, "20000", -2, false},
		{"number four places", `2500.0000`, true, "2500", -4, false},
		{"integer number", `200`, true, "200", 0, false},
		{"beyond float64", `12345678901234567.89`, true, "12345678901234567.89", -2, false},
		{"empty string", `""`, false, "0", 0, false},
		{"None", `"None"`, false, "0", 0, false},
		{"null", `null`, false, "0", 0, false},
		{"exponent", `1e3`, false, "", 0, true},
		{"exponent string", `"1e3"`, false, "", 0, true},
		{"none lower case", `"none"`, false, "", 0, true},
		{"bool", `true`, false, "", 0, true},
		{"object", `{"a":1}`, false, "", 0, true},
		{"text", `"ten"`, false, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				Amount Amount `json:"amount"`
			}
			err := json.Unmarshal([]byte(`{"amount":`+tt.in+`}`), &v)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.set, v.Amount.Set)
			require.Equal(t, tt.want, v.Amount.Value.String())
			require.Equal(t, tt.exponent, v.Amount.Value.Exponent())
		})
	}
}

func TestAmountUnsetResets(t *testing.T) {
	a := Amount{Set: true}
	require.NoError(t, json.Unmarshal([]byte(`"100.00"`), &a))
	require.True(t, a.Set)
	require.NoError(t, a.UnmarshalJSON([]byte(`"None"`)))
	require.Equal(t, Amount{}, a)
}

func TestAmountMarshal(t *testing.T) {
	var a Amount
	require.NoError(t, json.Unmarshal([]byte(`20000.00`), &a))
	b, err := json.Marshal(a)
	require.NoError(t, err)
	require.Equal(t, `"20000"`, string(b))

	b, err = json.Marshal(Amount{})
	require.NoError(t, err)
	require.Equal(t, `null`, string(b))

	m := a.Money(paygate.PKR)
	require.Equal(t, "20000.00 PKR", m.String())
	require.True(t, Amount{}.Money(paygate.INR).IsZero())
}

func TestText(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Text
		wantErr bool
	}{
		{"string", `"SUCCESS"`, "SUCCESS", false},
		{"number keeps text", `2`, "2", false},
		{"long id keeps text", `1002001`, "1002001", false},
		{"decimal keeps text", `20000.00`, "20000.00", false},
		{"exponent keeps text", `1e3`, "1e3", false},
		{"bool", `true`, "true", false},
		{"null", `null`, "", false},
		{"escaped", `"a\u0026b"`, "a&b", false},
		{"object", `{"a":1}`, "", true},
		{"array", `[1]`, "", true},
		{"bad string", `"\x"`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				Status Text `json:"status"`
			}
			err := json.Unmarshal([]byte(`{"status":`+tt.in+`}`), &v)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, v.Status)
			require.Equal(t, string(tt.want), v.Status.String())
		})
	}

	var direct Text
	require.Error(t, direct.UnmarshalJSON([]byte(` [1]`)), "leading space does not hide an array")
	require.Error(t, direct.UnmarshalJSON(nil))
}

func TestMillis(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Time
		wantErr bool
	}{
		{"number", `1701422400000`, time.Date(2023, 12, 1, 9, 20, 0, 0, time.UTC), false},
		{"string", `"1701422400000"`, time.Date(2023, 12, 1, 9, 20, 0, 0, time.UTC), false},
		{"milliseconds kept", `1679724896223`, time.UnixMilli(1679724896223).UTC(), false},
		{"zero", `0`, time.Time{}, false},
		{"zero string", `"0"`, time.Time{}, false},
		{"empty", `""`, time.Time{}, false},
		{"null", `null`, time.Time{}, false},
		{"negative", `-1`, time.Time{}, true},
		{"fraction", `1701422400000.5`, time.Time{}, true},
		{"text", `"yesterday"`, time.Time{}, true},
		{"date text", `"2024-12-02 15:40:50"`, time.Time{}, true},
		{"object", `{}`, time.Time{}, true},
		{"overflow", `99999999999999999999`, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				At Millis `json:"at"`
			}
			err := json.Unmarshal([]byte(`{"at":`+tt.in+`}`), &v)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.True(t, tt.want.Equal(v.At.Time), "got %s", v.At.Time)
			if !tt.want.IsZero() {
				require.Equal(t, time.UTC, v.At.Location())
			}
		})
	}
}

func TestParseMillis(t *testing.T) {
	got, err := ParseMillis(" 1732507016285 ")
	require.NoError(t, err)
	require.Equal(t, int64(1732507016285), got.UnixMilli())
	got, err = ParseMillis("")
	require.NoError(t, err)
	require.True(t, got.IsZero())
	_, err = ParseMillis("abc")
	require.ErrorContains(t, err, `"abc"`)
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"ampersand kept", map[string]string{"url": "https://x.com/cb?a=1&b=2"}, `{"url":"https://x.com/cb?a=1&b=2"}`},
		{"angle brackets kept", map[string]string{"h": "<b>"}, `{"h":"<b>"}`},
		{"unicode kept", map[string]string{"desc": "游戏充值"}, `{"desc":"游戏充值"}`},
		{"struct order kept", struct {
			B string `json:"b"`
			A string `json:"a"`
		}{"2", "1"}, `{"b":"2","a":"1"}`},
		{"amount as string", struct {
			Amount Amount `json:"amount"`
		}{}, `{"amount":null}`},
		{"no trailing newline", 1, `1`},
		{"fields in key order", map[string]string{"b": "2", "a": "1", "c": ""}, `{"a":"1","b":"2","c":""}`},
		{"empty fields", map[string]string{}, `{}`},
		{"nil fields", map[string]string(nil), `null`},
		{"escapes left to encoding/json", map[string]string{"q": "a\"b\\c\n\u2028\ufffd"}, `{"q":"a\"b\\c\n\u2028` + "\ufffd" + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got))
		})
	}

	_, err := Encode(make(chan int))
	require.Error(t, err)
}

func TestTimestamp(t *testing.T) {
	at := time.UnixMilli(1724142041682)
	require.Equal(t, "1724142041682", Timestamp(at))
	require.Len(t, Timestamp(time.Now()), 13)
}

func TestParseLocal(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	tests := []struct {
		name    string
		in      string
		loc     *time.Location
		want    time.Time
		wantErr bool
	}{
		{"IST", "2024-12-02 15:40:50", ist, time.Date(2024, 12, 2, 10, 10, 50, 0, time.UTC), false},
		{"UTC", "2024-11-24 21:56:55", time.UTC, time.Date(2024, 11, 24, 21, 56, 55, 0, time.UTC), false},
		{"empty", "", ist, time.Time{}, false},
		{"ISO", "2024-12-02T15:40:50", ist, time.Time{}, true},
		{"date only", "2024-12-02", ist, time.Time{}, true},
		{"garbage", "soon", ist, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLocal(tt.in, tt.loc)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.True(t, tt.want.Equal(got), "got %s", got)
		})
	}
}

func TestZones(t *testing.T) {
	for _, z := range []struct {
		loc    *time.Location
		offset int
	}{{IST, 5*3600 + 1800}, {PKT, 5 * 3600}} {
		for _, month := range []time.Month{time.January, time.July} { // no daylight saving time
			_, offset := time.Date(2024, month, 1, 0, 0, 0, 0, z.loc).Zone()
			require.Equal(t, z.offset, offset, z.loc.String())
		}
	}
}

func ExampleAmount() {
	// A Cashy webhook writes amounts as JSON numbers, a CaiPay search writes "None" for none.
	var cb struct {
		Amount Amount `json:"amount"`
		Fee    Amount `json:"fee"`
		UTR    Amount `json:"utr"`
		Status Text   `json:"orderStatus"`
	}
	body := `{"amount":20000.00,"fee":2500.0000,"utr":"None","orderStatus":2}`
	if err := json.Unmarshal([]byte(body), &cb); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cb.Amount.Money(paygate.PKR), cb.Fee.Money(paygate.PKR), cb.UTR.Set, cb.Status)
	// Output: 20000.00 PKR 2500.00 PKR false 2
}

func TestPut(t *testing.T) {
	m := map[string]string{}
	Put(m, "a", "1")
	Put(m, "b", "")
	require.Equal(t, map[string]string{"a": "1"}, m)
}

// FuzzEncodeFields holds Encode's direct writing of request fields to encoding/json's bytes.
func FuzzEncodeFields(f *testing.F) {
	f.Add("notify_url", "https://merchant.com/notify?a=1&b=<2>", "desc", "游戏充值")
	f.Add("amount", "100.00", "q", "a\"b\\c\n\u2028\xff")
	f.Add("", "", "\x00", "\ufffd")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		m := map[string]string{k1: v1, k2: v2}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(m))
		got, err := Encode(m)
		valid := true
		for k, v := range m { // the map as built: k2 == k1 overwrites v1
			valid = valid && utf8.ValidString(k) && utf8.ValidString(v)
		}
		if !valid {
			require.ErrorIs(t, err, paygate.ErrInvalidRequest, "text that is not UTF-8 is refused")
			return
		}
		require.NoError(t, err)
		require.Equal(t, strings.TrimSuffix(b.String(), "\n"), string(got))
	})
}

// TestEncodeRefusesInvalidUTF8: encoding/json would write U+FFFD for each byte that is not
// UTF-8, so the provider would read another text than the one signed; Encode refuses it,
// naming the key, wherever it sits. U+FFFD written as such is text like any other.
func TestEncodeRefusesInvalidUTF8(t *testing.T) {
	for name, v := range map[string]any{
		"fields value":  map[string]string{"desc": "caf\xe9", "amount": "1.00"},
		"fields key":    map[string]string{"d\xe9sc": "x"},
		"nested value":  map[string]any{"payer": map[string]any{"name": "Jos\xe9"}},
		"list element":  map[string]any{"names": []any{"ok", "Jos\xe9"}},
		"strings slice": map[string]any{"desc": []string{"caf\xe9"}},
	} {
		_, err := Encode(v)
		var ve *paygate.ValidationError
		require.ErrorAs(t, err, &ve, name)
		require.Contains(t, ve.Reason, "UTF-8", name)
		require.NotContains(t, ve.Error(), "\xe9", "%s: the bad text is not quoted", name)
	}
	b, err := Encode(map[string]string{"desc": "caf\uFFFD"})
	require.NoError(t, err)
	require.Equal(t, `{"desc":"caf`+"\uFFFD"+`"}`, string(b))
}
