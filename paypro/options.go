package paypro

import (
	"errors"
	"net"

	"github.com/paygate-go/paygate"
)

// Options declares the entries of paygate.Config.Options this package reads; New and
// paygate.New refuse any other name. `paygate help config` prints them.
var Options = []paygate.OptionSpec{
	{Name: "previous_secrets", Meaning: "Former app secrets, comma-separated, that callbacks still verify under while a rotation settles."},
	{Name: optServerIP, Meaning: "The ipAddress sent with pay-outs: your server's public IP address, when Extra[\"ipAddress\"] does not give one.",
		Check: func(v string) error {
			if net.ParseIP(v) == nil {
				return errors.New("is not an IP address")
			}
			return nil
		}},
	{Name: optPayoutPrefix, Meaning: "A tradeNo prefix that marks a callback as a pay-out's, when callback_kind is unset."},
	{Name: optCallbackKind, Meaning: "Take every callback as this kind (for separate pay-in and pay-out callback URLs, one Client each).",
		Allowed: []string{string(paygate.KindPayIn), string(paygate.KindPayOut)}},
}
