package signing

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// fieldsReference is Fields written plainly with encoding/json's tokenizer: slower, obviously
// right. FuzzFieldsDifferential holds Fields to it.
func fieldsReference(body []byte) (map[string]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	out := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key := tok.(string)
		if _, dup := out[key]; dup {
			return nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		var v string
		switch {
		case raw[0] == '"':
			if json.Unmarshal(raw, &v) != nil {
				return nil, false
			}
		case string(raw) == "null":
		case raw[0] == '{' || raw[0] == '[':
			var b bytes.Buffer
			if json.Compact(&b, raw) != nil {
				return nil, false
			}
			v = b.String()
		default:
			v = string(raw)
		}
		out[key] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return out, true
}

func FuzzFieldsDifferential(f *testing.F) {
	for _, s := range []string{
		`{"amount":20000.00,"fee":2500.0000,"orderStatus":"SUCCESS","x":null,"b":true}`,
		`{"a":"\u00e9\"q\\","n":{"k":[1, 2 ,{"z":"}"}]},"e":""}`,
		` { "a" : "1" , "b" : -0.5e3 } `, `{"a":"1","a":"2"}`, `{}`, `[]`, `{"a":"1"} x`,
		"{\"a\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, ok := fieldsReference(body)
		got, err := Fields(body)
		require.Equal(t, ok, err == nil, "reference ok=%v, Fields err=%v", ok, err)
		if ok {
			require.Equal(t, want, got)
		}
	})
}
