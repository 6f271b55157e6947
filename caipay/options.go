package caipay

import "github.com/paygate-go/paygate"

// Options declares the entries of paygate.Config.Options this package reads; New and
// paygate.New refuse any other name. `paygate help config` prints them.
var Options = []paygate.OptionSpec{
	{Name: "previous_secrets", Meaning: "Former signing secrets, comma-separated, that callbacks still verify under while a rotation settles."},
}
