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
	"github.com/paygate-go/paygate/internal/transport"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// Name is the provider's registered name.
const Name = "cashy"

// Header names of cashy.txt: every request and every webhook carries both.
const (
	HeaderMerchantID = "MerchantId"
	HeaderSign       = "Sign"
)

// DefaultPayType is the payType sent when PayInRequest.Channel is empty and
// Options["pay_type"] is unset: cashy.txt's example value.
const DefaultPayType = 36

// CodeSuccess is the envelope code of a successful answer.
const CodeSuccess = "200"

// Messages of the envelope that paygate classifies.
const (
	MsgSignVerifyError = "Sign_verify_error" // the Sign header did not verify
	MsgPayInOrderError = "Payin_Order_Error" // cashy.txt's refusal of a pay-in
	MsgSystemBusy      = "System_busy"       // try again later
)

func init() {
	paygate.Register(Name, func(cfg paygate.Config, opts ...paygate.Option) (paygate.Gateway, error) {
		return New(cfg, opts...)
	})
}

// Client is a Cashy gateway. It is safe for concurrent use.
type Client struct {
	merchantID string
	secret     string
	secrets    []string // current first, then previous ones: callbacks verify under any
	payType    int
	nonce      func() string
	clock      func() time.Time
	t          *transport.Client
}

var _ paygate.Gateway = (*Client)(nil)

// New returns a Cashy client for cfg. BaseURL, MerchantID and Secret are required: Cashy
// gives each merchant its own host, so there is no default base URL (DESIGN.md, "Cashy").
func New(cfg paygate.Config, opts ...paygate.Option) (*Client, error) {
	switch {
	case cfg.BaseURL == "":
		return nil, errors.New("paygate: cashy: Config.BaseURL is required (Cashy has no default host)")
	case cfg.MerchantID == "":
		return nil, errors.New("paygate: cashy: Config.MerchantID (the MerchantId header) is required")
	case cfg.Secret == "":
		return nil, errors.New("paygate: cashy: Config.Secret is required")
	}
	if err := check.URL("BaseURL", cfg.BaseURL); err != nil {
		return nil, errors.New("paygate: cashy: Config.BaseURL must be an absolute http(s) URL")
	}
	payType, err := parsePayType(cfg.Option("pay_type", strconv.Itoa(DefaultPayType)))
	if err != nil {
		return nil, fmt.Errorf("paygate: cashy: option pay_type must be a positive integer, got %q", cfg.Options["pay_type"])
	}
	s := paygate.Resolve(opts...)
	c := &Client{
		merchantID: cfg.MerchantID, secret: cfg.Secret, secrets: cfg.Secrets(),
		payType: payType, nonce: s.Nonce, clock: s.Clock,
	}
	if c.nonce == nil {
		c.nonce = randomNonce
	}
	c.t = transport.New(transport.Options{
		Provider: Name, MerchantID: cfg.MerchantID, BaseURL: strings.TrimRight(cfg.BaseURL, "/"), Timeout: cfg.Timeout,
	}, s)
	return c, nil
}

// String describes the client without its credentials.
func (c Client) String() string { return "cashy.Client{MerchantId: " + c.merchantID + "}" }

// Format prints the client as String does, under every verb, so that no fmt verb can print
// the credentials held in its fields.
func (c Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// Name returns "cashy".
func (c *Client) Name() string { return Name }

// Capabilities reports hosted pay-in (pay desk or payment code), pay-out, both queries,
// balance and callbacks. Cashy has no host-to-host pay-in.
func (c *Client) Capabilities() paygate.Capabilities {
	return paygate.Capabilities{PayIn: true, PayOut: true, QueryPayIn: true, QueryPayOut: true,
		Balance: true, Callbacks: true, Currency: paygate.PKR, AmountStyle: paygate.Fixed2}
}

// CloseIdleConnections closes idle keep-alive connections.
func (c *Client) CloseIdleConnections() { c.t.CloseIdleConnections() }

// randomNonce is 16 random bytes in hex: 32 characters, nonceStr's documented maximum.
func randomNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

func parsePayType(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || strings.HasPrefix(s, "+") {
		return 0, errors.New("not a positive integer")
	}
	return n, nil
}

// nonceStr returns a fresh nonceStr, refusing one longer than cashy.txt's string(32).
func (c *Client) nonceStr() (string, error) {
	n := c.nonce()
	if err := check.First(check.Required("nonceStr", n), check.MaxLength("nonceStr", n, maxText)); err != nil {
		return "", err
	}
	return n, nil
}

// envelope is every Cashy answer: {code, msg, data}.
type envelope struct {
	Code wire.Text       `json:"code"`
	Msg  string          `json:"msg"`
	Data json.RawMessage `json:"data"`
}

// call encodes body once, signs those very bytes (Sign = MD5HEX(body + secret), upper case),
// POSTs them to path and decodes the envelope's data into out.
func (c *Client) call(ctx context.Context, op, path string, body map[string]any, create bool, orderID string, out any) (*transport.Response, error) {
	raw, err := wire.Encode(body)
	if err != nil {
		return nil, fmt.Errorf("paygate: cashy %s: encode: %w", op, err)
	}
	header := http.Header{}
	header.Set(HeaderMerchantID, c.merchantID)
	header.Set(HeaderSign, signing.BodyMD5(raw, c.secret))
	header.Set("Content-Type", "application/json")
	resp, err := c.t.Do(ctx, &transport.Request{Op: op, Method: http.MethodPost, Path: path, Header: header,
		Body: raw, Create: create, OrderID: orderID})
	if err != nil {
		return nil, err
	}
	var env envelope
	if err := resp.Decode(&env); err != nil {
		return nil, err
	}
	if env.Code != CodeSuccess {
		return nil, refusal(resp, env, create)
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return nil, resp.Malformed(errors.New("success without data"))
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return nil, resp.Malformed(fmt.Errorf("data: %w", err))
	}
	return resp, nil
}

// refusal turns an envelope whose code is not 200 into a *paygate.ProviderError carrying
// code and msg. cashy.txt's only refusal example is {"msg":"Payin_Order_Error","code":500}
// answering a pay-in: Cashy writes 500 for business refusals, so an envelope code of 500 is a
// definite "no", not an uncertain outcome (an HTTP 5xx status still is: the transport decides
// that before the body is read). System_busy is Retryable for reads; for a create it may
// have been taken, so it is outcome-unknown. Cashy documents no code or message for
// "duplicate order" or "no such order": messages saying the order does not exist are
// classified ErrOrderNotFound, others carry no sentinel.
func refusal(resp *transport.Response, env envelope, create bool) error {
	code := string(env.Code)
	if code == "" {
		// Neither a success nor a refusal we can read: for a create, the order may exist.
		return resp.Malformed(errors.New("envelope without code"))
	}
	pe := resp.ProviderError(code, env.Msg)
	msg := strings.ToLower(env.Msg)
	switch {
	case strings.EqualFold(env.Msg, MsgSystemBusy):
		if create {
			return resp.Uncertain(pe)
		}
		pe.Retryable = true
	case !create && (strings.Contains(msg, "not_exist") || strings.Contains(msg, "not_found") ||
		strings.Contains(msg, "notexist") || strings.Contains(msg, "notfound")):
		pe.Err = paygate.ErrOrderNotFound
	}
	return pe
}

// Statuses of cashy.txt's "Payin Order Status Enum" and the public pay-out table.
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
