package deekpay

import (
	"errors"
	"time"

	"github.com/paygate-go/paygate"
)

// Options declares the entries of paygate.Config.Options this package reads; New and
// paygate.New refuse any other name. `paygate help config` prints them.
var Options = []paygate.OptionSpec{
	{Name: "previous_secrets", Meaning: "Former secret_keys, comma-separated, that callbacks still verify under while a rotation settles."},
	{Name: "previous_access_keys", Meaning: "Former access_keys, comma-separated, that callbacks may still name."},
	{Name: "callback_tolerance", Meaning: "How far a callback's timestamp may be from the clock, in either direction, as a duration with a unit.",
		Default: DefaultCallbackTolerance.String(), Check: func(v string) error { _, err := callbackTolerance(v); return err }},
}

// callbackTolerance reads the callback_tolerance option: a positive duration with a unit.
func callbackTolerance(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New(`must be a positive Go duration such as "5m"`)
	}
	return d, nil
}
