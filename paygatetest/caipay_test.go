package paygatetest_test

import _ "github.com/paygate-go/paygate/caipay" // registers "caipay"
