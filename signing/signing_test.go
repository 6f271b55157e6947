package signing

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The reference hashes below are written out with the standard library only, over canonical
// strings typed by hand, so a test never checks the package against itself.

func refMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func refHMAC(key, msg string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type vectorFile struct {
	About  string `json:"about"`
	CaiPay []struct {
		Name    string            `json:"name"`
		Secret  string            `json:"secret"`
		Params  map[string]string `json:"params"`
		SignKey string            `json:"signKey"`
	} `json:"caipay"`
	CashGit []struct {
		Name   string            `json:"name"`
		Secret string            `json:"secret"`
		Params map[string]string `json:"params"`
		Sign   string            `json:"sign"`
	} `json:"cashgit"`
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v))
}

func TestProviderVectors(t *testing.T) {
	var vf vectorFile
	readJSON(t, "../internal/testdata/signatures.json", &vf)
	require.NotEmpty(t, vf.CaiPay)
	require.NotEmpty(t, vf.CashGit)

	for _, v := range vf.CaiPay {
		t.Run("caipay/"+v.Name, func(t *testing.T) {
			require.Equal(t, v.SignKey, ValuesMD5(v.Params, v.Secret))
			require.Equal(t, v.SignKey, refMD5(ValuesCanonical(v.Params)+v.Secret))

			// The signKey field itself is never signed, so a request carrying it verifies.
			withSign := cloneWith(v.Params, "signKey", v.SignKey)
			require.Equal(t, v.SignKey, ValuesMD5(withSign, v.Secret))
			require.True(t, Equal(v.SignKey, ValuesMD5(withSign, v.Secret)))
		})
	}
	for _, v := range vf.CashGit {
		t.Run("cashgit/"+v.Name, func(t *testing.T) {
			require.Equal(t, v.Sign, KeyParamMD5(v.Params, v.Secret))
			withSign := cloneWith(v.Params, "sign", v.Sign)
			require.Equal(t, v.Sign, KeyParamMD5(withSign, v.Secret))
			require.NotEqual(t, v.Sign, AppendMD5(v.Params, v.Secret), "the two CashGit styles differ")
		})
	}
}

func TestDeekPayOpenSSLVector(t *testing.T) {
	var vf struct {
		About   string `json:"about"`
		Vectors []struct {
			Name      string            `json:"name"`
			Key       string            `json:"key"`
			Fields    map[string]string `json:"fields"`
			Canonical string            `json:"canonical"`
			Sign      string            `json:"sign"`
		} `json:"vectors"`
	}
	readJSON(t, "../internal/testdata/deekpay_hmac.json", &vf)
	require.NotEmpty(t, vf.Vectors)
	for _, v := range vf.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			require.Equal(t, v.Canonical, HMACCanonical(v.Fields))
			require.Equal(t, v.Sign, refHMAC(v.Key, v.Canonical), "the vector agrees with crypto/hmac")
			require.Equal(t, v.Sign, HMACSHA1(v.Fields, v.Key))
			require.Equal(t, v.Sign, HMACSHA1(cloneWith(v.Fields, "sign", v.Sign), v.Key))
			require.True(t, Equal(v.Sign, HMACSHA1(v.Fields, v.Key)))
		})
	}
}

func cloneWith(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}

// payProSeed is the pay-in request example of PayPro's API document (docs.paypro.tech),
// mobile without its 91 prefix.
func payProSeed() map[string]string {
	return map[string]string{
		"sign":      "f53ee692f15d0329a1461373b67ff25a",
		"timestamp": "1724142041682",
		"tradeNo":   "00000007",
		"amount":    "300",
		"name":      "abc",
		"mobile":    "8234567890",
		"email":     "123@qq.com",
		"ipAddress": "14.155.28.59",
		"remark":    "000000",
		"notifyUrl": "https://google.com",
		"returnUrl": "http://abc.com/callback_page",
	}
}

// caiPayCallback is the pay-in callback sample of CaiPay's API document (section 4.1).
func caiPayCallback() map[string]string {
	return map[string]string{
		"customerOrderNo": "TEST98989898",
		"description":     "No data",
		"orderAmount":     "10",
		"orderStatus":     "SUCCESS",
		"payUtrNo":        "1111111111111",
		"platOrderNo":     "1111111111111111",
		"orderMessage":    "SUCCESS",
		"token":           "4f44347e81987f3325ef8c0f3df366b7b1f365883929127a9e207ba0bc94a46f3e5d9f2d71870a1d0050f43f1806126f",
		"signKey":         "4aa177240e759e3c7cd5e4a3549e1fec",
	}
}

