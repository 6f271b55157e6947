package cashgit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/time/rate"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// Name is the provider's registered name.
const Name = "cashgit"

// Base URLs of CashGit's API document: production, and the sandbox (Options["sandbox"]).
const (
	ProductionURL = "https://cashgit.com"
	SandboxURL    = "https://test.cashgit.com"
)

// Sign styles (Options["sign_style"]).
const (
	SignKeyParam = "key_param" // md5("k=v&…&key=" + secret), as CashGit's API document gives it
	SignAppend   = "append"    // md5("k=v&…" + secret), as the platform's public code does
)

// DefaultRateLimit is the documented limit of 10 requests per second per merchant.
const DefaultRateLimit = 10

func init() { engine.Register(Name, New, Options, SignSchemes) }

// SignSchemes are CashGit's two ways of signing "k=v&k=v", by options.sign_style: the API
// document's (the default) and its server code's.
var SignSchemes = []signing.Scheme{
	{Name: SignKeyParam, Canonical: signing.KeyParamCanonical, Sign: signing.KeyParamMD5,
		Formula: `md5hex(canonical + "&key=" + secret)`, Field: "sign"},
	{Name: SignAppend, Canonical: signing.KeyParamCanonical, Sign: signing.AppendMD5,
		Formula: "md5hex(canonical + secret)", Field: "sign"},
}

// Client is a CashGit gateway. It is safe for concurrent use.
type Client struct {
	*engine.Base
	style string
	sign  func(map[string]string, string) string
}

var _ paygate.Gateway = (*Client)(nil)

// spec is CashGit for the engine.
var spec = engine.Spec{
	Name: Name, Required: []string{"merchant_id", "secret"}, MerchantLabel: "appid", Envelope: readEnvelope, SignatureKey: "sign",
	Capabilities: paygate.Capabilities{PayIn: true, PayInDirect: true, PayOut: true, QueryPayIn: true,
		QueryPayOut: true, Balance: true, Callbacks: true, Currency: paygate.INR, AmountStyle: paygate.Fixed2},
}

// New returns a CashGit client for cfg.
func New(cfg paygate.Config, opts ...paygate.Option) (*Client, error) {
	c := &Client{style: cfg.Option("sign_style", SignKeyParam)}
	for _, s := range SignSchemes {
		if s.Name == c.style {
			c.sign = s.Sign
		}
	}
	// The options' values were checked by their OptionSpecs (engine.New reports them).
	sandbox, _ := cfg.BoolOption("sandbox", false)
	base := cfg.BaseURL
	if base == "" {
		base = ProductionURL
		if sandbox {
			base = SandboxURL
		}
	}
	limit, _ := rateLimit(cfg.Option("rate_limit", strconv.Itoa(DefaultRateLimit)))
	var err error
	c.Base, err = engine.New(spec, cfg, engine.Options{BaseURL: base,
		RateLimit: rate.Limit(limit), Burst: int(max(1, min(limit, maxBurst)))}, opts...)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// maxBurst bounds the limiter's burst (one second's worth of requests).
const maxBurst = 1000

// rateLimit parses Options["rate_limit"]: requests per second as a plain decimal number
// ("10", "2.5"; "0" turns the limiter off). NaN, infinities, exponents and negatives are refused.
func rateLimit(v string) (float64, error) {
	d, err := paygate.ParseDecimal(v)
	if err != nil || d.IsNegative() {
		return 0, errors.New("must be a decimal number of requests per second (0 turns it off)")
	}
	f, _ := d.Float64() // a rate, not money
	return f, nil
}

// readEnvelope reads every CashGit answer: {code, message, data, timestamp}. Code 200 is a
// success; the other codes are refusals with the meanings CashGit documents (409 order
// exists, 404 not found, 429 rate limited). Only the 4xx codes of CashGit's table say the
// request was refused: its 5xx codes, and any code it does not list (201, 202, 0), on a create
// may still have been taken.
func readEnvelope(body []byte, data any) (engine.Envelope, error) {
	env := struct {
		Code    wire.Text `json:"code"`
		Message string    `json:"message"`
		Data    any       `json:"data"`
	}{Data: data}
	if err := json.Unmarshal(body, &env); err != nil {
		return engine.Envelope{}, err
	}
	if env.Code == "" { // null, {} or an object of another shape: neither success nor a refusal
		return engine.Envelope{}, errors.New("envelope without code")
	}
	if env.Code == "200" {
		return engine.Envelope{Verdict: engine.Accepted, Code: "200"}, nil
	}
	e := engine.Envelope{Verdict: engine.Refused, Code: string(env.Code), Message: env.Message}
	code, _ := strconv.Atoi(string(env.Code))
	switch code {
	case http.StatusConflict:
		e.Err = paygate.ErrDuplicateOrder
	case http.StatusNotFound:
		e.Err = paygate.ErrOrderNotFound
	case http.StatusTooManyRequests:
		e.Retryable = true
	}
	if e.Message == "" {
		e.Message = codeMeanings[code]
	}
	e.Definite = code >= 400 && code < 500 && codeMeanings[code] != ""
	return e, nil
}

// call signs fields, POSTs them as cl (its Op, Path, and Create or Asked) and decodes the
// envelope's data into out.
func (c *Client) call(ctx context.Context, cl engine.Call, fields map[string]string, out any) (*engine.Reply, error) {
	fields["appid"] = c.MerchantID()
	fields["sign"] = c.sign(fields, c.Secrets[0])
	body, err := wire.Encode(fields)
	if err != nil {
		return nil, fmt.Errorf("paygate: cashgit %s: encode: %w", cl.Op, err)
	}
	cl.Body = body
	r, err := c.Call(ctx, &cl, out)
	var pe *paygate.ProviderError
	if c.style == SignKeyParam && errors.As(err, &pe) && pe.Code == "401" {
		// CashGit's own server computes the append style; the document's style is the default.
		pe.Message += "; CashGit refused the signature; if your account uses the append style, set options.sign_style: append"
	}
	return r, err
}

// codeMeanings are the error codes of CashGit's API document, used when a refusal has no message.
var codeMeanings = map[int]string{
	400: "bad request: invalid parameters",
	401: "unauthorized: authentication failed",
	403: "forbidden: insufficient permissions",
	404: "not found: resource does not exist",
	409: "conflict: order already exists",
	429: "too many requests: rate limit exceeded",
	500: "internal server error",
	502: "bad gateway: upstream error",
	503: "service unavailable",
}

// statuses maps both status tables of CashGit's API document, pay-in and pay-out (compared in lower case).
var statuses = map[string]paygate.Status{
	"pending":    paygate.StatusPending,
	"paid":       paygate.StatusSucceeded,
	"success":    paygate.StatusSucceeded,
	"processing": paygate.StatusProcessing,
	"cancelled":  paygate.StatusCancelled,
	"expired":    paygate.StatusCancelled,
	"failed":     paygate.StatusFailed,
	"rejected":   paygate.StatusFailed,
}

// MapStatus maps a CashGit status, in either case; an unlisted one is StatusUnknown.
func MapStatus(raw string) paygate.Status { return check.Status(statuses, strings.ToLower(raw)) }
