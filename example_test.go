package paygate_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/paygate-go/paygate"
)

func ExampleParseMoney() {
	m, err := paygate.ParseMoney("40.2", paygate.INR)
	if err != nil {
		fmt.Println(err)
		return
	}
	fixed, _ := m.Format(paygate.Fixed2)
	trimmed, _ := m.Format(paygate.Trimmed)
	_, err = m.Format(paygate.Whole)
	fmt.Println(m)
	fmt.Println(fixed)
	fmt.Println(trimmed)
	fmt.Println(err)

	_, err = paygate.ParseMoney("1e3", paygate.INR)
	fmt.Println(errors.Is(err, paygate.ErrBadAmount))
	// Output:
	// 40.20 INR
	// 40.20
	// 40.2
	// paygate: amount 40.2 has more than 0 decimal places
	// true
}

func ExampleMoney_UnmarshalJSON() {
	// A Cashy webhook sends amounts as JSON numbers; they decode exactly, never via float64.
	var cb struct {
		Amount paygate.Money `json:"amount"`
		Fee    paygate.Money `json:"fee"`
	}
	body := `{"amount":20000.00,"fee":2500.0000}`
	if err := json.Unmarshal([]byte(body), &cb); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cb.Amount, cb.Fee)

	out, _ := json.Marshal(paygate.MustParseMoney("100.50", paygate.INR))
	fmt.Println(string(out))
	// Output:
	// 20000.00 2500.00
	// {"amount":"100.50","currency":"INR"}
}

func ExampleValidationError() {
	var err error = &paygate.ValidationError{
		Provider: "cashgit", Op: "payin", Field: "Amount", Reason: "5 is below the minimum of 10 INR",
	}
	err = fmt.Errorf("checkout: %w", err)

	fmt.Println(errors.Is(err, paygate.ErrInvalidRequest))
	var ve *paygate.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field)
	}
	fmt.Println(err)
	// Output:
	// true
	// Amount
	// checkout: paygate: cashgit payin: invalid request: Amount: 5 is below the minimum of 10 INR
}

func ExampleConfig_String() {
	cfg := paygate.Config{
		Provider:   "cashgit",
		MerchantID: "cgpay",
		Secret:     "your_secret_key",
		Timeout:    30 * time.Second,
		Options:    map[string]string{"previous_secrets": "old_key", "sign_style": "append"},
	}
	fmt.Println(cfg)
	// Output:
	// paygate.Config{Provider:cashgit BaseURL: MerchantID:cgpay APIKey: Secret:[REDACTED] Timeout:30s Options:map[previous_secrets:[REDACTED] sign_style:append]}
}
