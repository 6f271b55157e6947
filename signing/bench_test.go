package signing

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"testing"
)

// Each benchmark pairs a signer ("paygate") with a baseline ("bare") that hashes the same bytes,
// built once outside the loop, with the bare hash: the ratio of the two is what the field
// handling (sort, concatenation, encoding) costs on top of the hash itself.

const benchSecret = "76b570d3acb79ef559983839b25614ac"

// benchFields is a realistic 10-field request (a CashGit pay-out, plus signature field).
func benchFields() map[string]string {
	return map[string]string{
		"appid":          "cgpay",
		"orderid":        "PAYOUT_20231201001",
		"amount":         "500.00",
		"account_name":   "Rajesh Kumar",
		"account_number": "1234567890123456",
		"ifsc":           "SBIN0001234",
		"mobile":         "9876543210",
		"email":          "rajesh@example.com",
		"notify_url":     "https://merchant.com/payout/notify",
		"desc":           "游戏提现",
	}
}

// benchBody is a realistic 10-field Cashy pay-out body.
var benchBody = []byte(`{"accountName":"Rajesh Kumar","accountNo":"1234567890123456","accountType":"BANK",` +
	`"currency":"PKR","amount":"500.00","bankId":"12","mchOrderNo":"PAYOUT_20231201001",` +
	`"notifyUrl":"https://merchant.com/payout/notify","nonceStr":"1733116026894","remark":"payout"}`)

var sink string

func benchMD5(b *testing.B, sign func(map[string]string, string) string, signed string) {
	fields := benchFields()
	b.Run("paygate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = sign(fields, benchSecret)
		}
	})
	b.Run("bare", func(b *testing.B) {
		data := []byte(signed)
		b.ReportAllocs()
		for b.Loop() {
			sum := md5.Sum(data)
			sink = string(sum[:1])
		}
	})
}

func BenchmarkValuesMD5(b *testing.B) {
	benchMD5(b, ValuesMD5, ValuesCanonical(benchFields())+benchSecret)
}

func BenchmarkConcatMD5(b *testing.B) {
	benchMD5(b, ConcatMD5, ConcatCanonical(benchFields())+benchSecret)
}

func BenchmarkKeyParamMD5(b *testing.B) {
	benchMD5(b, KeyParamMD5, KeyParamCanonical(benchFields())+"&key="+benchSecret)
}

func BenchmarkAppendMD5(b *testing.B) {
	benchMD5(b, AppendMD5, KeyParamCanonical(benchFields())+benchSecret)
}

func BenchmarkHMACSHA1(b *testing.B) {
	fields := benchFields()
	b.Run("paygate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = HMACSHA1(fields, benchSecret)
		}
	})
	b.Run("bare", func(b *testing.B) {
		data := []byte(HMACCanonical(fields))
		key := []byte(benchSecret)
		b.ReportAllocs()
		for b.Loop() {
			m := hmac.New(sha1.New, key)
			m.Write(data)
			sum := m.Sum(nil)
			sink = string(sum[:1])
		}
	})
}

func BenchmarkBodyMD5(b *testing.B) {
	b.Run("paygate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = BodyMD5(benchBody, benchSecret)
		}
	})
	b.Run("bare", func(b *testing.B) {
		data := append(append([]byte(nil), benchBody...), benchSecret...)
		b.ReportAllocs()
		for b.Loop() {
			sum := md5.Sum(data)
			sink = string(sum[:1])
		}
	})
}
