package deekpay_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/deekpay"
	"github.com/paygate-go/paygate/signing"
)

// The fixed request parameters of internal/testdata/deekpay/vectors.json.
const (
	testAccessKey = "pFqV75X3"
	testSecret    = "deekpay-test-secret"
	testTimestamp = "1679724896223"
	testNonce     = "794c26b0-d33c-4394-b2bb-c485eca16d9e"
)

var testNow = time.UnixMilli(1679724896223)

var fastRetry = paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})

// hmacSHA1 is the documented rule, computed here with crypto/hmac: Base64(HMAC-SHA1(key, s)).
func hmacSHA1(s, key string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// canonical builds "k=v&k=v" of the non-empty fields in byte order, by hand.
func canonical(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k, v := range fields {
		if v != "" && k != "sign" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + fields[k]
	}
	return strings.Join(parts, "&")
}

type vector struct {
	Name      string `json:"name"`
	Key       string `json:"key"`
	Canonical string `json:"canonical"`
	Sign      string `json:"sign"`
}

// vectors reads the OpenSSL-computed vectors, by name.
func vectors(t testing.TB) map[string]vector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "deekpay", "vectors.json"))
	require.NoError(t, err)
	var file struct {
		Vectors []vector `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	out := map[string]vector{}
	for _, v := range file.Vectors {
		out[v.Name] = v
	}
	return out
}

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "deekpay", name))
	require.NoError(t, err)
	return []byte(strings.TrimSpace(string(raw)))
}

// recorded is one request the test server saw.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// bodyFields decodes a recorded JSON body as string fields.
func (r recorded) bodyFields(t testing.TB) map[string]string {
	t.Helper()
	var m map[string]string
	require.NoError(t, json.Unmarshal(r.Body, &m), "body %s", r.Body)
	return m
}

// server is an httptest server answering every request with the next reply (the last one
// repeats) and recording what it saw.
type server struct {
	*httptest.Server
	mu      sync.Mutex
	seen    []recorded
	replies []reply
}

type reply struct {
	status      int
	contentType string
	body        string
	block       bool // wait until the client gives up
}

func jsonReply(body string) reply {
	return reply{status: http.StatusOK, contentType: "application/json;charset=utf-8", body: body}
}

func newServer(t testing.TB, replies ...reply) *server {
	t.Helper()
	s := &server{replies: replies}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.seen = append(s.seen, recorded{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			Header: r.Header.Clone(), Body: body})
		rp := s.replies[min(len(s.seen), len(s.replies))-1]
		s.mu.Unlock()
		if rp.block {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		if rp.contentType != "" {
			w.Header().Set("Content-Type", rp.contentType)
		}
		w.WriteHeader(rp.status)
		_, _ = io.WriteString(w, rp.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.seen...)
}

func testConfig(baseURL string) paygate.Config {
	return paygate.Config{Provider: deekpay.Name, BaseURL: baseURL, APIKey: testAccessKey, Secret: testSecret}
}

// newClient returns a client with the vectors' clock and nonce and a fast retry policy.
func newClient(t testing.TB, baseURL string, opts ...paygate.Option) *deekpay.Client {
	t.Helper()
	return newClientWith(t, testConfig(baseURL), opts...)
}

func newClientWith(t testing.TB, cfg paygate.Config, opts ...paygate.Option) *deekpay.Client {
	t.Helper()
	base := []paygate.Option{
		paygate.WithClock(func() time.Time { return testNow }),
		paygate.WithNonce(func() string { return testNonce }),
		fastRetry,
	}
	c, err := deekpay.New(cfg, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// requireSigned checks a request's four headers and that sign is the documented HMAC of want
// (the hand-built canonical string), computed here.
func requireSigned(t testing.TB, r recorded, wantCanonical string) {
	t.Helper()
	require.Equal(t, testAccessKey, r.Header.Get("access_key"))
	require.Equal(t, testTimestamp, r.Header.Get("timestamp"))
	require.Equal(t, testNonce, r.Header.Get("nonce"))
	require.Equal(t, hmacSHA1(wantCanonical, testSecret), r.Header.Get("sign"), "canonical %s", wantCanonical)
	require.Equal(t, "application/json;charset=utf-8", r.Header.Get("Content-Type"))
}

// signCallback signs a callback body with the documented rule, computed here: the body's
// fields (numbers as their JSON text) plus the three header values.
func signCallback(t testing.TB, body []byte, accessKey, ts, nonce, secret string) http.Header {
	t.Helper()
	fields, err := signing.Fields(body)
	require.NoError(t, err)
	fields["access_key"], fields["timestamp"], fields["nonce"] = accessKey, ts, nonce
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("access_key", accessKey)
	h.Set("timestamp", ts)
	h.Set("nonce", nonce)
	h.Set("sign", hmacSHA1(canonical(fields), secret))
	return h
}
