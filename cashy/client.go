package cashy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// Name is the provider's registered name.
const Name = "cashy"

// Header names of Cashy's API: every request and every webhook carries both.
const (
	HeaderMerchantID = "MerchantId"
	HeaderSign       = "Sign"
)

// DefaultPayType is the payType sent when PayInRequest.Channel is empty and
// Options["pay_type"] is unset: the example value of Cashy's documentation.
const DefaultPayType = 36

// CodeSuccess is the envelope code of a successful answer.
const CodeSuccess = "200"

// CodeRefused is the envelope code of Cashy's refusals, and of some of its own failures.
const CodeRefused = "500"

// Messages of the envelope that paygate classifies.
const (
	MsgSignVerifyError  = "Sign_verify_error"  // the Sign header did not verify
	MsgPayInOrderError  = "Payin_Order_Error"  // Cashy's documented refusal of a pay-in
	MsgPayOutOrderError = "Payout_Order_Error" // its counterpart for a pay-out
	MsgSystemBusy       = "System_busy"        // try again later
)

func init() { engine.Register(Name, New, Options, SignSchemes) }

// SignSchemes is how Cashy signs a request: the raw body bytes, then the secret, sent in the
// Sign header.
var SignSchemes = []signing.Scheme{{SignBody: signing.BodyMD5, Formula: "MD5HEX(body + secret), upper case"}}

// Client is a Cashy gateway. It is safe for concurrent use.
type Client struct {
	*engine.Base
	payType int
	nonce   func() string
}

var _ paygate.Gateway = (*Client)(nil)

// spec is Cashy for the engine: hosted pay-in (pay desk or payment code), pay-out, both
// queries, balance and callbacks, in Pakistani rupees. Cashy has no host-to-host pay-in.
var spec = engine.Spec{
	Name: Name, Required: []string{"base_url", "merchant_id", "secret"}, MerchantLabel: "MerchantId", Envelope: readEnvelope,
	SignatureKey: HeaderSign,
	Capabilities: paygate.Capabilities{PayIn: true, PayOut: true, QueryPayIn: true, QueryPayOut: true,
		Balance: true, Callbacks: true, Currency: paygate.PKR, AmountStyle: paygate.Fixed2},
}

// New returns a Cashy client for cfg. BaseURL, MerchantID and Secret are required: Cashy
// gives each merchant its own host, so there is no default base URL.
func New(cfg paygate.Config, opts ...paygate.Option) (*Client, error) {
	base, err := engine.New(spec, cfg, engine.Options{BaseURL: cfg.BaseURL}, opts...)
	if err != nil {
		return nil, err
	}
	payType, _ := parsePayType(cfg.Option("pay_type", strconv.Itoa(DefaultPayType))) // checked by its OptionSpec
	c := &Client{payType: payType, Base: base}
	c.nonce = c.Settings.Nonce
	if c.nonce == nil {
		c.nonce = randomNonce
	}
	return c, nil
}

// randomNonce is 16 random bytes in hex: 32 characters, nonceStr's documented maximum.
func randomNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

func parsePayType(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || strings.HasPrefix(s, "+") {
		return 0, errors.New("must be a positive integer")
	}
	return n, nil
}

// nonceStr returns a fresh nonceStr, refusing one longer than Cashy's string(32).
func (c *Client) nonceStr() (string, error) {
	n := c.nonce()
	if err := check.First(check.Required("nonceStr", n), check.MaxLength("nonceStr", n, maxText)); err != nil {
		return "", err
	}
	return n, nil
}

// call encodes body once, signs those very bytes (Sign = MD5HEX(body + secret), upper case),
// POSTs them as cl (its Op, Path, and Create or Asked) and decodes the envelope's data into
// out.
func (c *Client) call(ctx context.Context, cl engine.Call, body map[string]any, out any) (*engine.Reply, error) {
	raw, err := wire.Encode(body)
	if err != nil {
		return nil, fmt.Errorf("paygate: cashy %s: encode: %w", cl.Op, err)
	}
	header := http.Header{}
	header.Set(HeaderMerchantID, c.MerchantID())
	header.Set(HeaderSign, signing.BodyMD5(raw, c.Secrets[0]))
	header.Set("Content-Type", "application/json")
	cl.Header, cl.Body = header, raw
	return c.Call(ctx, &cl, out)
}

