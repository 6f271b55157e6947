package engine

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNamedTwice: only the top level's names count, compared as encoding/json matches them.
func TestNamedTwice(t *testing.T) {
	cases := []struct {
		body  string
		twice bool
	}{
		{`{"code":0,"msg":null,"data":{"id":"1"},"ok":true}`, false},
		{` { "code" : 0 , "ok" : true } `, false},
		{`{}`, false},
		{`[{"code":1},{"code":2}]`, false},
		{`{"code":0,"data":{"code":1,"list":[{"code":2},"]}"],"s":"\"code\":3,"},"ok":true}`, false},
		{`{"msg":"a","msgEn":"b"}`, false},
		{`{"code":500,"message":"internal error","code":200}`, true},
		{`{"code":500,"Code":200}`, true},
		{`{"code":500,"CODE":200}`, true},
		{`{"code":500,"\u0063ode":200}`, true},
		{`{"ok":false,"o\u212a":true}`, true}, // the Kelvin sign folds to k
		{`{"data":null,"data":{"id":"1"}}`, true},
		{"{\"code\":1,\n\t\"code\":2}", true},
		{`{"a":[1,{"b":2}],"x":"y\\","A":3}`, true},
	}
	for _, c := range cases {
		require.Equal(t, c.twice, namedTwice([]byte(c.body)), c.body)
	}
}

// BenchmarkNamedTwice: the check a success pays for, which should allocate nothing.
func BenchmarkNamedTwice(b *testing.B) {
	body := []byte(`{"code":0,"msg":null,"data":{"orderStatus":"PENDING","customerOrderNo":"TEST123456789",` +
		`"platOrderNo":"1928018154181656576","orderAmount":"100","url":"https://cai-pay.net/mobile/?trans=1"},"ok":true}`)
	b.ReportAllocs()
	for b.Loop() {
		namedTwice(body)
	}
}

// namedTwiceByDecoder is namedTwice written the slow, obvious way, with encoding/json's own
// tokenizer and unquoting: the reference FuzzNamedTwice holds namedTwice to.
func namedTwiceByDecoder(body []byte) (twice, ok bool) {
	if !json.Valid(body) {
		return false, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false, true
	}
	var names []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return false, false
		}
		name := t.(string)
		for _, n := range names {
			if bytes.EqualFold([]byte(n), []byte(name)) {
				return true, true
			}
		}
		names = append(names, name)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false, false
		}
	}
	return false, true
}

// FuzzNamedTwice: on every valid JSON document, namedTwice agrees with the decoder's reading.
func FuzzNamedTwice(f *testing.F) {
	for _, s := range []string{
		`{"code":0,"msg":null,"data":{"id":"1"},"ok":true}`, `{"code":500,"Code":200}`,
		`{"code":500,"\u0063ode":200}`, `{"ok":false,"o\u212a":true}`, `[1,2]`, `"x"`, `{}`,
		`{"a":"\"b\":1,","b":[{"a":1}],"c":{"d":"}"}}`, `{"msg":"a","msgEn":"b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, ok := namedTwiceByDecoder(body)
		if !ok {
			return // not JSON: the envelope reader refuses it before namedTwice is asked
		}
		require.Equal(t, want, namedTwice(body), "%q", body)
	})
}
