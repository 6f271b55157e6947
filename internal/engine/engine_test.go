package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/signing"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// readTest reads {"code":"OK"|..., "flag":bool, "data":...}: a small provider of the test's own.
func readTest(body []byte, data any) (engine.Envelope, error) {
	env := struct {
		Code string `json:"code"`
		Flag *bool  `json:"flag"`
		Data any    `json:"data"`
	}{Data: data}
	if err := json.Unmarshal(body, &env); err != nil {
		return engine.Envelope{}, err
	}
	e := engine.Envelope{Code: env.Code}
	switch {
	case env.Flag == nil:
	case *env.Flag:
		e.Flag = engine.FlagTrue
	default:
		e.Flag = engine.FlagFalse
	}
	switch env.Code {
	case "OK":
	case "DUP": // the one refusal this provider documents
		e.Verdict, e.Err, e.Definite = engine.Refused, paygate.ErrDuplicateOrder, true
	default: // BUSY, and any code it does not document
		e.Verdict = engine.Refused
	}
	return e, nil
}

var spec = engine.Spec{Name: "test", MerchantLabel: "mid", Envelope: readTest, SignatureKey: "sign",
	Capabilities: paygate.Capabilities{PayIn: true, Currency: paygate.INR}}

func newBase(t *testing.T, status int, body string) *engine.Base {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	b, err := engine.New(spec, paygate.Config{MerchantID: "M1", Secret: "s3cret-current", APIKey: "api-key-1",
		Options: map[string]string{"previous_secrets": "s3cret-old"}}, engine.Options{BaseURL: srv.URL},
		paygate.WithRetry(paygate.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	t.Cleanup(b.CloseIdleConnections)
	return b
}

// TestNew: what every provider's constructor checks alike, checked once.
func TestNew(t *testing.T) {
	spec := engine.Spec{Name: "newtest", Required: []string{"merchant_id", "secret"}, Envelope: readTest, SignatureKey: "sign"}
	ok := paygate.Config{MerchantID: "M1", Secret: "s"}
	cases := []struct {
		name string
		cfg  paygate.Config
		base string
		want []string // in the error; none: no error
	}{
		{"complete", ok, "https://api.example.com", nil},
		{"every missing key at once", paygate.Config{}, "https://api.example.com",
			[]string{"merchant_id: Config.MerchantID is required", "secret: Config.Secret is required"}},
		{"host without scheme", ok, "api.example.com", []string{"base_url: Config.BaseURL must be an absolute http(s) URL"}},
		{"no host", ok, "", []string{"base_url: Config.BaseURL must be an absolute http(s) URL"}},
		{"another scheme", ok, "ftp://api.example.com", []string{"absolute http(s) URL"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := engine.New(spec, c.cfg, engine.Options{BaseURL: c.base})
			if c.want == nil {
				require.NoError(t, err)
				b.CloseIdleConnections()
				return
			}
			require.ErrorIs(t, err, paygate.ErrInvalidConfig)
			for _, w := range c.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}

// registeredClient is what the provider "registertest" builds. It is registered once per test
// binary, from init as a provider package registers itself, so that -count=2 does not panic.
type registeredClient struct{ paygate.Gateway }

func init() {
	engine.Register("registertest", func(cfg paygate.Config, _ ...paygate.Option) (*registeredClient, error) {
		if cfg.Secret == "" {
			return nil, paygate.ConfigErr("registertest", "secret", "Config.Secret is required")
		}
		return &registeredClient{}, nil
	}, []paygate.OptionSpec{{Name: "flavour", Meaning: "a test option"}},
		[]signing.Scheme{{Canonical: signing.ConcatCanonical, Sign: signing.ConcatMD5, Formula: "md5hex(canonical + secret)"}})
}

// TestRegister: a constructor that fails gives paygate.New a nil Gateway, not one holding a
// nil client; one that succeeds gives its client.
func TestRegister(t *testing.T) {
	gw, err := paygate.New(paygate.Config{Provider: "registertest"})
	require.ErrorIs(t, err, paygate.ErrInvalidConfig)
	require.True(t, gw == nil, "a nil interface, not a typed nil")

	gw, err = paygate.New(paygate.Config{Provider: "registertest", Secret: "s", Options: map[string]string{"flavour": "x"}})
	require.NoError(t, err)
	require.IsType(t, &registeredClient{}, gw)
	require.Equal(t, "flavour", paygate.OptionSpecs("registertest")[0].Name)
	require.Len(t, signing.Schemes("registertest"), 1)
}

// TestCallVerdicts: one rule per answer, for every provider alike.
func TestCallVerdicts(t *testing.T) {
	cases := []struct {
		name         string
		status       int
		body         string
		create       bool
		ok, unknown  bool
		refused, dup bool
	}{
		{"success", 200, `{"code":"OK","data":{"id":"P1"}}`, true, true, false, false, false},
		{"success under 403 (read)", 403, `{"code":"OK","data":{"id":"P1"}}`, false, false, false, false, false},
		{"success under 404 (create)", 404, `{"code":"OK","data":{"id":"P1"}}`, true, false, true, false, false},
		{"contradiction (read)", 200, `{"code":"OK","flag":false,"data":{}}`, false, false, false, false, false},
		{"contradiction (create)", 200, `{"code":"OK","flag":false,"data":{}}`, true, false, true, false, false},
		{"success flag under a refusal (read)", 200, `{"code":"DUP","flag":true,"data":{"id":"P1"}}`, false, false, false, false, false},
		{"success flag under a refusal (create)", 200, `{"code":"DUP","flag":true,"data":{"id":"P1"}}`, true, false, true, false, false},
		{"success with its flag", 200, `{"code":"OK","flag":true,"data":{"id":"P1"}}`, true, true, false, false, false},
		{"refusal with its flag", 200, `{"code":"DUP","flag":false}`, true, false, false, true, true},
		{"undocumented code (create)", 200, `{"code":"NEW","data":{"id":"P1"}}`, true, false, true, true, false},
		{"undocumented code (read)", 200, `{"code":"NEW","data":{"id":"P1"}}`, false, false, false, true, false},
		// HTTP 429 is the provider's rate limit: whatever its code, the request was not taken.
		{"a refusal under HTTP 429 (create)", 429, `{"code":"NEW"}`, true, false, false, true, false},
		{"a success under HTTP 429 (create)", 429, `{"code":"OK","data":{"id":"P1"}}`, true, false, true, false, false},
		{"refusal", 200, `{"code":"DUP"}`, true, false, false, true, true},
		{"uncertain refusal (create)", 200, `{"code":"BUSY"}`, true, false, true, true, false},
		{"uncertain refusal (read)", 200, `{"code":"BUSY"}`, false, false, false, true, false},
		{"success without data", 200, `{"code":"OK"}`, true, false, true, false, false},
		{"not JSON (create)", 200, `<html>`, true, false, true, false, false},
		// An envelope naming a member twice says two things, whichever encoding/json keeps.
		{"code twice (create)", 200, `{"code":"DUP","data":{"id":"P1"},"code":"OK"}`, true, false, true, false, false},
		{"code twice (read)", 200, `{"code":"DUP","data":{"id":"P1"},"code":"OK"}`, false, false, false, false, false},
		{"a case variant (create)", 200, `{"code":"DUP","CODE":"OK","data":{"id":"P1"}}`, true, false, true, false, false},
		{"an escaped variant (create)", 200, `{"code":"DUP","\u0063ode":"OK","data":{"id":"P1"}}`, true, false, true, false, false},
		{"a folded variant (create)", 200, `{"code":"OK","kind":1,"\u212aind":2,"data":{"id":"P1"}}`, true, false, true, false, false},
		{"data twice (create)", 200, `{"code":"OK","data":{"id":"P2"},"Data":{"id":"P1"}}`, true, false, true, false, false},
		{"nested keys may repeat", 200, `{"code":"OK","data":{"id":"P1","x":{"code":1},"y":[{"code":2}],"z":"\"code\":"}}`, true, true, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBase(t, c.status, c.body)
			var out created
			call := &engine.Call{Op: "query", Path: "/p", Body: []byte(`{}`)}
			if c.create {
				call.Op, call.Create = "payin", &engine.Order{ID: "O1", Amount: paygate.MustParseMoney("1", paygate.INR)}
			}
			_, err := b.Call(context.Background(), call, &out)
			require.Equal(t, c.ok, err == nil, "%v", err)
			require.Equal(t, c.unknown, errors.Is(err, paygate.ErrOutcomeUnknown), "%v", err)
			var pe *paygate.ProviderError
			require.Equal(t, c.refused, errors.As(err, &pe), "%v", err)
			require.Equal(t, c.dup, errors.Is(err, paygate.ErrDuplicateOrder))
		})
	}
}

// TestCallData: the data member is decoded into out in the same pass as the envelope; a
// refusal's data of another shape is no obstacle to reading the refusal, data that does not
// fit out is a malformed answer, and absent or null data is a success without data unless
// the call expects none.
func TestCallData(t *testing.T) {
	type data struct {
		ID string `json:"id"`
	}
	cases := []struct {
		name    string
		body    string
		noData  bool
		want    string // the decoded id; "" with errText
		errText string
	}{
		{"decoded in one pass", `{"code":"OK","data":{"id":"P1"}}`, false, "P1", ""},
		{"empty object", `{"code":"OK","data":{}}`, false, "", ""},
		{"does not fit", `{"code":"OK","data":{"id":7}}`, false, "", "data: json: cannot unmarshal"},
		{"a string for an object", `{"code":"OK","data":"P1"}`, false, "", "data: json: cannot unmarshal"},
		{"null", `{"code":"OK","data":null}`, false, "", "success without data"},
		{"absent", `{"code":"OK"}`, false, "", "success without data"},
		{"absent, none expected", `{"code":"OK"}`, true, "", ""},
		{"refusal with data of another shape", `{"code":"DUP","data":[1,2]}`, false, "", "DUP"},
		{"not JSON", `{"code":"OK","data":{"id":"P1"}`, false, "", "not JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBase(t, 200, c.body)
			var out data
			_, err := b.Call(context.Background(), &engine.Call{Op: "query", Path: "/q", NoData: c.noData}, &out)
			if c.errText != "" {
				require.ErrorContains(t, err, c.errText)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, out.ID)
		})
	}

	t.Run("raw data without out", func(t *testing.T) {
		b := newBase(t, 200, `{"code":"OK","data":[{"id":"P1"}]}`)
		r, err := b.Call(context.Background(), &engine.Call{Op: "query", Path: "/q"}, nil)
		require.NoError(t, err)
		require.JSONEq(t, `[{"id":"P1"}]`, string(r.Data()))
	})
}

// TestCreated: an answer about another order or amount, or without the provider's number, is
// outcome-unknown; an answer without the amount reports the requested one; a create whose
// data cannot answer is refused before anything is reported.
func TestCreated(t *testing.T) {
	cases := []struct {
		name    string
		data    string
		unknown bool
		got     string
	}{
		{"plain", `{"order":"O1","id":"P1","amount":"100.00"}`, false, "100.00 INR"},
		{"amount omitted", `{"order":"O1","id":"P1"}`, false, "100.00 INR"},
		{"order omitted", `{"id":"P1"}`, false, "100.00 INR"},
		{"another order", `{"order":"O2","id":"P1"}`, true, ""},
		{"another amount", `{"order":"O1","id":"P1","amount":1.00}`, true, ""},
		{"no provider order number", `{"order":"O1"}`, true, ""},
		{"the order's currency", `{"order":"O1","id":"P1","currency":" inr"}`, false, "100.00 INR"},
		{"another currency", `{"order":"O1","id":"P1","amount":"100.00","currency":"USD"}`, true, ""},
		{"our merchant", `{"order":"O1","id":"P1","merchant":"M1"}`, false, "100.00 INR"},
		{"another merchant", `{"order":"O1","id":"P1","merchant":"M2"}`, true, ""},
		{"the kind asked", `{"order":"O1","id":"P1","kind":"payin"}`, false, "100.00 INR"},
		{"another kind", `{"order":"O1","id":"P1","kind":"payout"}`, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBase(t, 200, `{"code":"OK","data":`+c.data+`}`)
			var d created
			r, err := b.Call(context.Background(), &engine.Call{Op: "payin", Path: "/p", Body: []byte(`{}`),
				Create: &engine.Order{ID: "O1", Kind: paygate.KindPayIn, Amount: paygate.MustParseMoney("100.00", paygate.INR)}}, &d)
			require.Equal(t, c.unknown, errors.Is(err, paygate.ErrOutcomeUnknown), "%v", err)
			if !c.unknown {
				require.NoError(t, err)
				require.Equal(t, c.got, r.Amount().String())
			}
		})
	}

	t.Run("requested in no currency", func(t *testing.T) {
		// A Money in no currency is one in the provider's: answered in that, the create is
		// made; answered in another, it is not ours.
		bare := &engine.Order{ID: "O1", Kind: paygate.KindPayIn, Amount: paygate.MustParseMoney("100.00", "")}
		b := newBase(t, 200, `{"code":"OK","data":{"order":"O1","id":"P1","amount":"100.00","currency":"INR"}}`)
		var d created
		r, err := b.Call(context.Background(), &engine.Call{Op: "payin", Path: "/p", Body: []byte(`{}`), Create: bare}, &d)
		require.NoError(t, err)
		require.Equal(t, "100.00 INR", r.Amount().String())

		b = newBase(t, 200, `{"code":"OK","data":{"order":"O1","id":"P1","amount":"100.00","currency":"PKR"}}`)
		_, err = b.Call(context.Background(), &engine.Call{Op: "payin", Path: "/p", Body: []byte(`{}`), Create: bare}, &d)
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	})

	t.Run("data that cannot answer", func(t *testing.T) {
		b := newBase(t, 200, `{"code":"OK","data":{"id":"P1"}}`)
		var d map[string]string
		_, err := b.Call(context.Background(), &engine.Call{Op: "payin", Path: "/p", Body: []byte(`{}`), Create: &engine.Order{ID: "O1"}}, &d)
		require.ErrorContains(t, err, "is not an Answerer")
	})
}

// TestQueryAnswers: a query's answer must name the order asked for — the merchant order
// number, or the provider's when the query was by that — and nothing it states (merchant,
// kind, currency) may be another's. Anything else is malformed, never taken for our order.
func TestQueryAnswers(t *testing.T) {
	byID := &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "O1"}
	byProvider := &paygate.QueryRequest{Kind: paygate.KindPayIn, ProviderOrderID: "P1"}
	byBoth := &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "O1", ProviderOrderID: "P1"}
	cases := []struct {
		name  string
		q     *paygate.QueryRequest
		data  string
		wrong string // in the error; empty: the answer is taken
	}{
		{"ours", byID, `{"order":"O1","id":"P1"}`, ""},
		{"ours, no provider number", byID, `{"order":"O1"}`, ""},
		{"names no order", byID, `{"amount":"1.00"}`, "names no order"},
		{"another order", byID, `{"order":"O2","id":"P1"}`, `"O2"`},
		{"only a provider number, asked by ours", byID, `{"id":"P9"}`, "does not name"},
		{"by the provider's number", byProvider, `{"order":"O7","id":"P1"}`, ""},
		{"another provider number", byProvider, `{"order":"O1","id":"P2"}`, `"P2"`},
		{"only our number, asked by the provider's", byProvider, `{"order":"O1"}`, "does not name"},
		{"by both, one named", byBoth, `{"id":"P1"}`, ""},
		{"by both, one contradicts", byBoth, `{"order":"O1","id":"P2"}`, `"P2"`},
		{"our merchant", byID, `{"order":"O1","merchant":"M1"}`, ""},
		{"another merchant", byID, `{"order":"O1","merchant":"M2"}`, "another merchant"},
		{"the kind asked", byID, `{"order":"O1","kind":"payin"}`, ""},
		{"another kind", byID, `{"order":"O1","kind":"payout"}`, "payout"},
		{"our currency", byID, `{"order":"O1","currency":"INR"}`, ""},
		{"another currency", byID, `{"order":"O1","currency":"USD"}`, "USD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBase(t, 200, `{"code":"OK","data":`+c.data+`}`)
			var d created
			_, err := b.Call(context.Background(), &engine.Call{Op: "query", Path: "/q", Asked: c.q}, &d)
			if c.wrong == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, paygate.ErrMalformedResponse)
			require.ErrorContains(t, err, c.wrong)
		})
	}

	t.Run("data that cannot answer", func(t *testing.T) {
		b := newBase(t, 200, `{"code":"OK","data":{"order":"O1"}}`)
		var d map[string]string
		_, err := b.Call(context.Background(), &engine.Call{Op: "query", Path: "/q", Asked: byID}, &d)
		require.ErrorContains(t, err, "is not an Answerer")
	})
	t.Run("raw data checked by the provider", func(t *testing.T) {
		b := newBase(t, 200, `{"code":"OK","data":[{"order":"O2"},{"order":"O1"}]}`)
		r, err := b.Call(context.Background(), &engine.Call{Op: "query", Path: "/q", Asked: byID}, nil)
		require.NoError(t, err)
		require.ErrorIs(t, r.Answers(engine.Answer{OrderID: "O2"}), paygate.ErrMalformedResponse)
		require.NoError(t, r.Answers(engine.Answer{OrderID: "O1"}))
	})
}

