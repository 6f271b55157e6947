package cashgit

import (
	"net/http"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// ack is what CashGit must be answered: the string "success".
var ack = paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: "success"}

// callbackSchema is CashGit's callback: "k=v&k=v" signed, so a key with '&' or '=', or a
// value carrying "&name=", is refused; the order numbers, status and amount are always sent.
var callbackSchema = engine.Schema{Scheme: engine.PairsJoined,
	Required: []string{"orderid", "platform_orderid", "status", "amount"}}

// ParseCallback verifies a pay-in or pay-out callback and normalizes it. The signature covers
// every other field of the JSON body, numbers (paytime, completed_at) as their JSON text, and
// is accepted under both sign styles and every configured secret. A pay-out callback is told
// from a pay-in one by its pay-out fields (fee, actual_amount, completed_at), which are
// signed: a forger cannot add or remove them.
//
// Accepting both styles lets a genuine key_param signature over "…&utr=U&key=SECRET" verify,
// in the append style, a body whose last value is "U&key=": such a value carries a member,
// which the callback schema refuses, as it refuses every value carrying "&name=".
func (c *Client) ParseCallback(_ http.Header, body []byte) (*paygate.Callback, error) {
	fields, err := c.Callback(body, callbackSchema, func(f map[string]string) string { return f["sign"] }, signing.KeyParamMD5, signing.AppendMD5)
	if err != nil {
		return nil, err
	}
	if err := c.Ours(fields["appid"]); err != nil {
		return nil, err
	}
	cb := &paygate.Callback{
		Kind: paygate.KindPayIn, OrderID: fields["orderid"], ProviderOrderID: fields["platform_orderid"],
		RawStatus: fields["status"], UTR: fields["utr"], Raw: append([]byte(nil), body...), Ack: ack,
	}
	cb.Status = MapStatus(cb.RawStatus)
	if cb.Amount, err = paygate.ParseMoney(fields["amount"], paygate.INR); err != nil {
		return nil, c.MalformedField("amount", err)
	}
	completed := "paytime"
	if isPayOut(fields) {
		cb.Kind, completed = paygate.KindPayOut, "completed_at"
		if v := fields["fee"]; v != "" {
			if cb.Fee, err = paygate.ParseMoney(v, paygate.INR); err != nil {
				return nil, c.MalformedField("fee", err)
			}
		}
	}
	if v := fields[completed]; v != "" {
		if cb.CompletedAt, err = wire.ParseMillis(v); err != nil {
			return nil, c.MalformedField(completed, err)
		}
	}
	return cb, nil
}

// isPayOut looks at non-empty values only: empty and null fields are not signed, so a field
// merely present (`"fee": null` added to a signed pay-in) must not change the callback's Kind.
func isPayOut(fields map[string]string) bool {
	for _, k := range []string{"fee", "actual_amount", "completed_at"} {
		if fields[k] != "" {
			return true
		}
	}
	return false
}

// ForKind returns c as a Gateway whose callbacks are all of kind, for a notify URL that only
// that kind's orders name. The kind of this provider's callbacks is signed: one of the other
// kind arriving there is refused as malformed.
func (c *Client) ForKind(kind paygate.Kind) paygate.Gateway { return engine.ForKind(c, kind, true) }
