package paygatetest_test

import _ "github.com/paygate-go/paygate/cashgit" // registers "cashgit"
