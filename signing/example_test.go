package signing_test

import (
	"fmt"

	"github.com/paygate-go/paygate/signing"
)

// The signature example of CaiPay's merchant API document (section 5.1), signed as its Java
// and PHP samples sign it: the values of the non-empty parameters in ASCII key order, then
// the secret.
func ExampleValuesMD5() {
	params := map[string]string{
		"token":           "a41fd77e034d424b97e64ea42f17c544",
		"tenantId":        "1923067572689027074",
		"amount":          "2",
		"customerOrderNo": "TEST1748433693",
		"callbackUrl":     "1111111111111",
		"rechargeName":    "John Doe",
		"rechargeEmail":   "john@example.com",
		"rechargePhone":   "+1234567890",
	}
	fmt.Println(signing.ValuesCanonical(params))
	fmt.Println(signing.ValuesMD5(params, "76b570d3acb79ef559983839b25614ac"))
	// Output:
	// 21111111111111TEST1748433693john@example.comJohn Doe+12345678901923067572689027074a41fd77e034d424b97e64ea42f17c544
	// 2b4698c99716ba64176e0196a67b6e81
}

// The signature example of CashGit's merchant API document: k=v pairs in ASCII key order
// joined by &, then &key= and the secret.
func ExampleKeyParamMD5() {
	params := map[string]string{
		"orderid":    "ORDER_20231201001",
		"appid":      "cgpay",
		"amount":     "100.00",
		"desc":       "游戏充值",
		"notify_url": "https://merchant.com/notify",
	}
	fmt.Println(signing.KeyParamCanonical(params))
	fmt.Println(signing.KeyParamMD5(params, "your_secret_key"))
	// Output:
	// amount=100.00&appid=cgpay&desc=游戏充值&notify_url=https://merchant.com/notify&orderid=ORDER_20231201001
	// f7fe46f46c751a96302a3e8194565bef
}

// Verifying a CaiPay callback: read the body's fields, sign them (signKey itself is skipped),
// and compare in constant time.
func ExampleFields() {
	body := []byte(`{
		"customerOrderNo": "TEST98989898",
		"description": "No data",
		"orderAmount": "10",
		"orderStatus": "SUCCESS",
		"payUtrNo": "1111111111111",
		"platOrderNo": "1111111111111111",
		"orderMessage": "SUCCESS",
		"token": "4f44347e81987f3325ef8c0f3df366b7b1f365883929127a9e207ba0bc94a46f3e5d9f2d71870a1d0050f43f1806126f",
		"signKey": "30983d0f0298e1b0fb78ccc1e8b98132"
	}`)
	fields, err := signing.Fields(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	const secret = "76b570d3acb79ef559983839b25614ac"
	fmt.Println(signing.Equal(fields["signKey"], signing.ValuesMD5(fields, secret)))
	fmt.Println(signing.Equal(fields["signKey"], signing.ValuesMD5(fields, "another secret")))
	fmt.Println(fields["orderStatus"], fields["orderAmount"])
	// Output:
	// true
	// false
	// SUCCESS 10
}
