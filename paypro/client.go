package paypro

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// Name is the provider's registered name.
const Name = "paypro"

// Endpoints of PayPro's API, as the India pages of docs.paypro.tech give them.
const (
	PathPayIn        = "/v1/paypro/payin"    // cashier
	PathPayInDirect  = "/v1/paypro/payinApi" // host-to-host
	PathPayOut       = "/v1/paypro/payout"
	PathQueryPayIn   = "/v1/paypro/queryPayInResult"
	PathQueryPayOut  = "/v1/paypro/queryPayOutResult"
	PathQueryBalance = "/v1/paypro/queryBalance"
)

// HeaderMerchantNo is the header that carries Config.MerchantID on every request.
const HeaderMerchantNo = "merchantNo"

const (
	codeAccepted      = "0000"
	optServerIP       = "server_ip"
	optPayoutPrefix   = "payout_prefix"
	optCallbackKind   = "callback_kind"
	fieldSign         = "sign"
	fieldTimestamp    = "timestamp"
	fieldTradeNo      = "tradeNo"
	fieldIPAddress    = "ipAddress"
	statusUnknownCode = "00032" // UNKNOWN_ERROR on docs.paypro.tech's error-code page
)

// Raw statuses of data.status and callbacks (PayPro's status table; 0001 from the platform's
// notify pages).
const (
	StatusSucceeded  = "0000" // transaction successful
	StatusPartial    = "0001" // paid, but a different amount: the amount reported is what was paid
	StatusProcessing = "0015" // processing
)

func init() { engine.Register(Name, New, Options, SignSchemes) }

// SignSchemes is how PayPro signs a request: "k1=v1k2=v2", no separator, then the secret.
var SignSchemes = []signing.Scheme{{Canonical: signing.ConcatCanonical, Sign: signing.ConcatMD5,
	Formula: "md5hex(canonical + secret)", Field: fieldSign}}

// Client is a PayPro gateway. It is safe for concurrent use.
type Client struct {
	*engine.Base
	serverIP     string       // Options["server_ip"]: ipAddress of pay-outs
	payoutPrefix string       // Options["payout_prefix"]: tells pay-out callbacks by tradeNo
	callbackKind paygate.Kind // Options["callback_kind"]: every callback is of this kind
}

var _ paygate.Gateway = (*Client)(nil)

// spec is PayPro for the engine. Its callbacks sign "k1=v1k2=v2" without a separator, so
// webhook.Handler confirms them by query unless told otherwise (ConfirmCallbacks).
var spec = engine.Spec{
	Name: Name, Required: []string{"base_url", "merchant_id", "secret"}, MerchantLabel: "merchantNo", Envelope: readEnvelope, ConfirmCallbacks: true,
	SignatureKey: fieldSign,
	Capabilities: paygate.Capabilities{PayIn: true, PayInDirect: true, PayOut: true, QueryPayIn: true,
		QueryPayOut: true, Balance: true, Callbacks: true, Currency: paygate.INR, AmountStyle: paygate.Trimmed},
}

// New returns a PayPro client for cfg. PayPro has no public default host: BaseURL,
// MerchantID (merchantNo) and Secret are required.
func New(cfg paygate.Config, opts ...paygate.Option) (*Client, error) {
	base, err := engine.New(spec, cfg, engine.Options{BaseURL: cfg.BaseURL}, opts...)
	if err != nil {
		return nil, err
	}
	serverIP := cfg.Option(optServerIP, "") // an IP address: its OptionSpec checked it
	return &Client{                         // callback_kind is one of its Allowed values: engine.New checked it
		serverIP: serverIP, payoutPrefix: cfg.Option(optPayoutPrefix, ""),
		callbackKind: paygate.Kind(cfg.Option(optCallbackKind, "")), Base: base,
	}, nil
}

