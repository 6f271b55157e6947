package caipay

import (
	"crypto/subtle"
	"fmt"
	"net/http"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/signing"
)

// ack is what CaiPay must be answered: exactly "success", as its callback section requires.
var ack = paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: "success"}

// callbackSchema is CaiPay's callback, identical for pay-ins and pay-outs. Its signature
// covers the values only, not the keys: a key could be renamed, or a value moved into its
// neighbour, without changing it. So only the documented keys are accepted, every field read
// must be present, and no value may carry another key followed by '='.
var callbackSchema = engine.Schema{Scheme: engine.ValuesOnly,
	Known: []string{"customerOrderNo", "description", "orderAmount", "orderStatus", "payUtrNo", "platOrderNo",
		"orderMessage", "token", signField},
	Required: []string{"customerOrderNo", "platOrderNo", "orderStatus", "orderAmount"}}

// ParseCallback verifies a CaiPay callback (POST JSON) and normalizes it. signKey is
// recomputed over every other non-empty field, token included, under the current and every
// previous secret; a callback whose token is not this client's is refused as an invalid
// signature.
//
// The pay-in and pay-out callbacks of CaiPay have the same fields, so nothing signed tells
// the kind: Kind is KindPayIn. Give CaiPay a different callbackUrl for each kind and serve
// each with ForKind(kind); webhook.Handler also confirms CaiPay callbacks by query, trying
// the other kind when the order is not found under the first.
//
// A values-only signature does not bind where one value ends and the next begins: a
// character moved from customerOrderNo into description keeps signKey valid. What this
// returns is therefore what the callback claims; only the provider's answer to a query (what
// webhook.Handler acts on by default) is a fact. Raw is the body as CaiPay sent it, token
// included: do not log it.
func (c *Client) ParseCallback(_ http.Header, body []byte) (*paygate.Callback, error) {
	return c.parse(paygate.KindPayIn, body)
}

// ParseCallbackKind is ParseCallback for a callback the merchant knows the kind of, e.g. from
// the callbackUrl it arrived at: the returned Kind is kind.
func (c *Client) ParseCallbackKind(kind paygate.Kind, _ http.Header, body []byte) (*paygate.Callback, error) {
	if kind != paygate.KindPayIn && kind != paygate.KindPayOut {
		return nil, fmt.Errorf("paygate: caipay callback: kind must be %q or %q, got %q", paygate.KindPayIn, paygate.KindPayOut, kind)
	}
	return c.parse(kind, body)
}

// ForKind returns c as a Gateway whose callbacks are all of kind, for webhook.Handler mounted
// at the callbackUrl of that kind.
func (c *Client) ForKind(kind paygate.Kind) paygate.Gateway { return engine.ForKind(c, kind, false) }

// parse verifies first, then normalizes.
func (c *Client) parse(kind paygate.Kind, body []byte) (*paygate.Callback, error) {
	fields, err := c.Callback(body, callbackSchema, func(f map[string]string) string { return f[signField] }, signing.ValuesMD5)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(fields["token"]), []byte(c.token)) != 1 {
		return nil, c.Refuse("token is not this merchant's")
	}
	cb := &paygate.Callback{
		Kind: kind, OrderID: fields["customerOrderNo"], ProviderOrderID: fields["platOrderNo"],
		RawStatus: fields["orderStatus"], UTR: fields["payUtrNo"], Raw: append([]byte(nil), body...), Ack: ack,
	}
	if cb.UTR == noUTR {
		cb.UTR = ""
	}
	cb.Status = MapStatus(cb.RawStatus)
	if cb.Amount, err = paygate.ParseMoney(fields["orderAmount"], paygate.INR); err != nil {
		return nil, c.MalformedField("orderAmount", err)
	}
	return cb, nil
}