// TestQuotesNoCredential: an answer that echoes the request is quoted without the secrets,
// the API key or the request's signature, wherever the request carried it (Spec.SignatureKey).
func TestQuotesNoCredential(t *testing.T) {
	b := newBase(t, 400, `<pre>GET /p?token=api-key-1&sign=SIG-abcdef key=s3cret-current old=s3cret-old SIG-header SIG-fresh</pre>`)
	for _, c := range []*engine.Call{
		{Op: "query", Method: http.MethodGet, Path: "/p", Query: url.Values{"sign": {"SIG-abcdef"}}},
		{Op: "query", Path: "/p", Body: []byte(`{"id":"1","sign":"SIG-abcdef"}`)},
		{Op: "query", Path: "/p", Header: http.Header{"Sign": {"SIG-header"}}},
		{Op: "query", Path: "/p", Sign: func() http.Header { return http.Header{"sign": {"SIG-fresh"}} }},
	} {
		_, err := b.Call(context.Background(), c, nil)
		require.Error(t, err)
		for _, s := range []string{"api-key-1", "s3cret-current", "s3cret-old"} {
			require.NotContains(t, err.Error(), s)
		}
		for _, s := range []string{"SIG-abcdef", "SIG-header", "SIG-fresh"} {
			if strings.Contains(fmt.Sprint(c.Query, c.Header, string(c.Body)), s) || (c.Sign != nil && s == "SIG-fresh") {
				require.NotContains(t, err.Error(), s)
			}
		}
		require.Contains(t, err.Error(), "[REDACTED]")
	}
}