// readEnvelope reads every PayPro answer: {msg, code, timestamp, success, data}. code "0000"
// only means the request was accepted; the transaction's state is data.status. success is the
// envelope's flag, which the engine holds against the code. 00032 (UNKNOWN_ERROR) says
// PayPro itself does not know, so on a create the order may exist.
func readEnvelope(body []byte, data any) (engine.Envelope, error) {
	env := struct {
		Msg     string    `json:"msg"`
		Code    wire.Text `json:"code"`
		Success *bool     `json:"success"`
		Data    any       `json:"data"`
	}{Data: data}
	if err := json.Unmarshal(body, &env); err != nil {
		return engine.Envelope{}, err
	}
	e := engine.Envelope{Code: string(env.Code), Message: env.Msg}
	if env.Code == "" {
		return e, errors.New("envelope without code")
	}
	if env.Success != nil { // PayPro's success flag, which the engine holds against the code
		e.Flag = engine.FlagFalse
		if *env.Success {
			e.Flag = engine.FlagTrue
		}
	}
	if env.Code != codeAccepted {
		// PayPro's documentation: every code but the listed ones is an error code, to be
		// treated as a failure. A listed code (0001 paid, 0015 processing, 00032 unknown) or
		// one that is no code at all (text) does not say the order was not made.
		e.Verdict = engine.Refused
		e.Definite = MapStatus(e.Code) == paygate.StatusFailed
	}
	return e, nil
}

// call adds timestamp and sign to fields, POSTs them as cl (its Op, Path, and Create or
// Asked) with the merchantNo header and decodes the envelope's data into out.
func (c *Client) call(ctx context.Context, cl engine.Call, fields map[string]string, out any) (*engine.Reply, error) {
	fields[fieldTimestamp] = wire.Timestamp(c.Now())
	fields[fieldSign] = signing.ConcatMD5(fields, c.Secrets[0])
	body, err := wire.Encode(fields)
	if err != nil {
		return nil, fmt.Errorf("paygate: paypro %s: encode: %w", cl.Op, err)
	}
	cl.Body, cl.Header = body, http.Header{HeaderMerchantNo: {c.MerchantID()}}
	return c.Call(ctx, &cl, out)
}

// statuses is PayPro's data.status table. Any other code is a failure (PayPro's documentation:
// "all others are error codes and can be treated as failures"), except UNKNOWN_ERROR.
var statuses = map[string]paygate.Status{
	StatusSucceeded:   paygate.StatusSucceeded,
	StatusPartial:     paygate.StatusSucceeded, // a partial payment is a success: what was paid is the amount
	StatusProcessing:  paygate.StatusProcessing,
	statusUnknownCode: paygate.StatusUnknown,
}

// MapStatus maps a PayPro data.status or callback status. 0000 and 0001 (paid, with a
// different amount) are succeeded, 0015 processing. Any other status code is failed as
// PayPro's documentation says, except 00032 (UNKNOWN_ERROR), which is StatusUnknown: a pay-out
// whose outcome the provider itself does not know must not be taken as failed and re-sent.
// A value that is not a status code is StatusUnknown: "", text, or digits shorter than
// PayPro's codes, which are strings of at least four digits with their leading zeros (a
// status sent as a JSON number, 15 for 0015 or 0 for 0000, has lost them and could be any).
func MapStatus(raw string) paygate.Status {
	if _, listed := statuses[raw]; listed {
		return check.Status(statuses, raw)
	}
	if len(raw) < minStatusDigits || strings.Trim(raw, "0123456789") != "" {
		return paygate.StatusUnknown
	}
	return paygate.StatusFailed
}

// minStatusDigits is the length of PayPro's shortest status codes (0000, 0015, 1006).
const minStatusDigits = 4

// NormalizeMobile returns the 10-digit Indian mobile number PayPro takes: spaces and dashes
// removed, a "+91" prefix, or a "91" prefix on a 12-digit number, stripped (PayPro's own
// example request carries 91). The result must be 10 digits starting with 6, 7, 8 or 9.
func NormalizeMobile(field, phone string) (string, error) {
	p := strings.NewReplacer(" ", "", "-", "").Replace(phone)
	switch {
	case strings.HasPrefix(p, "+91"):
		p = p[3:]
	case len(p) == 12 && strings.HasPrefix(p, "91"):
		p = p[2:]
	}
	if phone == "" {
		return "", paygate.Invalid(field, "is required")
	}
	if check.Digits(field, p, 10) != nil || p[0] < '6' {
		return "", paygate.Invalid(field, "must be a 10-digit Indian mobile number starting with 6, 7, 8 or 9 (a +91 or 91 prefix is accepted)")
	}
	return p, nil
}

// email checks that v looks like an e-mail address (PayPro requires one, gmail.com suggested).
func email(field, v string) error {
	if err := check.Required(field, v); err != nil {
		return err
	}
	at := strings.LastIndexByte(v, '@')
	if at <= 0 || at == len(v)-1 || strings.ContainsAny(v, " \t\r\n") {
		return paygate.Invalid(field, "is not an e-mail address")
	}
	return nil
}
