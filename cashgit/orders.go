package cashgit

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
)

// Limits of CashGit's API document: one order is 10 to 50000 INR; order numbers are 6 to 32 characters.
var amountLimits = check.NewLimits("10", "50000")

const (
	minOrderID = 6
	maxOrderID = 32
)

// orderData is what every order answer carries: both order numbers, the amount and the status.
type orderData struct {
	OrderID         string      `json:"orderid"`
	PlatformOrderID string      `json:"platform_orderid"`
	Amount          wire.Amount `json:"amount"`
	Status          string      `json:"status"`
}

func (d *orderData) Answer() engine.Answer {
	return engine.Answer{OrderID: d.OrderID, ProviderOrderID: d.PlatformOrderID, Amount: d.Amount}
}

// payInData is data of POST /api/pay.
type payInData struct {
	orderData
	PayURL    string `json:"payurl"`
	QRCode    string `json:"qrcode"`
	ExpiresAt string `json:"expires_at"`
}

// settled is when an order was made and what became of it.
type settled struct {
	UTR       string      `json:"utr"`
	Desc      string      `json:"desc"`
	CreatedAt wire.Millis `json:"created_at"`
}

// payOutData is data of POST /api/payout/create and /api/payout/query.
type payOutData struct {
	orderData
	settled
	Fee           wire.Amount `json:"fee"`
	ActualAmount  wire.Amount `json:"actual_amount"`
	AccountName   string      `json:"account_name"`
	AccountNumber string      `json:"account_number"`
	IFSC          string      `json:"ifsc"`
	CompletedAt   wire.Millis `json:"completed_at"`
}

// queryData is data of POST /api/query.
type queryData struct {
	orderData
	settled
	PayType   string      `json:"pay_type"`
	PayTime   wire.Millis `json:"paytime"`
	UpdatedAt wire.Millis `json:"updated_at"`
}

// balanceData is data of POST /api/balance/query.
type balanceData struct {
	Balance          wire.Amount `json:"balance"`
	FrozenBalance    wire.Amount `json:"frozen_balance"`
	AvailableBalance wire.Amount `json:"available_balance"`
	Currency         string      `json:"currency"`
	UpdatedAt        wire.Millis `json:"updated_at"`
}

func orderID(id string) error {
	return check.First(check.Required("OrderID", id), check.Length("OrderID", id, minOrderID, maxOrderID), check.OneMember("OrderID", id))
}

// PayIn creates a collection order (POST /api/pay): pay_id 1 (hosted page) or, when
// req.Direct, 2 (UPI intent, which requires Customer.Phone).
func (c *Client) PayIn(ctx context.Context, req *paygate.PayInRequest) (result *paygate.PayInResult, opErr error) {
	ctx, op := c.Begin(ctx, "payin")
	defer op.End(&opErr)
	fields, err := payInFields(req)
	if err != nil {
		return nil, err
	}
	var d payInData
	resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: "/api/pay",
		Create: &engine.Order{ID: req.OrderID, Kind: paygate.KindPayIn, Amount: req.Amount}}, fields, &d)
	if err != nil {
		return nil, err
	}
	if d.PayURL == "" {
		return nil, resp.Malformed(errors.New("pay-in success without payurl"))
	}
	res := &paygate.PayInResult{
		Provider: Name, OrderID: req.OrderID, ProviderOrderID: d.PlatformOrderID,
		Status: MapStatus(d.Status), RawStatus: d.Status,
		Amount: resp.Amount(), PaymentURL: d.PayURL, QRCode: d.QRCode,
		Raw: resp.Raw(),
	}
	if req.Direct {
		res.UPIURL = d.PayURL
	}
	// CashGit writes +05:30: parsed in IST, that offset reuses the zone instead of making one.
	if t, err := time.ParseInLocation(time.RFC3339, d.ExpiresAt, wire.IST); err == nil {
		res.ExpiresAt = t
	}
	return res, nil
}

func payInFields(req *paygate.PayInRequest) (map[string]string, error) {
	if req == nil {
		return nil, paygate.Invalid("PayInRequest", "is nil")
	}
	amount, err := check.Amount("Amount", req.Amount, paygate.INR, paygate.Fixed2, amountLimits)
	if err := check.First(orderID(req.OrderID), err,
		check.URL("NotifyURL", req.NotifyURL), check.URL("ReturnURL", req.ReturnURL)); err != nil {
		return nil, err
	}
	fields := map[string]string{"orderid": req.OrderID, "amount": amount, "pay_id": "1"}
	if req.Direct {
		if err := check.Required("Customer.Phone", req.Customer.Phone); err != nil {
			return nil, paygate.Invalid("Customer.Phone", "is required for a direct (UPI intent) pay-in")
		}
		fields["pay_id"] = "2"
	}
	wire.Put(fields, "customer_phone", req.Customer.Phone)
	wire.Put(fields, "desc", req.Remark)
	wire.Put(fields, "notify_url", req.NotifyURL)
	wire.Put(fields, "return_url", req.ReturnURL)
	return fields, check.Extra(fields, req.Extra, "sign", "appid")
}

