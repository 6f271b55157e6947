// Package providers registers every paygate provider: blank-import this package to register
// every provider with paygate.New, then choose one by Config.Provider.
//
//	import _ "github.com/paygate-go/paygate/providers"
//
//	gw, err := paygate.New(paygate.Config{Provider: "cashgit", MerchantID: "...", Secret: "..."})
//
// A program that uses a single provider can blank-import that provider's package instead and
// carry only its code.
package providers

import (
	_ "github.com/paygate-go/paygate/caipay"  // registers "caipay"
	_ "github.com/paygate-go/paygate/cashgit" // registers "cashgit"
	_ "github.com/paygate-go/paygate/cashy"   // registers "cashy"
	_ "github.com/paygate-go/paygate/deekpay" // registers "deekpay"
	_ "github.com/paygate-go/paygate/paypro"  // registers "paypro"
)
