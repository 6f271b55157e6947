package caipay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/transport"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// Name is the provider's registered name.
const Name = "caipay"

// ProductionURL is the host of every endpoint of caipay.txt.
const ProductionURL = "https://cai-pay.net"

// Endpoint paths of caipay.txt, relative to the base URL.
const (
	PathPayIn          = "/api/cai/out/v1/payIn"
	PathPayInH2H       = "/api/cai/out/v1/payIn-H2H"
	PathPayOut         = "/api/cai/out/v1/payOut"
	PathSearchPayIn    = "/api/cai/out/v1/searchPayInResult"
	PathSearchPayOut   = "/api/cai/out/v1/searchPayOutResult"
	PathSubmitUTR      = "/api/cai/out/v1/submitUtr"
	formContentType    = "application/x-www-form-urlencoded"
	signField          = "signKey"
	redactedQueryValue = "[REDACTED]"
)

func init() {
	paygate.Register(Name, func(cfg paygate.Config, opts ...paygate.Option) (paygate.Gateway, error) {
		return New(cfg, opts...)
	})
}

// Client is a CaiPay gateway. It is safe for concurrent use.
type Client struct {
	tenantID string
	token    string
	secret   string
	secrets  []string // current first, then previous ones: callbacks verify under any
	t        *transport.Client
}

var _ paygate.Gateway = (*Client)(nil)

// New returns a CaiPay client for cfg. MerchantID (tenantId), APIKey (token) and Secret are
// required; BaseURL defaults to ProductionURL.
func New(cfg paygate.Config, opts ...paygate.Option) (*Client, error) {
	switch {
	case cfg.MerchantID == "":
		return nil, errors.New("paygate: caipay: Config.MerchantID (tenantId) is required")
	case cfg.APIKey == "":
		return nil, errors.New("paygate: caipay: Config.APIKey (token) is required")
	case cfg.Secret == "":
		return nil, errors.New("paygate: caipay: Config.Secret is required")
	}
	base := cfg.BaseURL
	if base == "" {
		base = ProductionURL
	}
	c := &Client{tenantID: cfg.MerchantID, token: cfg.APIKey, secret: cfg.Secret, secrets: cfg.Secrets()}
	c.t = transport.New(transport.Options{Provider: Name, MerchantID: cfg.MerchantID, BaseURL: strings.TrimRight(base, "/"), Timeout: cfg.Timeout},
		paygate.Resolve(opts...))
	return c, nil
}

// String describes the client without its credentials.
func (c Client) String() string { return "caipay.Client{tenantId: " + c.tenantID + "}" }

// Format prints the client as String does, under every verb, so that no fmt verb can print
// the credentials held in its fields.
func (c Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// Name returns "caipay".
func (c *Client) Name() string { return Name }

// Capabilities reports hosted and H2H pay-ins, pay-outs, both searches and callbacks; CaiPay has no
// balance endpoint.
func (c *Client) Capabilities() paygate.Capabilities {
	return paygate.Capabilities{PayIn: true, PayInDirect: true, PayOut: true, QueryPayIn: true,
		QueryPayOut: true, Balance: false, Callbacks: true, Currency: paygate.INR, AmountStyle: paygate.Fixed2}
}

// CloseIdleConnections closes idle keep-alive connections.
func (c *Client) CloseIdleConnections() { c.t.CloseIdleConnections() }

// envelope is every CaiPay response: {code, msg, data, ok}.
type envelope struct {
	Code *wire.Text      `json:"code"`
	Msg  *string         `json:"msg"`
	Data json.RawMessage `json:"data"`
	OK   *bool           `json:"ok"`
}

// call is one signed request. GET requests carry the fields form-encoded in the query string,
// POST requests as a JSON object. The envelope's data is decoded into out; when needData is
// false a success without data is accepted (submitUtr documents no data).
type call struct {
	op, method, path string
	fields           map[string]string
	create           bool
	orderID          string
	needData         bool
}

// do signs and sends cl and decodes the envelope's data into out.
func (c *Client) do(ctx context.Context, cl call, out any) (*transport.Response, error) {
	cl.fields["token"] = c.token
	cl.fields["tenantId"] = c.tenantID
	cl.fields[signField] = signing.ValuesMD5(cl.fields, c.secret)
	req := &transport.Request{Op: cl.op, Method: cl.method, Path: cl.path, Create: cl.create, OrderID: cl.orderID}
	if cl.method == http.MethodGet {
		q := make(url.Values, len(cl.fields))
		for k, v := range cl.fields {
			q.Set(k, v)
		}
		req.Query = q
		req.Header = http.Header{"Content-Type": {formContentType}}
	} else {
		body, err := wire.Encode(cl.fields)
		if err != nil {
			return nil, fmt.Errorf("paygate: caipay %s: encode: %w", cl.op, err)
		}
		req.Body = body
	}
	resp, err := c.t.Do(ctx, req)
	if err != nil {
		return nil, err // transport.Do already drops the query (token, signKey) from quoted URLs
	}
	var env envelope
	if err := resp.Decode(&env); err != nil {
		return nil, err
	}
	if env.Code == nil {
		return nil, resp.Malformed(errors.New("no code in the envelope"))
	}
	if *env.Code != "0" || env.OK == nil || !*env.OK {
		return nil, refusal(resp, env, cl.create)
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		if cl.needData {
			return nil, resp.Malformed(errors.New("success without data"))
		}
		return resp, nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return nil, resp.Malformed(fmt.Errorf("data: %w", err))
	}
	return resp, nil
}

// refusal turns an envelope with code != 0 or ok != true into a *paygate.ProviderError.
// caipay.txt documents no business codes, only its system codes (400, 401, 403, 500): a create
// refused with 500, or with an envelope that contradicts itself (code 0 but ok not true), may
// still have been taken and is outcome-unknown.
func refusal(resp *transport.Response, env envelope, create bool) error {
	msg := ""
	if env.Msg != nil {
		msg = *env.Msg
	}
	pe := resp.ProviderError(string(*env.Code), msg)
	if pe.Message == "" {
		pe.Message = codeMeanings[string(*env.Code)]
	}
	code, _ := strconv.Atoi(string(*env.Code))
	if create && (code >= 500 || code == 0) {
		return resp.Uncertain(pe)
	}
	return pe
}

// codeMeanings are the system status codes of caipay.txt section 3.1.
var codeMeanings = map[string]string{
	"0":   "ok is not true",
	"400": "bad request",
	"401": "unauthorized",
	"403": "forbidden",
	"500": "internal server error",
}

// statuses is caipay.txt section 3.2, used for orders and callbacks alike.
var statuses = map[string]paygate.Status{
	"PENDING":    paygate.StatusPending,
	"PROCESSING": paygate.StatusProcessing,
	"SUCCESS":    paygate.StatusSucceeded,
	"FAILED":     paygate.StatusFailed,
	"REVERSED":   paygate.StatusReversed,
}

// MapStatus maps a CaiPay order status (caipay.txt 3.2); an unlisted one is StatusUnknown.
func MapStatus(raw string) paygate.Status { return check.Status(statuses, raw) }