// PayOut creates a disbursement (POST /api/payout/create). Beneficiary Name, AccountNumber,
// IFSC (11 characters) and Phone are required.
func (c *Client) PayOut(ctx context.Context, req *paygate.PayOutRequest) (result *paygate.PayOutResult, opErr error) {
	ctx, op := c.Begin(ctx, "payout")
	defer op.End(&opErr)
	fields, err := payOutFields(req)
	if err != nil {
		return nil, err
	}
	var d payOutData
	resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: "/api/payout/create",
		Create: &engine.Order{ID: req.OrderID, Kind: paygate.KindPayOut, Amount: req.Amount}}, fields, &d)
	if err != nil {
		return nil, err
	}
	return &paygate.PayOutResult{
		Provider: Name, OrderID: req.OrderID, ProviderOrderID: d.PlatformOrderID,
		Status: MapStatus(d.Status), RawStatus: d.Status,
		Amount: resp.Amount(), Fee: d.Fee.Money(paygate.INR), Raw: resp.Raw(),
	}, nil
}

func payOutFields(req *paygate.PayOutRequest) (map[string]string, error) {
	if req == nil {
		return nil, paygate.Invalid("PayOutRequest", "is nil")
	}
	b := req.Beneficiary
	amount, err := check.Amount("Amount", req.Amount, paygate.INR, paygate.Fixed2, amountLimits)
	if err := check.First(orderID(req.OrderID), err,
		check.Required("Beneficiary.Name", b.Name),
		check.Required("Beneficiary.AccountNumber", b.AccountNumber),
		check.IFSC("Beneficiary.IFSC", b.IFSC),
		check.Required("Beneficiary.Phone", b.Phone),
		check.URL("NotifyURL", req.NotifyURL)); err != nil {
		return nil, err
	}
	fields := map[string]string{
		"orderid": req.OrderID, "amount": amount, "account_name": b.Name,
		"account_number": b.AccountNumber, "ifsc": b.IFSC, "mobile": b.Phone,
	}
	wire.Put(fields, "email", b.Email)
	wire.Put(fields, "notify_url", req.NotifyURL)
	wire.Put(fields, "desc", req.Remark)
	return fields, check.Extra(fields, req.Extra, "sign", "appid")
}

// Query asks for an order by merchant order number (POST /api/query for pay-ins,
// /api/payout/query for pay-outs). CashGit looks orders up by OrderID only; an answer naming
// another platform_orderid than a ProviderOrderID given is malformed.
func (c *Client) Query(ctx context.Context, req *paygate.QueryRequest) (result *paygate.Order, opErr error) {
	ctx, op := c.Begin(ctx, "query")
	defer op.End(&opErr)
	if err := check.QueryByOrderID(req); err != nil {
		return nil, err
	}
	fields := map[string]string{"orderid": req.OrderID}
	asked := req // looked up by OrderID; the answer is held to ProviderOrderID too, when given
	if req.Kind == paygate.KindPayOut {
		var d payOutData
		resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: "/api/payout/query", Asked: asked}, fields, &d)
		if err != nil {
			return nil, err
		}
		return &paygate.Order{
			Provider: Name, Kind: paygate.KindPayOut, OrderID: d.OrderID, ProviderOrderID: d.PlatformOrderID,
			Status: MapStatus(d.Status), RawStatus: d.Status,
			Amount: d.Amount.Money(paygate.INR), ActualAmount: d.ActualAmount.Money(paygate.INR),
			Fee: d.Fee.Money(paygate.INR), UTR: d.UTR, CompletedAt: d.CompletedAt.Time, Raw: resp.Raw(),
		}, nil
	}
	var d queryData
	resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: "/api/query", Asked: asked}, fields, &d)
	if err != nil {
		return nil, err
	}
	o := &paygate.Order{
		Provider: Name, Kind: paygate.KindPayIn, OrderID: d.OrderID, ProviderOrderID: d.PlatformOrderID,
		Status: MapStatus(d.Status), RawStatus: d.Status,
		Amount: d.Amount.Money(paygate.INR), UTR: d.UTR, CompletedAt: d.PayTime.Time, Raw: resp.Raw(),
	}
	if o.Status == paygate.StatusSucceeded {
		o.ActualAmount = o.Amount
	}
	return o, nil
}

// Balance reads the merchant's balance (POST /api/balance/query): Available is
// available_balance, Frozen is frozen_balance; CashGit reports nothing pending.
func (c *Client) Balance(ctx context.Context) (result *paygate.Balance, opErr error) {
	ctx, op := c.Begin(ctx, "balance")
	defer op.End(&opErr)
	var d balanceData
	resp, err := c.call(ctx, engine.Call{Op: "balance", Path: "/api/balance/query"}, map[string]string{}, &d)
	if err != nil {
		return nil, err
	}
	if !d.AvailableBalance.Set {
		return nil, resp.Malformed(errors.New("data without available_balance"))
	}
	cur := paygate.INR
	if d.Currency != "" {
		cur = paygate.Currency(d.Currency)
	}
	return &paygate.Balance{
		Available: d.AvailableBalance.Money(cur), Frozen: d.FrozenBalance.Money(cur),
		Pending: paygate.NewMoney(decimal.Zero, cur), Raw: resp.Raw(),
	}, nil
}
