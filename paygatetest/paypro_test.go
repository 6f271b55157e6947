package paygatetest_test

import _ "github.com/paygate-go/paygate/paypro" // registers "paypro"