// readEnvelope reads every Cashy answer: {code, msg, data}, code 200 a success. Cashy writes
// code 500 for its business refusals — its only documented one is
// {"msg":"Payin_Order_Error","code":500} answering a pay-in — but a code 500 is also what a
// failing server writes, and Cashy's documentation names no other message. So the message
// decides: a 500 whose msg is a refusal paygate knows (Payin_Order_Error, its pay-out
// counterpart Payout_Order_Error, Sign_verify_error, or a msg saying the order does not
// exist, classified paygate.ErrOrderNotFound) is a definite refusal; System_busy is
// retryable for reads; any other msg ("Internal Server Error", "timeout", "System error,
// please query the order", none) and any code other than 200 and 500 do not say that a create
// was not taken. Cashy documents no code for "duplicate order".
func readEnvelope(body []byte, data any) (engine.Envelope, error) {
	env := struct {
		Code wire.Text `json:"code"`
		Msg  string    `json:"msg"`
		Data any       `json:"data"`
	}{Data: data}
	if err := json.Unmarshal(body, &env); err != nil {
		return engine.Envelope{}, err
	}
	switch env.Code {
	case "":
		return engine.Envelope{}, errors.New("envelope without code")
	case CodeSuccess:
		return engine.Envelope{Verdict: engine.Accepted, Code: CodeSuccess}, nil
	}
	e := engine.Envelope{Verdict: engine.Refused, Code: string(env.Code), Message: env.Msg}
	msg := strings.ToLower(env.Msg)
	switch {
	case strings.EqualFold(env.Msg, MsgSystemBusy):
		e.Retryable = true
	case strings.Contains(msg, "not_exist") || strings.Contains(msg, "not_found") ||
		strings.Contains(msg, "notexist") || strings.Contains(msg, "notfound"):
		e.Err = paygate.ErrOrderNotFound
		e.Definite = env.Code == CodeRefused
	case strings.EqualFold(env.Msg, MsgPayInOrderError) || strings.EqualFold(env.Msg, MsgPayOutOrderError) ||
		strings.EqualFold(env.Msg, MsgSignVerifyError):
		e.Definite = env.Code == CodeRefused
	}
	return e, nil
}

// Statuses of Cashy's "Payin Order Status Enum" and its pay-out status table.
var (
	payInStatuses = map[string]paygate.Status{
		"PAYING":  paygate.StatusPending,
		"SUCCESS": paygate.StatusSucceeded,
		"FAIL":    paygate.StatusFailed,
	}
	payOutStatuses = map[string]paygate.Status{
		"PROCESSING": paygate.StatusProcessing,
		"WAITING":    paygate.StatusProcessing,
		"PAYING":     paygate.StatusProcessing,
		"SUCCESS":    paygate.StatusSucceeded,
		"FAIL":       paygate.StatusFailed,
		"CANCEL":     paygate.StatusCancelled,
	}
)

// MapPayInStatus maps a pay-in orderStatus (PAYING, SUCCESS, FAIL); any other value is
// StatusUnknown.
func MapPayInStatus(raw string) paygate.Status { return check.Status(payInStatuses, raw) }

// MapPayOutStatus maps a pay-out orderStatus (PROCESSING, WAITING, PAYING, SUCCESS, FAIL,
// CANCEL); any other value is StatusUnknown.
func MapPayOutStatus(raw string) paygate.Status { return check.Status(payOutStatuses, raw) }

// MapStatus maps orderStatus by kind.
func MapStatus(kind paygate.Kind, raw string) paygate.Status {
	if kind == paygate.KindPayOut {
		return MapPayOutStatus(raw)
	}
	return MapPayInStatus(raw)
}

// parseTime reads "yyyy-MM-dd HH:mm:ss" in Pakistan time; empty is the zero time.
func parseTime(s string) (time.Time, error) { return wire.ParseLocal(s, wire.PKT) }
