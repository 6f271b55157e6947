package cashgit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
	"github.com/paygate-go/paygate/sandbox"
)

// A hosted pay-in against the in-process sandbox: the customer is sent to PaymentURL.
func ExampleClient_PayIn() {
	cfg := paygate.Config{Provider: cashgit.Name, MerchantID: "cgpay", Secret: "your_secret_key"}
	sb, err := sandbox.New(cashgit.Name, cfg)
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL() // leave empty for https://cashgit.com, or set Options["sandbox"]="true"

	gw, err := cashgit.New(cfg)
	if err != nil {
		panic(err)
	}
	res, err := gw.PayIn(context.Background(), &paygate.PayInRequest{
		OrderID:   "ORDER_20231201001",
		Amount:    paygate.MustParseMoney("100.00", paygate.INR),
		Remark:    "游戏充值",
		NotifyURL: "https://merchant.com/notify",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.OrderID, res.Status, res.RawStatus, res.Amount)
	fmt.Println(strings.HasPrefix(res.PaymentURL, sb.URL()+"/pay/"))

	// The same order number again is CashGit's 409.
	_, err = gw.PayIn(context.Background(), &paygate.PayInRequest{
		OrderID: "ORDER_20231201001", Amount: paygate.MustParseMoney("100.00", paygate.INR)})
	var pe *paygate.ProviderError
	fmt.Println(errors.As(err, &pe), pe.Code)
	// Output:
	// ORDER_20231201001 pending pending 100.00 INR
	// true
	// true 409
}

// The merchant's notify URL handler: ParseCallback verifies the signature before anything
// else, then the handler stores the result and answers with cb.Ack ("success").
func ExampleClient_ParseCallback() {
	cfg := paygate.Config{Provider: cashgit.Name, MerchantID: "cgpay", Secret: "your_secret_key"}
	sb, err := sandbox.New(cashgit.Name, cfg)
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, err := cashgit.New(cfg)
	if err != nil {
		panic(err)
	}

	got := make(chan *paygate.Callback, 1)
	notify := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			http.Error(w, "unreadable", http.StatusBadRequest)
			return
		}
		cb, err := gw.ParseCallback(r.Header, body)
		if err != nil {
			http.Error(w, "rejected", http.StatusUnauthorized)
			return
		}
		got <- cb // store it; then acknowledge
		cb.Ack.Write(w)
	}))
	defer notify.Close()

	_, err = gw.PayIn(context.Background(), &paygate.PayInRequest{
		OrderID: "ORDER_20231201002", Amount: paygate.MustParseMoney("250.50", paygate.INR), NotifyURL: notify.URL})
	if err != nil {
		panic(err)
	}
	// The customer pays: the sandbox posts CashGit's signed callback to the notify URL.
	if err := sb.Settle("ORDER_20231201002", paygate.StatusSucceeded); err != nil {
		panic(err)
	}
	cb := <-got
	fmt.Println(cb.Kind, cb.OrderID, cb.Status, cb.RawStatus, cb.Amount)
	fmt.Println(cb.Ack.StatusCode, cb.Ack.Body, len(cb.UTR), !cb.CompletedAt.IsZero())

	// A forged callback is refused before it is read.
	_, err = gw.ParseCallback(nil, []byte(`{"orderid":"ORDER_20231201002","amount":"250.50","status":"paid","sign":"0123456789abcdef0123456789abcdef"}`))
	fmt.Println(err)
	// Output:
	// payin ORDER_20231201002 succeeded paid 250.50 INR
	// 200 success 12 true
	// paygate: cashgit callback: invalid signature: signature does not match
}