func TestSigners(t *testing.T) {
	const secret = "s3cr3t"
	tests := []struct {
		name      string
		sign      func(map[string]string, string) string
		canonical func(map[string]string) string
		fields    map[string]string
		text      string // the canonical string, typed by hand
		want      string // computed with the standard library over text
	}{
		{
			name: "ValuesMD5 skips empty values and signKey", sign: ValuesMD5, canonical: ValuesCanonical,
			fields: map[string]string{"b": "2", "a": "1", "c": "", "signKey": "deadbeef"},
			text:   "12", want: refMD5("12" + secret),
		},
		{
			name: "ValuesMD5 signs a field named sign", sign: ValuesMD5, canonical: ValuesCanonical,
			fields: map[string]string{"sign": "x", "a": "1"},
			text:   "1x", want: refMD5("1x" + secret),
		},
		{
			name: "ValuesMD5 unicode", sign: ValuesMD5, canonical: ValuesCanonical,
			fields: map[string]string{"desc": "游戏充值", "amount": "100.00"},
			text:   "100.00游戏充值", want: refMD5("100.00游戏充值" + secret),
		},
		{
			name: "ValuesMD5 upper case first", sign: ValuesMD5, canonical: ValuesCanonical,
			fields: map[string]string{"alpha": "A", "Zeta": "Z", "_u": "U", "0n": "N"},
			text:   "NZUA", want: refMD5("NZUA" + secret),
		},
		{
			name: "ValuesMD5 CaiPay callback", sign: ValuesMD5, canonical: ValuesCanonical,
			fields: caiPayCallback(),
			text: "TEST98989898No data10SUCCESSSUCCESS11111111111111111111111111111" +
				"4f44347e81987f3325ef8c0f3df366b7b1f365883929127a9e207ba0bc94a46f3e5d9f2d71870a1d0050f43f1806126f",
			want: refMD5("TEST98989898No data10SUCCESSSUCCESS11111111111111111111111111111" +
				"4f44347e81987f3325ef8c0f3df366b7b1f365883929127a9e207ba0bc94a46f3e5d9f2d71870a1d0050f43f1806126f" + secret),
		},
		{
			name: "ValuesMD5 no fields", sign: ValuesMD5, canonical: ValuesCanonical,
			fields: map[string]string{},
			text:   "", want: refMD5(secret),
		},

		{
			name: "HMACSHA1 skips empty values and sign", sign: HMACSHA1, canonical: HMACCanonical,
			fields: map[string]string{"b": "2", "a": "1", "e": "", "sign": "GXx2wYUD6UVr+zcmeCSFFPzcBLA="},
			text:   "a=1&b=2", want: refHMAC(secret, "a=1&b=2"),
		},
		{
			name: "HMACSHA1 signs a field named signKey", sign: HMACSHA1, canonical: HMACCanonical,
			fields: map[string]string{"signKey": "k", "a": "1"},
			text:   "a=1&signKey=k", want: refHMAC(secret, "a=1&signKey=k"),
		},
		{
			name: "HMACSHA1 upper case first", sign: HMACSHA1, canonical: HMACCanonical,
			fields: map[string]string{"alpha": "A", "Zeta": "Z"},
			text:   "Zeta=Z&alpha=A", want: refHMAC(secret, "Zeta=Z&alpha=A"),
		},
		{
			name: "HMACSHA1 unicode", sign: HMACSHA1, canonical: HMACCanonical,
			fields: map[string]string{"remark": "游戏充值", "access_key": "TPhoa7ZQ"},
			text:   "access_key=TPhoa7ZQ&remark=游戏充值", want: refHMAC(secret, "access_key=TPhoa7ZQ&remark=游戏充值"),
		},

		{
			name: "ConcatMD5 PayPro seed", sign: ConcatMD5, canonical: ConcatCanonical,
			fields: payProSeed(),
			text: "amount=300email=123@qq.comipAddress=14.155.28.59mobile=8234567890name=abc" +
				"notifyUrl=https://google.comremark=000000returnUrl=http://abc.com/callback_page" +
				"timestamp=1724142041682tradeNo=00000007",
			want: refMD5("amount=300email=123@qq.comipAddress=14.155.28.59mobile=8234567890name=abc" +
				"notifyUrl=https://google.comremark=000000returnUrl=http://abc.com/callback_page" +
				"timestamp=1724142041682tradeNo=00000007" + secret),
		},
		{
			name: "ConcatMD5 skips empty values", sign: ConcatMD5, canonical: ConcatCanonical,
			fields: map[string]string{"remark": "", "tradeNo": "7", "amount": "300", "sign": "x"},
			text:   "amount=300tradeNo=7", want: refMD5("amount=300tradeNo=7" + secret),
		},
		{
			name: "ConcatMD5 upper case first", sign: ConcatMD5, canonical: ConcatCanonical,
			fields: map[string]string{"alpha": "A", "Zeta": "Z"},
			text:   "Zeta=Zalpha=A", want: refMD5("Zeta=Zalpha=A" + secret),
		},

		{
			name: "KeyParamMD5 CashGit example", sign: KeyParamMD5, canonical: KeyParamCanonical,
			fields: map[string]string{"orderid": "ORDER_20231201001", "appid": "cgpay", "amount": "100.00", "desc": "游戏充值", "notify_url": "https://merchant.com/notify", "sign": "x", "return_url": ""},
			text:   "amount=100.00&appid=cgpay&desc=游戏充值&notify_url=https://merchant.com/notify&orderid=ORDER_20231201001",
			want:   refMD5("amount=100.00&appid=cgpay&desc=游戏充值&notify_url=https://merchant.com/notify&orderid=ORDER_20231201001&key=" + secret),
		},
		{
			name: "KeyParamMD5 callback with number text", sign: KeyParamMD5, canonical: KeyParamCanonical,
			fields: map[string]string{"orderid": "ORDER_20231201001", "platform_orderid": "CG202312010001", "amount": "100.00", "status": "paid", "paytime": "1701422400000", "utr": "341234567890"},
			text:   "amount=100.00&orderid=ORDER_20231201001&paytime=1701422400000&platform_orderid=CG202312010001&status=paid&utr=341234567890",
			want:   refMD5("amount=100.00&orderid=ORDER_20231201001&paytime=1701422400000&platform_orderid=CG202312010001&status=paid&utr=341234567890&key=" + secret),
		},
		{
			name: "KeyParamMD5 upper case first", sign: KeyParamMD5, canonical: KeyParamCanonical,
			fields: map[string]string{"alpha": "A", "Zeta": "Z"},
			text:   "Zeta=Z&alpha=A", want: refMD5("Zeta=Z&alpha=A&key=" + secret),
		},

		{
			name: "AppendMD5 CashGit example", sign: AppendMD5, canonical: KeyParamCanonical,
			fields: map[string]string{"orderid": "ORDER_20231201001", "appid": "cgpay", "amount": "100.00", "desc": "游戏充值", "notify_url": "https://merchant.com/notify", "sign": "x"},
			text:   "amount=100.00&appid=cgpay&desc=游戏充值&notify_url=https://merchant.com/notify&orderid=ORDER_20231201001",
			want:   refMD5("amount=100.00&appid=cgpay&desc=游戏充值&notify_url=https://merchant.com/notify&orderid=ORDER_20231201001" + secret),
		},
		{
			name: "AppendMD5 skips empty values", sign: AppendMD5, canonical: KeyParamCanonical,
			fields: map[string]string{"b": "", "a": "1", "Z": "0"},
			text:   "Z=0&a=1", want: refMD5("Z=0&a=1" + secret),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.text, tt.canonical(tt.fields))
			got := tt.sign(tt.fields, secret)
			require.Equal(t, tt.want, got)
			require.NotContains(t, tt.canonical(tt.fields), secret, "canonical strings never hold the secret")

			// A different secret, or a changed value, gives a different signature.
			require.NotEqual(t, got, tt.sign(tt.fields, secret+"x"))
			if len(tt.fields) > 0 {
				changed := cloneWith(tt.fields, "zz_added", "1")
				require.NotEqual(t, got, tt.sign(changed, secret))
			}
		})
	}
}

