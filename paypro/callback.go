package paypro

import (
	"net/http"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/signing"
)

// ack is what PayPro must be answered: HTTP 200 and the body "OK" (until it gets it, PayPro
// retries a notification 8 times over about 10 hours).
var ack = paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: "OK"}

// Callback fields, as PayPro's notify pages (docs.paypro.tech) give them: {status, message,
// platFormTradeNo, tradeNo, amount, utr?, successTime, timestamp, sign}, and channelCode and
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
	fields, err := c.Callback(body, callbackSchema, func(f map[string]string) string { return f[fieldSign] }, signing.ConcatMD5)
	if err != nil {
		return nil, err
	}
	if err := c.Ours(fields[HeaderMerchantNo], header.Get(HeaderMerchantNo)); err != nil {
		return nil, err
	}
	cb := &paygate.Callback{
		Kind: c.kind(fields), OrderID: fields[fieldTradeNo], ProviderOrderID: fields["platFormTradeNo"],
		RawStatus: fields["status"], UTR: fields["utr"], Raw: append([]byte(nil), body...), Ack: ack,
	}
	cb.Status = MapStatus(cb.RawStatus)
	if cb.Amount, err = paygate.ParseMoney(fields["amount"], paygate.INR); err != nil {
		return nil, c.MalformedField("amount", err)
	}
	// successTime is informational: an authentic callback is not refused over its format.
	if t, err := parseSuccessTime(fields["successTime"]); err == nil {
		cb.CompletedAt = t
	}
	return cb, nil
}

// callbackSchema is PayPro's notify body. It signs "k1=v1k2=v2" with no separator, so a value
// could swallow the next member: only these documented keys are accepted, every field read
// must be present, and no value may carry another key followed by '='.
var callbackSchema = engine.Schema{Scheme: engine.PairsConcatenated,
	Known: []string{"status", "message", "platFormTradeNo", fieldTradeNo, "amount", "utr", "successTime",
		fieldTimestamp, fieldSign, "channelCode", "wayCode", HeaderMerchantNo},
	Required: []string{"status", fieldTradeNo, "platFormTradeNo", "amount"}}

// ForKind returns c as a Gateway whose callbacks are all of kind, for a notify URL that only
// that kind's orders name: PayPro's callbacks do not say which kind they are.
func (c *Client) ForKind(kind paygate.Kind) paygate.Gateway { return engine.ForKind(c, kind, false) }

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
