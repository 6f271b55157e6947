package caipay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// Name is the provider's registered name.
const Name = "caipay"

// ProductionURL is the host of every endpoint of CaiPay's API document.
const ProductionURL = "https://cai-pay.net"

// Endpoint paths of CaiPay's API document, relative to the base URL.
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

func init() { engine.Register(Name, New, Options, SignSchemes) }

// SignSchemes is how CaiPay signs a request: the values only, in key order, then the secret.
var SignSchemes = []signing.Scheme{{Canonical: signing.ValuesCanonical, Sign: signing.ValuesMD5,
	Formula: "md5hex(canonical + secret)", Field: signField}}

// Client is a CaiPay gateway. It is safe for concurrent use.
type Client struct {
	*engine.Base
	token string
}

var _ paygate.Gateway = (*Client)(nil)

// spec is CaiPay for the engine: hosted and H2H pay-ins, pay-outs, both searches and
// callbacks; CaiPay has no balance endpoint. Its callbacks sign the values only, so
// webhook.Handler confirms them by query unless told otherwise (ConfirmCallbacks).
var spec = engine.Spec{
	Name: Name, Required: []string{"merchant_id", "api_key", "secret"}, MerchantLabel: "tenantId", Envelope: readEnvelope, ConfirmCallbacks: true,
	SignatureKey: signField,
	Capabilities: paygate.Capabilities{PayIn: true, PayInDirect: true, PayOut: true, QueryPayIn: true,
		QueryPayOut: true, Balance: false, Callbacks: true, Currency: paygate.INR, AmountStyle: paygate.Fixed2},
}

// New returns a CaiPay client for cfg. MerchantID (tenantId), APIKey (token) and Secret are
// required; BaseURL defaults to ProductionURL.
func New(cfg paygate.Config, opts ...paygate.Option) (*Client, error) {
	base, err := engine.New(spec, cfg, engine.Options{BaseURL: cmp.Or(cfg.BaseURL, ProductionURL)}, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{token: cfg.APIKey, Base: base}, nil
}

// readEnvelope reads every CaiPay answer: {code, msg, data, ok}. ok is the envelope's success
// flag, which the engine holds against the code. CaiPay's examples answer code 0 and its code
// table calls 200 "Success": both are success codes. The table's 400, 401 and 403 are
// refusals; its 500 (internal server error), and any code it does not list, do not say that a
// create was not taken.
func readEnvelope(body []byte, data any) (engine.Envelope, error) {
	env := struct {
		Code *wire.Text `json:"code"`
		Msg  *string    `json:"msg"`
		Data any        `json:"data"`
		OK   *bool      `json:"ok"`
	}{Data: data}
	if err := json.Unmarshal(body, &env); err != nil {
		return engine.Envelope{}, err
	}
	if env.Code == nil {
		return engine.Envelope{}, errors.New("no code in the envelope")
	}
	e := engine.Envelope{Code: string(*env.Code), Flag: engine.FlagFalse} // CaiPay always sends ok
	if env.OK != nil && *env.OK {
		e.Flag = engine.FlagTrue
	}
	if env.Msg != nil {
		e.Message = *env.Msg
	}
	if e.Code == "0" || e.Code == "200" {
		return e, nil
	}
	e.Verdict = engine.Refused
	if e.Message == "" {
		e.Message = codeMeanings[e.Code]
	}
	e.Definite = refusals[e.Code]
	return e, nil
}

// call is one signed request. GET requests carry the fields form-encoded in the query string,
// POST requests as a JSON object. The envelope's data is decoded into out; when noData is
// set a success without data is accepted (submitUtr documents no data).
type call struct {
	op, method, path string
	fields           map[string]string
	create           *engine.Order         // set on a create
	asked            *paygate.QueryRequest // set on a query: the answer must be about this order
	noData           bool
}

// do signs and sends cl and decodes the envelope's data into out.
func (c *Client) do(ctx context.Context, cl call, out any) (*engine.Reply, error) {
	cl.fields["token"] = c.token
	cl.fields["tenantId"] = c.MerchantID()
	cl.fields[signField] = signing.ValuesMD5(cl.fields, c.Secrets[0])
	req := &engine.Call{Op: cl.op, Method: cl.method, Path: cl.path, Create: cl.create, Asked: cl.asked, NoData: cl.noData}
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
	return c.Call(ctx, req, out) // the transport drops the query (token, signKey) from quoted URLs
}

// refusals are the codes of CaiPay's system status table that refuse a request.
var refusals = map[string]bool{"400": true, "401": true, "403": true}

// codeMeanings are the system status codes of CaiPay's API document.
var codeMeanings = map[string]string{
	"400": "bad request",
	"401": "unauthorized",
	"403": "forbidden",
	"500": "internal server error",
}

// statuses is CaiPay's status table, used for orders and callbacks alike.
var statuses = map[string]paygate.Status{
	"PENDING":    paygate.StatusPending,
	"PROCESSING": paygate.StatusProcessing,
	"SUCCESS":    paygate.StatusSucceeded,
	"FAILED":     paygate.StatusFailed,
	"REVERSED":   paygate.StatusReversed,
}

// MapStatus maps a CaiPay order status (PENDING, PROCESSING, SUCCESS, FAILED, REVERSED); an
// unlisted one is StatusUnknown.
func MapStatus(raw string) paygate.Status { return check.Status(statuses, raw) }
