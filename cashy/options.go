package cashy

import (
	"strconv"

	"github.com/paygate-go/paygate"
)

// Options declares the entries of paygate.Config.Options this package reads; New and
// paygate.New refuse any other name. `paygate help config` prints them.
var Options = []paygate.OptionSpec{
	{Name: "previous_secrets", Meaning: "Former API secrets, comma-separated, that webhooks still verify under while a rotation settles."},
	{Name: "pay_type", Meaning: "The payType sent when PayInRequest.Channel is empty: a positive integer.",
		Default: strconv.Itoa(DefaultPayType), Check: func(v string) error { _, err := parsePayType(v); return err }},
}
