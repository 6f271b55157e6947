package cashgit

import (
	"context"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
)

// UTRResult is CashGit's answer to a UTR submission.
type UTRResult struct {
	OrderID     string
	UTR         string
	Status      paygate.Status
	RawStatus   string
	SubmittedAt time.Time
}

// SubmitUTR asks CashGit to match a payment the customer made outside the cashier to order
// orderID (POST /api/utr/submit). utr is the bank's 12-digit reference; amount what was paid.
func (c *Client) SubmitUTR(ctx context.Context, orderID, utr string, amount paygate.Money) (result *UTRResult, opErr error) {
	ctx, op := c.Begin(ctx, "submit_utr")
	defer op.End(&opErr)
	amt, err := check.Amount("amount", amount, paygate.INR, paygate.Fixed2, check.Limits{})
	if err := check.First(check.Required("orderID", orderID), check.Digits("utr", utr, 12), err); err != nil {
		return nil, err
	}
	var d utrData
	fields := map[string]string{"orderid": orderID, "utr": utr, "amount": amt}
	_, err = c.call(ctx, engine.Call{Op: op.Name, Path: "/api/utr/submit", Asked: payIn(orderID)}, fields, &d)
	if err != nil {
		return nil, err
	}
	return &UTRResult{OrderID: d.OrderID, UTR: d.UTR, Status: MapStatus(d.Status), RawStatus: d.Status,
		SubmittedAt: d.SubmittedAt.Time}, nil
}

// utrData is data of POST /api/utr/submit.
type utrData struct {
	OrderID     string      `json:"orderid"`
	UTR         string      `json:"utr"`
	Status      string      `json:"status"`
	SubmittedAt wire.Millis `json:"submitted_at"`
}

func (d *utrData) Answer() engine.Answer { return engine.Answer{OrderID: d.OrderID} }

// payIn is the pay-in orderID, as an answer about it must name it (engine.Reply.Answers).
func payIn(orderID string) *paygate.QueryRequest {
	return &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: orderID}
}

// CloseResult is CashGit's answer to closing an order.
type CloseResult struct {
	OrderID, ProviderOrderID string
	Status                   paygate.Status
	RawStatus                string
	ClosedAt                 time.Time
}

// Close closes an unpaid pay-in order (POST /api/close).
func (c *Client) Close(ctx context.Context, orderID string) (result *CloseResult, opErr error) {
	ctx, op := c.Begin(ctx, "close")
	defer op.End(&opErr)
	if err := check.Required("orderID", orderID); err != nil {
		return nil, err
	}
	var d closeData
	_, err := c.call(ctx, engine.Call{Op: op.Name, Path: "/api/close", Asked: payIn(orderID)},
		map[string]string{"orderid": orderID}, &d)
	if err != nil {
		return nil, err
	}
	return &CloseResult{OrderID: d.OrderID, ProviderOrderID: d.PlatformOrderID, Status: MapStatus(d.Status),
		RawStatus: d.Status, ClosedAt: d.ClosedAt.Time}, nil
}

// closeData is data of POST /api/close.
type closeData struct {
	OrderID         string      `json:"orderid"`
	PlatformOrderID string      `json:"platform_orderid"`
	Status          string      `json:"status"`
	ClosedAt        wire.Millis `json:"closed_at"`
}

func (d *closeData) Answer() engine.Answer {
	return engine.Answer{OrderID: d.OrderID, ProviderOrderID: d.PlatformOrderID}
}

// UPIAccount is one of the platform's collecting UPI accounts.
type UPIAccount struct {
	ID, Name, Status string
	DailyLimit       paygate.Money
}

// upiAccount is UPIAccount as /api/upi/query writes it.
type upiAccount struct {
	ID         string      `json:"upi_id"`
	Name       string      `json:"upi_name"`
	Status     string      `json:"status"`
	DailyLimit wire.Amount `json:"daily_limit"`
}

// UPIAccounts lists the platform's UPI accounts for this merchant (POST /api/upi/query).
func (c *Client) UPIAccounts(ctx context.Context) (result []UPIAccount, opErr error) {
	ctx, op := c.Begin(ctx, "upi_accounts")
	defer op.End(&opErr)
	var d struct {
		List []upiAccount `json:"upi_list"`
	}
	if _, err := c.call(ctx, engine.Call{Op: "upi_accounts", Path: "/api/upi/query"}, map[string]string{}, &d); err != nil {
		return nil, err
	}
	out := make([]UPIAccount, len(d.List))
	for i, a := range d.List {
		out[i] = UPIAccount{ID: a.ID, Name: a.Name, Status: a.Status, DailyLimit: a.DailyLimit.Money(paygate.INR)}
	}
	return out, nil
}
