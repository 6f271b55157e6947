package cashgit

import (
	"errors"
	"strconv"

	"github.com/paygate-go/paygate"
)

// Options declares the entries of paygate.Config.Options this package reads; New and
// paygate.New refuse any other name. `paygate help config` prints them.
var Options = []paygate.OptionSpec{
	{Name: "previous_secrets", Meaning: "Former secrets, comma-separated, that callbacks still verify under while a rotation settles."},
	{Name: "sign_style", Meaning: "How requests are signed: key_param is md5 of \"k=v&…&key=SECRET\" (the published document's rule); append is md5 of \"k=v&…SECRET\" (what CashGit's own server code computes). Callbacks verify under either.",
		Default: SignKeyParam, Allowed: []string{SignKeyParam, SignAppend}},
	{Name: "sandbox", Meaning: "true sends to the test host " + SandboxURL + " when base_url is unset.", Default: "false",
		Check: func(v string) error {
			if _, err := strconv.ParseBool(v); err != nil { // as Config.BoolOption reads it
				return errors.New("is not a boolean; write true or false")
			}
			return nil
		}},
	{Name: "rate_limit", Meaning: "Requests per second this client sends at most, as a decimal number; 0 turns the limit off.",
		Default: strconv.Itoa(DefaultRateLimit), Check: func(v string) error { _, err := rateLimit(v); return err }},
}