func TestMD5SignersAreLowerHex(t *testing.T) {
	fields := payProSeed()
	for name, sign := range map[string]func(map[string]string, string) string{
		"ValuesMD5": ValuesMD5, "ConcatMD5": ConcatMD5, "KeyParamMD5": KeyParamMD5, "AppendMD5": AppendMD5,
	} {
		t.Run(name, func(t *testing.T) {
			s := sign(fields, "k")
			require.Len(t, s, 32)
			require.Equal(t, strings.ToLower(s), s)
			_, err := hex.DecodeString(s)
			require.NoError(t, err)
		})
	}
}

func TestBodyMD5(t *testing.T) {
	const secret = "cashy-secret"
	tests := []struct {
		name string
		body string
	}{
		{"webhook", `{"amount":20000.00,"completionTime":"2024-12-02 12:07:06","fee":2500.0000,"mchOrderNo":"1386503284355244033","merchantId":"3002120","nonceStr":"1733116026894","orderNo":"PAYIN8551790545658687488","orderStatus":"SUCCESS","payCode":"OR.GPNQR..INOPROID_BS","payType":"41","payUrl":"https://payurl.com"}`},
		{"query", `{"mchOrderNo":"1386556575370063873","nonceStr":"9459931608","orderNo":"PAYIN8551843837024997376"}`},
		{"pretty with newline", "{\n  \"a\": 1\n}\n"},
		{"unicode", `{"remark":"游戏充值"}`},
		{"empty", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := strings.ToUpper(refMD5(tt.body + secret))
			got := BodyMD5([]byte(tt.body), secret)
			require.Equal(t, want, got)
			require.Len(t, got, 32)
			require.Equal(t, strings.ToUpper(got), got)
		})
	}

	// The exact bytes are hashed: re-formatting the body changes the signature.
	require.NotEqual(t, BodyMD5([]byte(`{"a":1}`), secret), BodyMD5([]byte(`{"a": 1}`), secret))
	require.NotEqual(t, BodyMD5([]byte(`{"a":1}`), secret), BodyMD5([]byte("{\"a\":1}\n"), secret))

	// The caller's body is not modified, even with spare capacity.
	body := make([]byte, 0, 64)
	body = append(body, `{"a":1}`...)
	_ = BodyMD5(body, secret)
	require.Equal(t, `{"a":1}`, string(body))
	require.NotContains(t, string(body[:cap(body)]), secret)
}

