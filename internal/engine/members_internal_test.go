package engine

import (
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

// TestNamedTwiceAllocates: the check costs a success no allocation.
func TestNamedTwiceAllocates(t *testing.T) {
	body := []byte(`{"code":0,"msg":null,"data":{"orderStatus":"PENDING","customerOrderNo":"TEST123456789",` +
		`"platOrderNo":"1928018154181656576","orderAmount":"100","url":"https://cai-pay.net/mobile/?trans=1"},"ok":true}`)
	require.Zero(t, testing.AllocsPerRun(100, func() { namedTwice(body) }))
}