// TestNewNeedsSignatureKey: a spec that does not say where its requests carry their
// signature is refused, so that no provider can leave its signature quotable.
func TestNewNeedsSignatureKey(t *testing.T) {
	s := spec
	s.SignatureKey = ""
	_, err := engine.New(s, paygate.Config{MerchantID: "M1", Secret: "s"}, engine.Options{BaseURL: "https://api.example.com"})
	require.ErrorContains(t, err, "SignatureKey")
}

// TestSchema: the shapes that would let a forger re-split signed members are refused.
func TestSchema(t *testing.T) {
	joined := engine.Schema{Scheme: engine.PairsJoined, Required: []string{"id"}}
	for _, v := range []string{"Tea & Coffee", "a=b", "x&", "&&", "5 < 6 & 7 > 3"} {
		require.NoError(t, joined.Check(map[string]string{"id": "1", "a": v}), "%q reads back as one member", v)
	}
	for _, v := range []string{"x&y=z", "ORD1&paytime=1700000000000", "&=", "a&b&c=d"} {
		require.Error(t, joined.Check(map[string]string{"id": "1", "a": v}), "%q would absorb another member", v)
	}
	// Each refusal is malformed and names the key at fault.
	field := func(err error) string {
		t.Helper()
		require.ErrorIs(t, err, paygate.ErrMalformedCallback)
		var ce *paygate.CallbackError
		require.ErrorAs(t, err, &ce)
		return ce.Field
	}
	require.Equal(t, "a", field(joined.Check(map[string]string{"id": "1", "a": "x&y=z"})))
	require.Equal(t, "fee=2.50&id", field(joined.Check(map[string]string{"fee=2.50&id": "1"})))
	require.Equal(t, "id", field(joined.Present(map[string]string{"id": ""})))

	strict := engine.Schema{Scheme: engine.PairsConcatenated, Known: []string{"id", "amount", "sign"}}
	require.NoError(t, strict.Check(map[string]string{"id": "1", "amount": "10"}))
	require.Equal(t, "extra", field(strict.Check(map[string]string{"id": "1", "extra": "x"})), "unknown key")
	require.Equal(t, "amount", field(strict.Check(map[string]string{"id": "1", "amount": "10id=2"})), "a value swallowing a member")

	raw := engine.Schema{Scheme: engine.RawBody}
	require.NoError(t, raw.Check(map[string]string{"fee=2.50&id": "1"}), "a raw body cannot be re-split")
}