func TestSignersDoNotModifyFields(t *testing.T) {
	fields := payProSeed()
	before := cloneWith(fields, "sign", fields["sign"])
	_ = ValuesMD5(fields, "k")
	_ = ConcatMD5(fields, "k")
	_ = KeyParamMD5(fields, "k")
	_ = AppendMD5(fields, "k")
	_ = HMACSHA1(fields, "k")
	_ = ConcatCanonical(fields)
	require.Equal(t, before, fields)
}

func TestSignersNilMap(t *testing.T) {
	require.Equal(t, refMD5("k"), ValuesMD5(nil, "k"))
	require.Equal(t, refMD5("&key=k"), KeyParamMD5(nil, "k"))
	require.Equal(t, refHMAC("k", ""), HMACSHA1(nil, "k"))
	require.Empty(t, ValuesCanonical(nil))
	require.Empty(t, HMACCanonical(nil))
}

// TestHMACSHA1MatchesCryptoHMAC checks the signer against crypto/hmac for every key length
// around SHA-1's 64-byte block (shorter keys are padded, longer ones hashed first) and for
// messages of one, two and several blocks.
func TestHMACSHA1MatchesCryptoHMAC(t *testing.T) {
	messages := []map[string]string{
		{},
		{"a": "1"},
		{"k": strings.Repeat("v", 50)},
		{"k": strings.Repeat("v", 200), "desc": "游戏充值"},
	}
	for n := 0; n <= 200; n++ {
		key := make([]byte, n)
		for i := range key {
			key[i] = byte(i*7 + n)
		}
		for _, fields := range messages {
			require.Equal(t, refHMAC(string(key), HMACCanonical(fields)), HMACSHA1(fields, string(key)), "key length %d", n)
		}
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		name      string
		got, want string
		equal     bool
	}{
		{"same hex", "2b4698c99716ba64176e0196a67b6e81", "2b4698c99716ba64176e0196a67b6e81", true},
		{"hex upper got", "2B4698C99716BA64176E0196A67B6E81", "2b4698c99716ba64176e0196a67b6e81", true},
		{"hex upper want", "2b4698c99716ba64176e0196a67b6e81", "2B4698C99716BA64176E0196A67B6E81", true},
		{"hex mixed", "2b4698C99716ba64176E0196a67b6e81", "2B4698c99716BA64176e0196A67B6E81", true},
		{"hex differs", "2b4698c99716ba64176e0196a67b6e80", "2b4698c99716ba64176e0196a67b6e81", false},
		{"hex shorter", "2b4698c99716ba64176e0196a67b6e8", "2b4698c99716ba64176e0196a67b6e81", false},
		{"hex longer", "2b4698c99716ba64176e0196a67b6e811", "2b4698c99716ba64176e0196a67b6e81", false},
		{"base64 same", "GXx2wYUD6UVr+zcmeCSFFPzcBLA=", "GXx2wYUD6UVr+zcmeCSFFPzcBLA=", true},
		{"base64 case matters", "gxx2wyud6uvr+zcmecsffpzcbla=", "GXx2wYUD6UVr+zcmeCSFFPzcBLA=", false},
		{"base64 upper", "GXX2WYUD6UVR+ZCMECSFFPZCBLA=", "GXx2wYUD6UVr+zcmeCSFFPzcBLA=", false},
		{"both empty", "", "", false},
		{"empty got", "", "2b4698c99716ba64176e0196a67b6e81", false},
		{"empty want", "2b4698c99716ba64176e0196a67b6e81", "", false},
		{"non-hex got against hex", "2b4698c99716ba64176e0196a67b6e8g", "2b4698c99716ba64176e0196a67b6e8f", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.equal, Equal(tt.got, tt.want))
		})
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		name string
		body string
		want map[string]string
	}{
		{"strings", `{"a":"x","b":"游戏充值","c":"\u0041\n"}`, map[string]string{"a": "x", "b": "游戏充值", "c": "A\n"}},
		{"numbers keep their text", `{"amount":20000.00,"fee":2500.0000,"paytime":1701422400000,"neg":-1.50,"exp":1e3,"zero":0}`,
			map[string]string{"amount": "20000.00", "fee": "2500.0000", "paytime": "1701422400000", "neg": "-1.50", "exp": "1e3", "zero": "0"}},
		{"big number exact", `{"n":12345678901234567.89}`, map[string]string{"n": "12345678901234567.89"}},
		{"booleans", `{"t":true,"f":false}`, map[string]string{"t": "true", "f": "false"}},
		{"null is empty", `{"n":null,"a":"1"}`, map[string]string{"n": "", "a": "1"}},
		{"nested object compact", `{"o": { "b" : 1 , "a" : [ 1, 2 ] } }`, map[string]string{"o": `{"b":1,"a":[1,2]}`}},
		{"array compact", `{"list":[ "x" , {"y" : null} ]}`, map[string]string{"list": `["x",{"y":null}]`}},
		{"empty object", `{}`, map[string]string{}},
		{"whitespace around", " \n\t{\"a\":\"1\"}\r\n ", map[string]string{"a": "1"}},
		{"empty key", `{"":"v"}`, map[string]string{"": "v"}},
		{"html not escaped", `{"u":"https://x.com/?a=1&b=<2>"}`, map[string]string{"u": "https://x.com/?a=1&b=<2>"}},
		{"CashGit callback", `{"orderid":"ORDER_20231201001","platform_orderid":"CG202312010001","amount":"100.00","status":"paid","paytime":1701422400000,"utr":"341234567890","sign":"a1b2c3"}`,
			map[string]string{"orderid": "ORDER_20231201001", "platform_orderid": "CG202312010001", "amount": "100.00", "status": "paid", "paytime": "1701422400000", "utr": "341234567890", "sign": "a1b2c3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Fields([]byte(tt.body))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestFieldsRejects(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"empty", ``},
		{"space", `   `},
		{"null", `null`},
		{"array", `[{"a":"1"}]`},
		{"string", `"{}"`},
		{"number", `1`},
		{"duplicate key", `{"amount":"1","amount":"1000"}`},
		{"duplicate key differing type", `{"a":null,"a":"x"}`},
		{"trailing object", `{"a":"1"}{"a":"2"}`},
		{"trailing garbage", `{"a":"1"} x`},
		{"trailing bracket", `{"a":"1"}]`},
		{"trailing brace", `{"a":"1"}}`},
		{"trailing comma", `{"a":"1"},`},
		{"trailing string", `{"a":"1"} "b"`},
		{"unterminated", `{"a":"1"`},
		{"comma before end", `{"a":"1",}`},
		{"missing colon", `{"a" "1"}`},
		{"non-string key", `{1:"1"}`},
		{"bad nested", `{"a":{"b":}}`},
		{"bad string", `{"a":"\x"}`},
		{"bad literal", `{"a":tru}`},
		{"truncated", `{"amount":20000.00,"fee":`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Fields([]byte(tt.body))
			require.Error(t, err)
			require.True(t, errors.Is(err, ErrNotObject), "got %v", err)
			require.Nil(t, got)
		})
	}
}

