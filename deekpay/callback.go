package deekpay

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// Ack is what DeekPay must be answered once a callback is handled: HTTP 200 and
// the JSON {"code":200,"success":true}.
var Ack = paygate.Ack{StatusCode: http.StatusOK, ContentType: "application/json", Body: `{"code":200,"success":true}`}

// Order types (orderType) of the HamBit API (docs.hambit.co/indian): 1 collection, 2 payment.
const (
	OrderTypeCollection = "1"
	OrderTypePayment    = "2"
)

// ParseCallback verifies a DeekPay callback and normalizes it. The sign, access_key,
// timestamp and nonce headers are required; sign must be the HMAC-SHA1 of the JSON body's
// non-empty fields (numbers as their JSON text) plus those three header values, under the
// current secret or one of Options["previous_secrets"]. An access_key that is not ours (nor
// one of Options["previous_access_keys"]) and a timestamp further than the callback tolerance
// (default 5 minutes, Options["callback_tolerance"]) from the clock, in either direction,
// are refused as invalid signatures. The body is the order object of the query endpoints:
// orderType gives Kind, orderStatus (a number, or a text such as "Completed", as HamBit sends it)
// gives Status, and RawStatus keeps orderStatus followed by orderStatusCode.
func (c *Client) ParseCallback(header http.Header, body []byte) (*paygate.Callback, error) {
	sign := headerValue(header, HeaderSign)
	accessKey, ts, nonce := headerValue(header, HeaderAccessKey), headerValue(header, HeaderTimestamp), headerValue(header, HeaderNonce)
	switch {
	case sign == "":
		return nil, c.Refuse("sign header is missing")
	case accessKey == "":
		return nil, c.Refuse("access_key header is missing")
	case ts == "":
		return nil, c.Refuse("timestamp header is missing")
	case nonce == "":
		return nil, c.Refuse("nonce header is missing")
	}
	// The header values join the body's fields, as DeekPay prescribes; they take the place of
	// body fields of the same name, and the body's own sign field, if any, is not signed.
	rule := func(fields map[string]string, secret string) string {
		signed := make(map[string]string, len(fields)+3)
		for k, v := range fields {
			signed[k] = v
		}
		delete(signed, HeaderSign)
		signed[HeaderAccessKey], signed[HeaderTimestamp], signed[HeaderNonce] = accessKey, ts, nonce
		return signing.HMACSHA1(signed, secret)
	}
	fields, err := c.Callback(body, callbackSchema, func(map[string]string) string { return sign }, rule)
	if err != nil {
		return nil, err
	}
	if !c.ourAccessKey(accessKey) {
		return nil, c.Refuse("callback for another access_key")
	}
	if err := c.fresh(ts); err != nil {
		return nil, c.Refuse(err.Error())
	}
	return c.normalize(fields, body)
}

// callbackSchema is DeekPay's callback: "k=v&k=v" signed, so a key with '&' or '=', or a
// value carrying "&name=", is refused; the order numbers, type, status and amount are always sent.
var callbackSchema = engine.Schema{Scheme: engine.PairsJoined,
	Required: []string{"orderId", "externalOrderId", "orderType", "orderStatus", "orderAmount"}}

func (c *Client) ourAccessKey(k string) bool {
	ok := false
	for _, mine := range c.accessKeys {
		if signing.Equal(k, mine) {
			ok = true
		}
	}
	return ok
}

// fresh checks that a 13-digit millisecond timestamp lies within the tolerance of the clock.
func (c *Client) fresh(ts string) error {
	if len(ts) != 13 || !isDigits(ts) {
		return errors.New("timestamp is not 13 digits of milliseconds")
	}
	at, err := wire.ParseMillis(ts)
	if err != nil {
		return errors.New("timestamp is not 13 digits of milliseconds")
	}
	now := c.Now()
	switch {
	case at.Before(now.Add(-c.tolerance)):
		return fmt.Errorf("stale timestamp (more than %s old)", c.tolerance)
	case at.After(now.Add(c.tolerance)):
		return fmt.Errorf("timestamp more than %s in the future", c.tolerance)
	}
	return nil
}

// headerValue reads a header by name, also when the map was built by hand with keys that are
// not in canonical form ("access_key").
func headerValue(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return strings.TrimSpace(v)
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
	}
	return ""
}

// normalize turns verified fields into a Callback.
func (c *Client) normalize(fields map[string]string, body []byte) (*paygate.Callback, error) {
	malformed := c.MalformedField
	cb := &paygate.Callback{
		OrderID: fields["externalOrderId"], ProviderOrderID: fields["orderId"],
		RawStatus: rawStatus(fields["orderStatus"], fields["orderStatusCode"]),
		Raw:       append([]byte(nil), body...), Ack: Ack,
	}
	switch strings.TrimSpace(fields["orderType"]) {
	case OrderTypeCollection:
		cb.Kind = paygate.KindPayIn
	case OrderTypePayment:
		cb.Kind = paygate.KindPayOut
	default:
		return nil, malformed("orderType", fmt.Errorf("%q is neither 1 (collection) nor 2 (payment)", fields["orderType"]))
	}
	cb.Status = MapStatus(cb.Kind, fields["orderStatus"])
	// An amount in another currency is another amount: as a query's answer, such a callback is
	// not this client's order (which is in Capabilities().Currency).
	cur := currency(fields["currencyType"])
	if want := c.Capabilities().Currency; cur != want {
		return nil, malformed("currencyType", fmt.Errorf("%q is not %s, the currency of this client's orders", fields["currencyType"], want))
	}
	amount, err := paygate.ParseMoney(fields["orderAmount"], cur)
	if err != nil {
		return nil, malformed("orderAmount", err)
	}
	cb.Amount = amount
	if v := fields["orderActualAmount"]; v != "" && cb.Kind == paygate.KindPayIn {
		// What was paid, as paygate.Order.CallbackAmount has it for a confirmed or polled
		// callback of the same order: a partial payment differs from orderAmount.
		paid, err := paygate.ParseMoney(v, cur)
		if err != nil {
			return nil, malformed("orderActualAmount", err)
		}
		if !paid.IsZero() {
			cb.Amount = paid
		}
	}
	if v := fields["orderFee"]; v != "" {
		if cb.Fee, err = paygate.ParseMoney(v, cur); err != nil {
			return nil, malformed("orderFee", err)
		}
	} else {
		cb.Fee = paygate.NewMoney(decimal.Zero, cur)
	}
	for _, k := range []string{"orderCompleteTime", "orderPayTime"} {
		if v := fields[k]; v != "" {
			t, err := wire.ParseMillis(v)
			if err != nil {
				return nil, malformed(k, err)
			}
			if !t.IsZero() {
				cb.CompletedAt = t
				break
			}
		}
	}
	return cb, nil
}

// CallbackTolerance reports how far a callback's timestamp may lie from the clock.
func (c *Client) CallbackTolerance() time.Duration { return c.tolerance }

// ForKind returns c as a Gateway whose callbacks are all of kind, for a notify URL that only
// that kind's orders name. The kind of this provider's callbacks is signed: one of the other
// kind arriving there is refused as malformed.
func (c *Client) ForKind(kind paygate.Kind) paygate.Gateway { return engine.ForKind(c, kind, true) }