// TestVerifierRotation: the current and every previous secret verify, in constant time.
func TestVerifierRotation(t *testing.T) {
	rule := func(secret string) string { return signing.AppendMD5(map[string]string{"a": "1"}, secret) }
	v := signing.Verifier{Provider: "test", Op: "callback", Secrets: []string{"new", "old"}}
	require.NoError(t, v.Verify(signing.AppendMD5(map[string]string{"a": "1"}, "old"), rule))
	err := v.Verify(signing.AppendMD5(map[string]string{"a": "1"}, "other"), rule)
	var se *paygate.SignatureError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, v.Verify("", rule), paygate.ErrInvalidSignature)
}

type kindless struct{ paygate.Gateway }

func (kindless) Name() string { return "test" }
func (kindless) ParseCallback(http.Header, []byte) (*paygate.Callback, error) {
	return &paygate.Callback{Kind: paygate.KindPayIn, OrderID: "O1"}, nil
}

// TestForKind: the address decides the kind where nothing signed tells it, and refuses a
// callback of the other kind where something does.
func TestForKind(t *testing.T) {
	cb, err := engine.ForKind(kindless{}, paygate.KindPayOut, false).ParseCallback(nil, nil)
	require.NoError(t, err)
	require.Equal(t, paygate.KindPayOut, cb.Kind)
	_, err = engine.ForKind(kindless{}, paygate.KindPayOut, true).ParseCallback(nil, nil)
	require.ErrorIs(t, err, paygate.ErrMalformedCallback)
	_, err = engine.ForKind(kindless{}, "refund", false).ParseCallback(nil, nil)
	require.Error(t, err)
}

func TestString(t *testing.T) {
	b := newBase(t, 200, "")
	require.Equal(t, "test.Client{mid: M1}", b.String())
	require.Equal(t, "test", b.Name())
}
