// Package signing holds the signature algorithms of the five providers as pure functions: no
// HTTP, no configuration, no state. Each takes the fields to sign and the secret and returns
// the signature text the provider expects; Equal compares signatures in constant time.
//
// The algorithms, by provider:
//
//	CaiPay   ValuesMD5      md5hex(values of non-empty fields but signKey, in key order + secret)
//	DeekPay  HMACSHA1       base64(hmac-sha1(secret, "k=v&k=v" of non-empty fields, key order))
//	PayPro   ConcatMD5      md5hex("k1=v1k2=v2" of non-empty fields but sign, key order + secret)
//	CashGit  KeyParamMD5    md5hex("k=v&k=v" of non-empty fields but sign + "&key=" + secret)
//	         AppendMD5      md5hex("k=v&k=v" of non-empty fields but sign + secret)
//	Cashy    BodyMD5        MD5HEX(raw body bytes + secret), upper case
//
// Each provider package also describes its algorithm as a Scheme and registers it under its
// name (Register, Schemes), so that a tool such as `paygate sign` signs and verifies by hand
// as the client does, knowing no provider by name.
//
// Key order is byte-wise (ASCII) order, so upper-case keys sort before lower-case ones.
// Callbacks whose fields are JSON numbers or booleans are signed over their JSON text; Fields
// turns a JSON object into the map these functions take.
package signing

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
	"sync"
)

// layout says how a field list becomes canonical bytes.
type layout struct {
	exclude   string // the signature's own field, never signed
	keys      bool   // write "key=" before each value
	separator string // between fields
}

var (
	valuesLayout   = layout{exclude: "signKey"}
	hmacLayout     = layout{exclude: "sign", keys: true, separator: "&"}
	concatLayout   = layout{exclude: "sign", keys: true}
	keyParamLayout = layout{exclude: "sign", keys: true, separator: "&"}
)

// field is one key and its value.
type field struct{ key, value string }

// scratch is reusable memory for one signature: the fields to sign and the canonical bytes.
type scratch struct {
	fields []field
	buf    []byte
	mac    hash.Hash // HMACSHA1's keyed state for macKey
	macKey string
}

