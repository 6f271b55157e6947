package caipay

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/signing"
)

// ack is what CaiPay must be answered: exactly "success" (caipay.txt section 4).
var ack = paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: "success"}

// payOutOnly are the pay-out request's beneficiary fields. A callback carrying any of them is
// taken as a pay-out's by ParseCallback; the samples of caipay.txt 4.1 and 4.2 are identical,
// so without them a callback is a pay-in's.
var payOutOnly = []string{"bankAccountName", "bankAccountNumber", "payIfsc", "payEmail", "payPhone"}

// ParseCallback verifies a CaiPay callback (POST JSON) and normalizes it. signKey is
// recomputed over every other non-empty field, token included (DESIGN.md), under the current
// and every previous secret; a callback whose token is not this client's is refused as an
// invalid signature.
//
// The pay-in and pay-out callbacks of caipay.txt have the same fields, so Kind is KindPayIn
// unless the body carries a pay-out beneficiary field (bankAccountName, bankAccountNumber,
// payIfsc, payEmail, payPhone). Give CaiPay a different callbackUrl for each kind and use
// ParseCallbackKind (or ForKind) where the URL tells the kind.
func (c *Client) ParseCallback(_ http.Header, body []byte) (*paygate.Callback, error) {
	return c.parse("", body)
}

// ParseCallbackKind is ParseCallback for a callback the merchant knows the kind of, e.g. from
// the callbackUrl it arrived at: the returned Kind is kind, whatever the body holds.
func (c *Client) ParseCallbackKind(kind paygate.Kind, _ http.Header, body []byte) (*paygate.Callback, error) {
	if kind != paygate.KindPayIn && kind != paygate.KindPayOut {
		return nil, fmt.Errorf("paygate: caipay callback: kind must be %q or %q, got %q", paygate.KindPayIn, paygate.KindPayOut, kind)
	}
	return c.parse(kind, body)
}

// ForKind returns c as a Gateway whose ParseCallback is ParseCallbackKind(kind, ...), for
// webhook.Handler mounted at the callbackUrl of that kind.
func (c *Client) ForKind(kind paygate.Kind) paygate.Gateway { return kindGateway{c, kind} }

// kindGateway is a Client whose callbacks are all of one kind.
type kindGateway struct {
	*Client
	kind paygate.Kind
}

// ParseCallback verifies and normalizes a callback of g's kind.
func (g kindGateway) ParseCallback(header http.Header, body []byte) (*paygate.Callback, error) {
	return g.ParseCallbackKind(g.kind, header, body)
}

// parse verifies first, then normalizes. kind "" means: tell it from the body.
func (c *Client) parse(kind paygate.Kind, body []byte) (*paygate.Callback, error) {
	const op = "callback"
	fields, err := signing.Fields(body)
	if err != nil {
		return nil, fmt.Errorf("paygate: caipay %s: %w: %w", op, paygate.ErrMalformedCallback, err)
	}
	if err := c.verify(fields); err != nil {
		return nil, err
	}
	malformed := func(field string, err error) error {
		return fmt.Errorf("paygate: caipay %s: %w: field %s: %w", op, paygate.ErrMalformedCallback, field, err)
	}
	cb := &paygate.Callback{
		Kind: kind, OrderID: fields["customerOrderNo"], ProviderOrderID: fields["platOrderNo"],
		RawStatus: fields["orderStatus"], UTR: fields["payUtrNo"], Raw: append([]byte(nil), body...), Ack: ack,
	}
	if cb.OrderID == "" {
		return nil, malformed("customerOrderNo", errors.New("missing"))
	}
	if cb.Kind == "" {
		cb.Kind = paygate.KindPayIn
		for _, k := range payOutOnly {
			if fields[k] != "" {
				cb.Kind = paygate.KindPayOut
				break
			}
		}
	}
	if cb.UTR == noUTR {
		cb.UTR = ""
	}
	cb.Status = MapStatus(cb.RawStatus)
	if cb.Amount, err = paygate.ParseMoney(fields["orderAmount"], paygate.INR); err != nil {
		return nil, malformed("orderAmount", err)
	}
	return cb, nil
}

// verify checks signKey under every secret, in constant time, then that the token is ours.
func (c *Client) verify(fields map[string]string) error {
	got := fields[signField]
	if got == "" {
		return &paygate.SignatureError{Provider: Name, Op: "callback", Reason: "signKey is missing"}
	}
	ok := false
	for _, secret := range c.secrets {
		ok = signing.Equal(got, signing.ValuesMD5(fields, secret)) || ok
	}
	if !ok {
		return &paygate.SignatureError{Provider: Name, Op: "callback", Reason: "signKey does not match"}
	}
	if subtle.ConstantTimeCompare([]byte(fields["token"]), []byte(c.token)) != 1 {
		return &paygate.SignatureError{Provider: Name, Op: "callback", Reason: "token is not this merchant's"}
	}
	return nil
}