func TestScalar(t *testing.T) {
	tests := []struct {
		raw     string
		want    string
		wantErr bool
	}{
		{`"x"`, "x", false},
		{` "x" `, "x", false},
		{`20000.00`, "20000.00", false},
		{`true`, "true", false},
		{`null`, "", false},
		{`{"a": 1}`, `{"a":1}`, false},
		{`[1, 2]`, `[1,2]`, false},
		{``, "", true},
		{`"x`, "", true},
		{`{"a":}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := Scalar(json.RawMessage(tt.raw))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestVerifyCallbackBody signs the CaiPay callback as the provider would and verifies it the
// way provider packages do: Fields, then the signer, then Equal.
func TestVerifyCallbackBody(t *testing.T) {
	const secret = "76b570d3acb79ef559983839b25614ac"
	fields := caiPayCallback()
	delete(fields, "signKey")
	sig := refMD5("TEST98989898No data10SUCCESSSUCCESS11111111111111111111111111111" + fields["token"] + secret)
	body := `{"customerOrderNo":"TEST98989898","description":"No data","orderAmount":"10","orderStatus":"SUCCESS",` +
		`"payUtrNo":"1111111111111","platOrderNo":"1111111111111111","orderMessage":"SUCCESS",` +
		`"token":"` + fields["token"] + `","signKey":"` + sig + `"}`

	got, err := Fields([]byte(body))
	require.NoError(t, err)
	require.True(t, Equal(got["signKey"], ValuesMD5(got, secret)))
	require.True(t, Equal(strings.ToUpper(got["signKey"]), ValuesMD5(got, secret)))
	require.False(t, Equal(got["signKey"], ValuesMD5(got, "wrong")))

	tampered, err := Fields([]byte(strings.Replace(body, `"orderAmount":"10"`, `"orderAmount":"1000"`, 1)))
	require.NoError(t, err)
	require.False(t, Equal(tampered["signKey"], ValuesMD5(tampered, secret)))
}

func TestSignersConcurrent(t *testing.T) {
	const secret = "concurrent-secret"
	fieldSets := []map[string]string{
		payProSeed(),
		caiPayCallback(),
		{"a": "1"},
		{},
		{"big": strings.Repeat("x", 70<<10), "small": "y"}, // outgrows the pooled buffer
		{"desc": "游戏充值", "Zeta": "Z", "alpha": "A", "empty": ""},
	}
	bodies := [][]byte{[]byte(`{"a":1}`), []byte(strings.Repeat("b", 80<<10)), nil}

	type signer struct {
		name string
		fn   func(map[string]string, string) string
	}
	signers := []signer{
		{"ValuesMD5", ValuesMD5}, {"HMACSHA1", HMACSHA1}, {"ConcatMD5", ConcatMD5},
		{"KeyParamMD5", KeyParamMD5}, {"AppendMD5", AppendMD5},
		{"ValuesCanonical", func(f map[string]string, _ string) string { return ValuesCanonical(f) }},
		{"HMACCanonical", func(f map[string]string, _ string) string { return HMACCanonical(f) }},
		{"ConcatCanonical", func(f map[string]string, _ string) string { return ConcatCanonical(f) }},
		{"KeyParamCanonical", func(f map[string]string, _ string) string { return KeyParamCanonical(f) }},
	}

	want := make(map[string][]string)
	for _, s := range signers {
		for _, f := range fieldSets {
			want[s.name] = append(want[s.name], s.fn(f, secret))
		}
	}
	var wantBody []string
	for _, b := range bodies {
		wantBody = append(wantBody, BodyMD5(b, secret))
	}

	const goroutines, rounds = 50, 20
	var wg sync.WaitGroup
	errs := make(chan string, goroutines*rounds*(len(signers)+1))
	for g := range goroutines {
		wg.Go(func() {
			for round := range rounds {
				for _, s := range signers {
					i := (g + round) % len(fieldSets)
					if got := s.fn(fieldSets[i], secret); got != want[s.name][i] {
						errs <- s.name
					}
				}
				j := (g + round) % len(bodies)
				if got := BodyMD5(bodies[j], secret); got != wantBody[j] {
					errs <- "BodyMD5"
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	var failed []string
	for e := range errs {
		failed = append(failed, e)
	}
	require.Empty(t, failed, "signers disagreed with their serial result under concurrency")
}

// FuzzFields checks Fields never panics, is deterministic, and that every signer gives the
// same signature twice over what it returns.
func FuzzFields(f *testing.F) {
	seeds := []string{
		// Cashy webhook (the sample of docs.cashypro.com).
		`{"amount":20000.00,"completionTime":"2024-12-02 12:07:06","fee":2500.0000,"mchOrderNo":"1386503284355244033","merchantId":"3002120","nonceStr":"1733116026894","orderNo":"PAYIN8551790545658687488","orderStatus":"SUCCESS","payCode":"OR.GPNQR..INOPROID_BS","payType":"41","payUrl":"https://payurl.com"}`,
		`{"amount": 1000.0, "completionTime": "2024-11-24 21:56:55", "fee": 2.0, "mchOrderNo": "order_xxxxxxxxxxxxxx", "merchantId": "2004015", "nonceStr": "1732507016285", "orderNo": "PAYIN1234500000000002", "orderStatus": "SUCCESS", "orderType": "PATCH", "patchMchOrderNo": "order_xxxxxxxxxxxxxx0001", "patchOrderNo": "PAYIN1234500000000001", "payCode": "60088888888888", "payType": "69"}`,
		// CaiPay callback (its API document, section 4.1).
		`{"customerOrderNo":"TEST98989898","description":"No data","orderAmount":"10","orderStatus":"SUCCESS","payUtrNo":"1111111111111","platOrderNo":"1111111111111111","orderMessage":"SUCCESS","token":"4f44347e81987f3325ef8c0f3df366b7b1f365883929127a9e207ba0bc94a46f3e5d9f2d71870a1d0050f43f1806126f","signKey":"4aa177240e759e3c7cd5e4a3549e1fec"}`,
		// CashGit callbacks (its API document's samples).
		`{"orderid":"ORDER_20231201001","platform_orderid":"CG202312010001","amount":"100.00","status":"paid","paytime":1701422400000,"utr":"341234567890","sign":"a1b2c3"}`,
		`{"orderid":"PAYOUT_20231201001","platform_orderid":"PO202312010001","amount":"500.00","fee":"10.00","actual_amount":"490.00","status":"success","utr":"341234567891","completed_at":1701422400000,"sign":"a1b2c3"}`,
		// PayPro request (docs.paypro.tech).
		`{"sign":"f53ee692f15d0329a1461373b67ff25a","timestamp":"1724142041682","tradeNo":"00000007","amount":"300","name":"abc","mobile":"918234567890","email":"123@qq.com","ipAddress":"14.155.28.59","remark":"000000","notifyUrl":"https://google.com","returnUrl":"http://abc.com/callback_page"}`,
		// Shapes.
		`{"o":{"b":1,"a":[1,2]},"n":null,"t":true}`,
		`{"a":"1","a":"2"}`,
		`{"a":"1"} x`,
		`{}`, `[]`, `null`, ``, `{"a":"\ud800"}`, `{"a":"游戏充值"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := Fields(body)
		again, err2 := Fields(body)
		require.Equal(t, err == nil, err2 == nil)
		require.Equal(t, got, again)
		if err != nil {
			require.ErrorIs(t, err, ErrNotObject)
			require.Nil(t, got)
			return
		}
		require.True(t, json.Valid(body), "Fields accepted invalid JSON %q", body)
		const secret = "fuzz-secret"
		require.Equal(t, ValuesMD5(got, secret), ValuesMD5(again, secret))
		require.Equal(t, HMACSHA1(got, secret), HMACSHA1(again, secret))
		require.Equal(t, ConcatMD5(got, secret), ConcatMD5(again, secret))
		require.Equal(t, KeyParamMD5(got, secret), KeyParamMD5(again, secret))
		require.Equal(t, AppendMD5(got, secret), AppendMD5(again, secret))
		require.Equal(t, BodyMD5(body, secret), BodyMD5(body, secret))
	})
}

// reference builds a canonical string the slow, obvious way.
func reference(fields map[string]string, exclude, kv, sep string) string {
	var keys []string
	for k, v := range fields {
		if v != "" && k != exclude {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if kv != "" {
			parts = append(parts, k+kv+fields[k])
		} else {
			parts = append(parts, fields[k])
		}
	}
	return strings.Join(parts, sep)
}

// FuzzCanonical builds a field map from fuzzed keys and values and checks every canonical
// function against a plain reference, that each is deterministic, and that the secret never
// reaches a canonical string it was not already part of.
func FuzzCanonical(f *testing.F) {
	f.Add("amount", "100.00", "appid", "cgpay", "desc", "游戏充值", "your_secret_key")
	f.Add("token", "a41fd77e034d424b97e64ea42f17c544", "tenantId", "1923067572689027074", "signKey", "2b4698c99716ba64176e0196a67b6e81", "76b570d3acb79ef559983839b25614ac")
	f.Add("tradeNo", "00000007", "mobile", "8234567890", "sign", "f53ee692f15d0329a1461373b67ff25a", "paypro-secret")
	f.Add("access_key", "pFqV75X3", "nonce", "794c26b0-d33c-4394-b2bb-c485eca16d9e", "timestamp", "1679724896223", "9f2c1e7a5b3d4c6e8a0b2d4f6a8c0e1f")
	f.Add("Zeta", "Z", "alpha", "A", "empty", "", "s")
	f.Add("a", "secret", "b", "", "secret", "x", "secret")
	f.Add("", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3, secret string) {
		fields := map[string]string{k1: v1, k2: v2, k3: v3}
		tests := []struct {
			name      string
			canonical func(map[string]string) string
			want      string
		}{
			{"values", ValuesCanonical, reference(fields, "signKey", "", "")},
			{"hmac", HMACCanonical, reference(fields, "sign", "=", "&")},
			{"concat", ConcatCanonical, reference(fields, "sign", "=", "")},
			{"keyparam", KeyParamCanonical, reference(fields, "sign", "=", "&")},
		}
		for _, tt := range tests {
			got := tt.canonical(fields)
			require.Equal(t, tt.want, got, tt.name)
			require.Equal(t, got, tt.canonical(fields), "%s is deterministic", tt.name)
			if secret != "" && !strings.Contains(tt.want, secret) {
				require.NotContains(t, got, secret, tt.name)
			}
		}
		require.Equal(t, refMD5(tests[0].want+secret), ValuesMD5(fields, secret))
		require.Equal(t, refHMAC(secret, tests[1].want), HMACSHA1(fields, secret))
		require.Equal(t, refMD5(tests[2].want+secret), ConcatMD5(fields, secret))
		require.Equal(t, refMD5(tests[3].want+"&key="+secret), KeyParamMD5(fields, secret))
		require.Equal(t, refMD5(tests[3].want+secret), AppendMD5(fields, secret))
		require.Equal(t, strings.ToUpper(refMD5(v1+secret)), BodyMD5([]byte(v1), secret))
	})
}

func TestScalarNeverPanics(t *testing.T) {
	for _, raw := range []string{`"`, `""`, `"a`, `n`, `nul`, `{`, `[`, `-`, ` `} {
		require.NotPanics(t, func() { _, _ = Scalar(json.RawMessage(raw)) }, "%q", raw)
	}
	_, err := Scalar(json.RawMessage(`"`))
	require.Error(t, err)
}
