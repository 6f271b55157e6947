package paygatetest_test

import _ "github.com/paygate-go/paygate/deekpay" // registers "deekpay"
