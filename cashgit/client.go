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
	"github.com/paygate-go/paygate/internal/transport"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// Name is the provider's registered name.
const Name = "cashgit"

// Base URLs from cashgit.txt.
const (
	ProductionURL = "https://cashgit.com"
	SandboxURL    = "https://test.cashgit.com"
)

// Sign styles (Options["sign_style"]).
const (
	SignKeyParam = "key_param" // md5("k=v&…&key=" + secret), as cashgit.txt documents
	SignAppend   = "append"    // md5("k=v&…" + secret), as the platform's public code does
)

// DefaultRateLimit is the documented limit of 10 requests per second per merchant.
const DefaultRateLimit = 10

func init() {
	paygate.Register(Name, func(cfg paygate.Config, opts ...paygate.Option) (paygate.Gateway, error) {
		return New(cfg, opts...)
	})
}

// Client is a CashGit gateway. It is safe for concurrent use.
type Client struct {
	merchantID string
	secret     string
	secrets    []string // current first, then previous ones: callbacks verify under any
	sign       func(map[string]string, string) string
	t          *transport.Client
}

var _ paygate.Gateway = (*Client)(nil)

// New returns a CashGit client for cfg.
func New(cfg paygate.Config, opts ...paygate.Option) (*Client, error) {
	if cfg.MerchantID == "" {
		return nil, errors.New("paygate: cashgit: Config.MerchantID (appid) is required")
	}
	if cfg.Secret == "" {
		return nil, errors.New("paygate: cashgit: Config.Secret is required")
	}
	c := &Client{merchantID: cfg.MerchantID, secret: cfg.Secret, secrets: cfg.Secrets()}
	switch style := cfg.Option("sign_style", SignKeyParam); style {
	case SignKeyParam:
		c.sign = signing.KeyParamMD5
	case SignAppend:
		c.sign = signing.AppendMD5
	default:
		return nil, fmt.Errorf("paygate: cashgit: option sign_style must be %q or %q, got %q", SignKeyParam, SignAppend, style)
	}
	sandbox, err := cfg.BoolOption("sandbox", false)
	if err != nil {
		return nil, err
	}
	base := cfg.BaseURL
	if base == "" {
		base = ProductionURL
		if sandbox {
			base = SandboxURL
		}
	}
	limit, err := rateLimit(cfg.Option("rate_limit", strconv.Itoa(DefaultRateLimit)))
	if err != nil {
		return nil, err
	}
	c.t = transport.New(transport.Options{
		Provider: Name, MerchantID: cfg.MerchantID, BaseURL: strings.TrimRight(base, "/"), Timeout: cfg.Timeout,
		RateLimit: rate.Limit(limit), Burst: int(max(1, min(limit, maxBurst))),
	}, paygate.Resolve(opts...))
	return c, nil
}

// maxBurst bounds the limiter's burst (one second's worth of requests).
const maxBurst = 1000

// rateLimit parses Options["rate_limit"]: requests per second as a plain decimal number
// ("10", "2.5"; "0" turns the limiter off). NaN, infinities, exponents and negatives are refused.
func rateLimit(v string) (float64, error) {
	d, err := paygate.ParseDecimal(v)
	if err != nil || d.IsNegative() {
		return 0, fmt.Errorf("paygate: cashgit: option rate_limit must be a decimal number of requests per second (0 turns it off), got %q", v)
	}
	f, _ := d.Float64() // a rate, not money
	return f, nil
}

// String describes the client without its secrets.
func (c Client) String() string { return "cashgit.Client{appid: " + c.merchantID + "}" }

// Format prints the client as String does, under every verb, so that no fmt verb can print
// the secret held in its fields.
func (c Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// Name returns "cashgit".
func (c *Client) Name() string { return Name }

// Capabilities reports every Gateway operation as supported.
func (c *Client) Capabilities() paygate.Capabilities {
	return paygate.Capabilities{PayIn: true, PayInDirect: true, PayOut: true, QueryPayIn: true,
		QueryPayOut: true, Balance: true, Callbacks: true, Currency: paygate.INR, AmountStyle: paygate.Fixed2}
}

// CloseIdleConnections closes idle keep-alive connections.
func (c *Client) CloseIdleConnections() { c.t.CloseIdleConnections() }

// envelope is every CashGit response: {code, message, data, timestamp}.
type envelope struct {
	Code    wire.Text       `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// call signs fields, POSTs them to path and decodes the envelope's data into out.
func (c *Client) call(ctx context.Context, op, path string, fields map[string]string, create bool, out any) (*transport.Response, error) {
	fields["appid"] = c.merchantID
	fields["sign"] = c.sign(fields, c.secret)
	body, err := wire.Encode(fields)
	if err != nil {
		return nil, fmt.Errorf("paygate: cashgit %s: encode: %w", op, err)
	}
	resp, err := c.t.Do(ctx, &transport.Request{Op: op, Method: http.MethodPost, Path: path, Body: body,
		Create: create, OrderID: fields["orderid"]})
	if err != nil {
		return nil, err
	}
	var env envelope
	if err := resp.Decode(&env); err != nil {
		return nil, err
	}
	if env.Code == "" { // null, {} or an object of another shape: neither success nor a refusal
		return nil, resp.Malformed(errors.New("envelope without code"))
	}
	if env.Code != "200" {
		return nil, c.refusal(resp, env, create)
	}
	if resp.StatusCode >= 300 { // code 200 on an HTTP error status: not a success to trust
		return nil, resp.Malformed(fmt.Errorf("code 200 with HTTP status %d", resp.StatusCode))
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return nil, resp.Malformed(errors.New("success without data"))
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return nil, resp.Malformed(fmt.Errorf("data: %w", err))
	}
	return resp, nil
}

// refusal turns a non-200 envelope into a *paygate.ProviderError with cashgit.txt's meanings.
// A create refused with a 5xx code may still have been taken: it is outcome-unknown.
func (c *Client) refusal(resp *transport.Response, env envelope, create bool) error {
	pe := resp.ProviderError(string(env.Code), env.Message)
	code, _ := strconv.Atoi(string(env.Code))
	switch code {
	case http.StatusConflict:
		pe.Err = paygate.ErrDuplicateOrder
	case http.StatusNotFound:
		pe.Err = paygate.ErrOrderNotFound
	case http.StatusTooManyRequests:
		pe.Retryable = !create
	}
	if pe.Message == "" {
		pe.Message = codeMeanings[code]
	}
	if create && (code >= 500 || code == 0) {
		return resp.Uncertain(pe)
	}
	return pe
}

// codeMeanings are cashgit.txt's error codes.
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

// statuses maps both of cashgit.txt's status tables (compared in lower case).
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
