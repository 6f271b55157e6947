package cashgit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// ack is what CashGit must be answered: the string "success".
var ack = paygate.Ack{StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: "success"}

// ParseCallback verifies a pay-in or pay-out callback and normalizes it. The signature covers
// every other field of the JSON body, numbers (paytime, completed_at) as their JSON text, and
// is accepted under both sign styles and every configured secret. A pay-out callback is told
// from a pay-in one by its pay-out fields (fee, actual_amount, completed_at).
func (c *Client) ParseCallback(_ http.Header, body []byte) (*paygate.Callback, error) {
	const op = "callback"
	fields, err := signing.Fields(body)
	if err != nil {
		return nil, fmt.Errorf("paygate: cashgit %s: %w: %w", op, paygate.ErrMalformedCallback, err)
	}
	if err := c.verify(fields); err != nil {
		return nil, err
	}
	if appid, ok := fields["appid"]; ok && appid != c.merchantID {
		return nil, &paygate.SignatureError{Provider: Name, Op: op, Reason: "callback for another merchant"}
	}
	malformed := func(field string, err error) error {
		return fmt.Errorf("paygate: cashgit %s: %w: field %s: %w", op, paygate.ErrMalformedCallback, field, err)
	}
	cb := &paygate.Callback{
		Kind: paygate.KindPayIn, OrderID: fields["orderid"], ProviderOrderID: fields["platform_orderid"],
		RawStatus: fields["status"], UTR: fields["utr"], Raw: append([]byte(nil), body...), Ack: ack,
	}
	if cb.OrderID == "" {
		return nil, malformed("orderid", errors.New("missing"))
	}
	cb.Status = MapStatus(cb.RawStatus)
	amount, err := paygate.ParseMoney(fields["amount"], paygate.INR)
	if err != nil {
		return nil, malformed("amount", err)
	}
	cb.Amount = amount
	completed := "paytime"
	if isPayOut(fields) {
		cb.Kind, completed = paygate.KindPayOut, "completed_at"
		if v := fields["fee"]; v != "" {
			if cb.Fee, err = paygate.ParseMoney(v, paygate.INR); err != nil {
				return nil, malformed("fee", err)
			}
		}
	}
	if v := fields[completed]; v != "" {
		ms, err := wire.ParseMillis(v)
		if err != nil {
			return nil, malformed(completed, err)
		}
		cb.CompletedAt = ms
	}
	return cb, nil
}

// verify checks fields["sign"] against both sign styles under every secret, in constant time.
func (c *Client) verify(fields map[string]string) error {
	got := fields["sign"]
	if got == "" {
		return &paygate.SignatureError{Provider: Name, Op: "callback", Reason: "sign is missing"}
	}
	// Accepting both styles (DESIGN.md) would let a genuine key_param signature over
	// "…&utr=U&key=SECRET" pass, in the append style, for a body whose last value is "U&key=".
	// No CashGit value contains "&key=": such a body is refused, so the styles cannot collide.
	for k, v := range fields {
		if k != "sign" && strings.Contains(v, "&key=") {
			return &paygate.SignatureError{Provider: Name, Op: "callback", Reason: "a value imitates the signature's key suffix"}
		}
	}
	for _, secret := range c.secrets {
		if signing.Equal(got, signing.KeyParamMD5(fields, secret)) || signing.Equal(got, signing.AppendMD5(fields, secret)) {
			return nil
		}
	}
	return &paygate.SignatureError{Provider: Name, Op: "callback", Reason: "sign does not match"}
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
