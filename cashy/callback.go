package cashy

import (
	"errors"
	"net/http"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/signing"
)

// ack is what Cashy must be answered. Cashy counts HTTP 200, 301 and 302 as received;
// paygate answers 200 with the body SUCCESS.
var ack = paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: "SUCCESS"}

// OrderTypePatch is the orderType of a supplementary payment: the customer paid another
// amount than the order's, or paid twice.
const OrderTypePatch = "PATCH"

// payOutFields are fields only a pay-out webhook carries.
var payOutFields = []string{"accountNo", "accountName", "accountType", "bankId"}

// ParseCallback verifies a webhook and normalizes it. The Sign header must be the upper-case
// hex MD5 of the raw body followed by the secret, under the current secret or one of
// Options["previous_secrets"]; it is checked before the body is read at all. A webhook whose
// MerchantId header or merchantId field names another merchant is refused as a bad signature.
//
// Amounts and fees arrive as JSON numbers (20000.00, 2500.0000) and are decoded exactly.
// completionTime is Pakistan time (UTC+5). A PATCH order (a supplementary payment) has
// ParentOrderID set to the original order's merchant number and OrderID to the
// supplementary payment's (the original's with a serial appended). Cashy's prose puts the
// original's in patchMchOrderNo and the serial one in mchOrderNo, its sample webhook the other
// way round: whichever of the two is the other's prefix is taken as the original. For other
// order types ParentOrderID stays empty even though Cashy repeats the order's own numbers in
// the patch fields.
//
// Kind: an orderNo starting "PAYOUT" or "PAYIN" decides it; otherwise a webhook carrying
// pay-out fields (accountNo, accountName, accountType, bankId) is a pay-out and any other a
// pay-in (Cashy's pay-in numbers start "PAYIN" and its pay-in webhooks carry a payType).
func (c *Client) ParseCallback(header http.Header, body []byte) (*paygate.Callback, error) {
	fields, err := c.Callback(body, callbackSchema, func(map[string]string) string { return headerValue(header, HeaderSign) },
		func(_ map[string]string, secret string) string { return signing.BodyMD5(body, secret) })
	if err != nil {
		return nil, err
	}
	if err := c.Ours(headerValue(header, HeaderMerchantID), fields["merchantId"]); err != nil {
		return nil, err
	}
	cb := &paygate.Callback{
		Kind: kindOf(fields), OrderID: fields["mchOrderNo"], ProviderOrderID: fields["orderNo"],
		RawStatus: fields["orderStatus"], UTR: fields["channelOrderNo"],
		Raw: append([]byte(nil), body...), Ack: ack,
	}
	cb.Status = MapStatus(cb.Kind, cb.RawStatus)
	if cb.Amount, err = paygate.ParseMoney(fields["amount"], paygate.PKR); err != nil {
		return nil, c.MalformedField("amount", err)
	}
	if v := fields["fee"]; v != "" {
		if cb.Fee, err = paygate.ParseMoney(v, paygate.PKR); err != nil {
			return nil, c.MalformedField("fee", err)
		}
	}
	if cb.CompletedAt, err = parseTime(strings.TrimSpace(fields["completionTime"])); err != nil {
		return nil, c.MalformedField("completionTime", err)
	}
	if fields["orderType"] == OrderTypePatch {
		parent := fields["patchMchOrderNo"]
		if parent == "" {
			return nil, c.MalformedField("patchMchOrderNo", errors.New("missing from a PATCH order"))
		}
		// Cashy's prose has mchOrderNo the original's number with a serial appended and
		// patchMchOrderNo the original's; its own sample has them the other way round. Either
		// way the original's number is the other's prefix: that one is the parent, and the
		// supplementary payment keeps an OrderID (and a webhook.Key) of its own.
		if len(parent) > len(cb.OrderID) && strings.HasPrefix(parent, cb.OrderID) {
			cb.OrderID, parent = parent, cb.OrderID
		}
		cb.ParentOrderID = parent
	}
	return cb, nil
}

// callbackSchema is Cashy's webhook: signed over its raw bytes, so nothing can be re-split;
// the order numbers, status and amount are always sent.
var callbackSchema = engine.Schema{Scheme: engine.RawBody,
	Required: []string{"mchOrderNo", "orderNo", "orderStatus", "amount"}}

// headerValue is header.Get(name), also for a header map built by hand with keys that are not
// in canonical form ("MerchantId" rather than "Merchantid").
func headerValue(header http.Header, name string) string {
	if v := header.Get(name); v != "" {
		return v
	}
	for k, vs := range header {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func kindOf(fields map[string]string) paygate.Kind {
	switch no := strings.ToUpper(fields["orderNo"]); {
	case strings.HasPrefix(no, "PAYOUT"):
		return paygate.KindPayOut
	case strings.HasPrefix(no, "PAYIN"):
		return paygate.KindPayIn
	}
	for _, k := range payOutFields {
		if fields[k] != "" {
			return paygate.KindPayOut
		}
	}
	return paygate.KindPayIn
}

// ForKind returns c as a Gateway whose callbacks are all of kind, for a notify URL that only
// that kind's orders name. The kind of this provider's callbacks is signed: one of the other
// kind arriving there is refused as malformed.
func (c *Client) ForKind(kind paygate.Kind) paygate.Gateway { return engine.ForKind(c, kind, true) }
