package paypro

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/signing"
)

// ack is what PayPro must be answered (DESIGN.md, PayPro): HTTP 200 and the body "OK".
var ack = paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: "OK"}

// Callback fields (DESIGN.md, PayPro): {status, message, platFormTradeNo, tradeNo, amount,
// utr?, timestamp, sign}; the platform's notify pages add successTime, and channelCode and
// wayCode "only in PAYIN callbacks".
var payInOnlyFields = []string{"channelCode", "wayCode"}

// ParseCallback verifies a pay-in or pay-out callback (POST JSON) and normalizes it. sign is
// checked first, under every secret of the Config, over every other non-empty field of the
// body as signing.Fields reads it (numbers as their JSON text), so amount may be a string or
// a number. Amount is the callback's amount, which for status 0001 is what was actually paid.
//
// PayPro's callbacks do not say whether they are about a pay-in or a pay-out. Kind is decided
// so (a decision of this package, see the package documentation): Options["callback_kind"]
// ("payin" or "payout") fixes it, for a merchant who gives pay-ins and pay-outs separate notify
// URLs, each served by its own Client; else, with Options["payout_prefix"] set, a tradeNo that
// starts with it is a pay-out and any other a pay-in; else a callback that carries channelCode or wayCode (which the platform sends only for pay-ins) or
// status 0001 (partial payment, pay-ins only) is a pay-in, and any other a pay-out.
func (c *Client) ParseCallback(header http.Header, body []byte) (*paygate.Callback, error) {
	const op = "callback"
	fields, err := signing.Fields(body)
	if err != nil {
		return nil, fmt.Errorf("paygate: paypro %s: %w: %w", op, paygate.ErrMalformedCallback, err)
	}
	if err := c.verify(fields); err != nil {
		return nil, err
	}
	if m, ok := fields[HeaderMerchantNo]; ok && m != c.merchantID {
		return nil, &paygate.SignatureError{Provider: Name, Op: op, Reason: "callback for another merchant"}
	}
	if m := header.Get(HeaderMerchantNo); m != "" && m != c.merchantID {
		return nil, &paygate.SignatureError{Provider: Name, Op: op, Reason: "callback for another merchant"}
	}
	malformed := func(field string, err error) error {
		return fmt.Errorf("paygate: paypro %s: %w: field %s: %w", op, paygate.ErrMalformedCallback, field, err)
	}
	cb := &paygate.Callback{
		Kind: c.kind(fields), OrderID: fields[fieldTradeNo], ProviderOrderID: fields["platFormTradeNo"],
		RawStatus: fields["status"], UTR: fields["utr"], Raw: append([]byte(nil), body...), Ack: ack,
	}
	if cb.OrderID == "" {
		return nil, malformed(fieldTradeNo, errors.New("missing"))
	}
	if cb.RawStatus == "" {
		return nil, malformed("status", errors.New("missing"))
	}
	cb.Status = MapStatus(cb.RawStatus)
	amt, err := paygate.ParseMoney(fields["amount"], paygate.INR)
	if err != nil {
		return nil, malformed("amount", err)
	}
	cb.Amount = amt
	// successTime is informational: an authentic callback is not refused over its format.
	if t, err := parseSuccessTime(fields["successTime"]); err == nil {
		cb.CompletedAt = t
	}
	return cb, nil
}

// verify checks fields["sign"] under every secret, in constant time.
func (c *Client) verify(fields map[string]string) error {
	got := fields[fieldSign]
	if got == "" {
		return &paygate.SignatureError{Provider: Name, Op: "callback", Reason: "sign is missing"}
	}
	for _, secret := range c.secrets {
		if signing.Equal(got, signing.ConcatMD5(fields, secret)) {
			return nil
		}
	}
	return &paygate.SignatureError{Provider: Name, Op: "callback", Reason: "sign does not match"}
}

// kind tells a pay-out callback from a pay-in one, as ParseCallback documents.
func (c *Client) kind(fields map[string]string) paygate.Kind {
	if c.callbackKind != "" {
		return c.callbackKind
	}
	if c.payoutPrefix != "" {
		if strings.HasPrefix(fields[fieldTradeNo], c.payoutPrefix) {
			return paygate.KindPayOut
		}
		return paygate.KindPayIn
	}
	if fields["status"] == StatusPartial {
		return paygate.KindPayIn
	}
	for _, k := range payInOnlyFields {
		if fields[k] != "" {
			return paygate.KindPayIn
		}
	}
	return paygate.KindPayOut
}