var scratchPool = sync.Pool{New: func() any { return &scratch{fields: make([]field, 0, 16), buf: make([]byte, 0, 512)} }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(s *scratch) {
	if cap(s.buf) > 64<<10 || cap(s.fields) > 1024 {
		return // let an outsized request's memory go
	}
	clear(s.fields)
	s.fields, s.buf = s.fields[:0], s.buf[:0]
	scratchPool.Put(s)
}

// appendCanonical appends the fields in key order per l to s.buf, skipping empty values and
// the excluded field. Keys and values are collected in one pass over the map, so no key is
// looked up twice.
func (l layout) appendCanonical(s *scratch, fields map[string]string) []byte {
	for k, v := range fields {
		if v != "" && k != l.exclude {
			s.fields = append(s.fields, field{k, v})
		}
	}
	sortFields(s.fields)
	b := s.buf
	for i, f := range s.fields {
		if i > 0 {
			b = append(b, l.separator...)
		}
		if l.keys {
			b = append(b, f.key...)
			b = append(b, '=')
		}
		b = append(b, f.value...)
	}
	s.buf = b
	return b
}

// sortFields sorts fs by key in byte order. Keys come from a map, so they are distinct.
// A request has about ten fields: insertion sort with plain string comparison is the fastest
// there; a large body falls back to the O(n log n) sort.
func sortFields(fs []field) {
	if len(fs) > 12 {
		slices.SortFunc(fs, func(a, b field) int { return strings.Compare(a.key, b.key) })
		return
	}
	for i := 1; i < len(fs); i++ {
		f, j := fs[i], i
		for ; j > 0 && f.key < fs[j-1].key; j-- {
			fs[j] = fs[j-1]
		}
		fs[j] = f
	}
}

// Canonical functions return the exact string each algorithm hashes, before the secret: for
// debugging an integration against a provider's own tool. They never include the secret.

// ValuesCanonical is the CaiPay string: the values only.
func ValuesCanonical(fields map[string]string) string { return canonical(valuesLayout, fields) }

// HMACCanonical is the DeekPay string: "k=v&k=v".
func HMACCanonical(fields map[string]string) string { return canonical(hmacLayout, fields) }

// ConcatCanonical is the PayPro string: "k1=v1k2=v2".
func ConcatCanonical(fields map[string]string) string { return canonical(concatLayout, fields) }

// KeyParamCanonical is the CashGit string: "k=v&k=v" (without the "&key=" suffix).
func KeyParamCanonical(fields map[string]string) string { return canonical(keyParamLayout, fields) }

func canonical(l layout, fields map[string]string) string {
	s := getScratch()
	defer putScratch(s)
	return string(l.appendCanonical(s, fields))
}

// md5Hex hashes the canonical bytes of fields followed by suffix and secret.
func md5Hex(l layout, fields map[string]string, suffix, secret string, upper bool) string {
	s := getScratch()
	b := l.appendCanonical(s, fields)
	b = append(b, suffix...)
	b = append(b, secret...)
	s.buf = b
	sum := md5.Sum(b)
	putScratch(s)
	return hexString(sum[:], upper)
}

func hexString(sum []byte, upper bool) string {
	var out [2 * md5.Size]byte
	hex.Encode(out[:], sum)
	if upper {
		for i, c := range out {
			if c >= 'a' {
				out[i] = c - ('a' - 'A')
			}
		}
	}
	return string(out[:])
}

// ValuesMD5 is CaiPay's signKey: lower-case hex MD5 of the non-empty values, except signKey's,
// concatenated in key order, followed by the secret.
func ValuesMD5(fields map[string]string, secret string) string {
	return md5Hex(valuesLayout, fields, "", secret, false)
}

// ConcatMD5 is PayPro's sign: lower-case hex MD5 of "k1=v1k2=v2…" (key order, sign and empty
// values skipped) with the secret appended directly.
func ConcatMD5(fields map[string]string, secret string) string {
	return md5Hex(concatLayout, fields, "", secret, false)
}

// KeyParamMD5 is CashGit's documented sign: lower-case hex MD5 of "k=v&k=v" (key order, sign
// and empty values skipped) + "&key=" + secret.
func KeyParamMD5(fields map[string]string, secret string) string {
	return md5Hex(keyParamLayout, fields, "&key=", secret, false)
}

// AppendMD5 is the variant of KeyParamMD5 that CashGit's current public code uses: the secret
// appended directly, without "&key=".
func AppendMD5(fields map[string]string, secret string) string {
	return md5Hex(keyParamLayout, fields, "", secret, false)
}

// BodyMD5 is Cashy's Sign: upper-case hex MD5 of the exact body bytes followed by the secret.
// Send the very bytes you signed.
func BodyMD5(body []byte, secret string) string {
	s := getScratch()
	b := append(append(s.buf, body...), secret...)
	s.buf = b
	sum := md5.Sum(b)
	putScratch(s)
	return hexString(sum[:], true)
}

// HMACSHA1 is DeekPay's sign: Base64 of HMAC-SHA1 keyed with the secret over "k=v&k=v" of the
// non-empty fields in key order. The caller puts access_key, timestamp and nonce among fields.
func HMACSHA1(fields map[string]string, secret string) string {
	s := getScratch()
	if s.mac == nil || s.macKey != secret {
		// crypto/hmac's keyed state is kept with the pooled scratch and reset between uses:
		// hmac.New costs five allocations, a Reset none.
		s.mac, s.macKey = hmac.New(sha1.New, []byte(secret)), secret
	} else {
		s.mac.Reset()
	}
	s.mac.Write(hmacLayout.appendCanonical(s, fields))
	var sum [sha1.Size]byte
	s.mac.Sum(sum[:0])
	putScratch(s)
	var out [(sha1.Size + 2) / 3 * 4]byte
	base64.StdEncoding.Encode(out[:], sum[:])
	return string(out[:])
}

// Equal reports, in constant time for equal lengths, whether a received signature equals the
// expected one. Hex signatures compare without regard to case; pass them as received.
func Equal(got, want string) bool {
	if len(got) != len(want) || len(want) == 0 {
		return false
	}
	if isHex(want) {
		got, want = strings.ToLower(got), strings.ToLower(want)
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}
