package paygate_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/providers"
	"github.com/paygate-go/paygate/sandbox"
)

// payOut sends money to a bank account and says what happened. The README's pay-out snippet
// is this function.
func payOut(ctx context.Context, gw paygate.Gateway, orderID string, amount paygate.Money) error {
	res, err := gw.PayOut(ctx, &paygate.PayOutRequest{
		OrderID: orderID,
		Amount:  amount,
		Beneficiary: paygate.Beneficiary{
			Name: "A Kumar", AccountNumber: "1234567890", IFSC: "HDFC0000001", Phone: "9876543210",
		},
		NotifyURL: "https://merchant.example/callbacks/cashgit",
	})
	if errors.Is(err, paygate.ErrOutcomeUnknown) {
		// The money may be on its way: ask before sending anything again.
		o, qerr := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: orderID})
		if qerr != nil {
			return fmt.Errorf("pay-out %s unknown, query failed too (try later): %w", orderID, qerr)
		}
		fmt.Println("after query:", o.Status)
		return nil
	}
	if err != nil {
		return err // see the error table: *ValidationError, *ProviderError, *NotSentError…
	}
	// Processing until the provider's callback (or a later Query) says succeeded or failed.
	fmt.Println(res.OrderID, res.Status, res.Amount, "fee", res.Fee)
	return nil
}

// Example_payOut sends a pay-out through the CashGit sandbox, then one that validation refuses.
func Example_payOut() {
	ctx := context.Background()
	cfg := paygate.Config{Provider: "cashgit", MerchantID: "cgpay", Secret: "sandbox-secret",
		Options: map[string]string{"rate_limit": "0"}}
	sb, err := sandbox.New("cashgit", cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := paygate.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}

	if err := payOut(ctx, gw, "PO_20261125001", paygate.MustParseMoney("500", paygate.INR)); err != nil {
		fmt.Println(err)
	}
	err = payOut(ctx, gw, "PO_1", paygate.MustParseMoney("5", paygate.INR))
	fmt.Println(err)
	// Output:
	// PO_20261125001 processing 500.00 INR fee 10.00 INR
	// paygate: cashgit payout: invalid request: OrderID: must be 6 to 32 characters, got 4; Amount: 5 is below the minimum of 10 INR
}
