package deekpay_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/deekpay"
	"github.com/paygate-go/paygate/sandbox"
)

// A pay-out against the in-process DeekPay sandbox: create it, let the sandbox settle it,
// and query where it stands.
func ExampleClient_PayOut() {
	cfg := paygate.Config{Provider: "deekpay", APIKey: "pFqV75X3", Secret: "example-secret"}
	sb, err := sandbox.New("deekpay", cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()

	c, err := deekpay.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	res, err := c.PayOut(ctx, &paygate.PayOutRequest{
		OrderID: "PO-20250101-0001",
		Amount:  paygate.MustParseMoney("1500.50", paygate.INR),
		Beneficiary: paygate.Beneficiary{Name: "Asha Rao", AccountNumber: "123456789012",
			IFSC: "SBIN0001234", BankName: "State Bank of India"},
		Remark: "refund",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.OrderID, res.Status, res.RawStatus, res.Amount)

	// No notify URL was given: the order moves, and Settle says no callback was sent.
	if err := sb.Settle(res.OrderID, paygate.StatusSucceeded); err != nil && !errors.Is(err, sandbox.ErrNoNotifyURL) {
		log.Fatal(err)
	}
	o, err := c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: res.OrderID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.Status, o.RawStatus, o.Amount, "fee", o.Fee)
	// Output:
	// PO-20250101-0001 pending 1 1500.50 INR
	// succeeded 8 Success 1500.50 INR fee 10.00 INR
}

// The headers of a signed request, for comparing with DeekPay's SignUtil page.
func ExampleHeaders() {
	h := deekpay.Headers(map[string]string{"bankName": ""}, "pFqV75X3", "deekpay-test-secret",
		"1679724896223", "794c26b0-d33c-4394-b2bb-c485eca16d9e")
	fmt.Println(h.Get("sign"))
	// Output: SBNlNcC1vjmTYawTxbyTTNH3EWo=
}
