package cashy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
)

// Limits of Cashy's documentation: one order is 100.00 to 50000.00 PKR; text fields are string(32),
// notifyUrl string(250).
var amountLimits = check.NewLimits("100", "50000")

const (
	maxText      = 32
	maxNotifyURL = 250
)

// DefaultExpiry is expireTime when PayInRequest.ExpiresIn is zero (Cashy's default: 3600
// seconds).
const DefaultExpiry = time.Hour

// Remarks sent when Remark is empty: remark is required (Y) by Cashy but means nothing to it.
const (
	DefaultPayInRemark  = "payin"  // PayInRequest.Remark when empty
	DefaultPayOutRemark = "payout" // PayOutRequest.Remark when empty
)

// orderData is what every order answer carries: the merchant, both order numbers, the amount
// and the status.
type orderData struct {
	MerchantID  wire.Text   `json:"merchantId"`
	MchOrderNo  string      `json:"mchOrderNo"`
	OrderNo     string      `json:"orderNo"`
	Amount      wire.Amount `json:"amount"`
	OrderStatus string      `json:"orderStatus"`
}

// Answer: merchantId, when Cashy sends it, must be this merchant (as for webhooks).
func (d *orderData) Answer() engine.Answer {
	return engine.Answer{OrderID: d.MchOrderNo, ProviderOrderID: d.OrderNo, Amount: d.Amount, Merchant: d.MerchantID.String()}
}

// payDesk is where a pay-in is paid.
type payDesk struct {
	PayCode    string `json:"payCode"`
	PayURL     string `json:"payUrl"`
	PayDeskURL string `json:"payDeskUrl"`
}

// payInData is data of POST /api/payIn.
type payInData struct {
	orderData
	payDesk
	OrderFee wire.Amount `json:"orderFee"`
}

// payOutData is data of POST /api/payOut.
type payOutData struct {
	orderData
	Fee wire.Amount `json:"fee"`
}

// queryPaths are the queries, by kind.
var queryPaths = map[paygate.Kind]string{paygate.KindPayIn: "/api/payInQuery", paygate.KindPayOut: "/api/payOutQuery"}

// queryData is data of POST /api/payInQuery and /api/payOutQuery.
type queryData struct {
	orderData
	payDesk
	ChannelOrderNo string      `json:"channelOrderNo"`
	PayType        wire.Text   `json:"payType"`
	Fee            wire.Amount `json:"fee"`
	CompletionTime string      `json:"completionTime"`
	AccountName    string      `json:"accountName"`
	AccountNo      string      `json:"accountNo"`
}

// balanceData is data of POST /api/getBalance.
type balanceData struct {
	Balance   wire.Amount `json:"balance"`
	UnBalance wire.Amount `json:"unBalance"`
}

func orderID(id string) error {
	return check.First(check.Required("OrderID", id), check.MaxLength("OrderID", id, maxText))
}

func notifyURL(u string) error {
	return check.First(check.Required("NotifyURL", u), check.URL("NotifyURL", u),
		check.MaxLength("NotifyURL", u, maxNotifyURL))
}

// text checks a required string(32) field.
func text(field, v string) error {
	return check.First(check.Required(field, v), check.MaxLength(field, v, maxText))
}

// PayIn creates a collection order (POST /api/payIn) and returns the pay desk URL and the
// payment code. Every field Cashy marks Y (required) is required: Customer.Name (realName),
// Customer.Phone, Customer.Email, Customer.IDNumber (idCard) and NotifyURL; Customer.IDType
// (idType) is optional. Channel is the payType (default 36 or Options["pay_type"]).
// ReturnURL and Customer.IP have no Cashy field and are not sent.
func (c *Client) PayIn(ctx context.Context, req *paygate.PayInRequest) (result *paygate.PayInResult, opErr error) {
	ctx, op := c.Begin(ctx, "payin")
	defer op.End(&opErr)
	body, err := c.payInBody(req)
	if err != nil {
		return nil, err
	}
	sent := c.Now()
	var d payInData
	resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: "/api/payIn",
		Create: &engine.Order{ID: req.OrderID, Kind: paygate.KindPayIn, Amount: req.Amount}}, body, &d)
	if err != nil {
		return nil, err
	}
	res := &paygate.PayInResult{
		Provider: Name, OrderID: req.OrderID, ProviderOrderID: d.OrderNo,
		// A new pay-in is PAYING until paid; the answer carries no status.
		Status: paygate.StatusPending, RawStatus: d.OrderStatus,
		Amount:     resp.Amount(),
		PaymentURL: cmp.Or(d.PayDeskURL, d.PayURL), PayCode: d.PayCode,
		ExpiresAt: sent.Add(cmp.Or(req.ExpiresIn, DefaultExpiry)), Raw: resp.Raw(),
	}
	if d.OrderStatus != "" {
		res.Status = MapPayInStatus(d.OrderStatus)
	}
	return res, nil
}

func (c *Client) payInBody(req *paygate.PayInRequest) (map[string]any, error) {
	if req == nil {
		return nil, paygate.Invalid("PayInRequest", "is nil")
	}
	if req.Direct {
		return nil, c.Unsupported("payin", "Cashy has no direct (host-to-host) pay-in, only its hosted cashier")
	}
	cu := req.Customer
	amount, err := check.Amount("Amount", req.Amount, paygate.PKR, paygate.Fixed2, amountLimits)
	remark := cmp.Or(req.Remark, DefaultPayInRemark)
	if err := check.First(orderID(req.OrderID), err,
		text("Customer.Name", cu.Name), text("Customer.Phone", cu.Phone),
		text("Customer.Email", cu.Email), text("Customer.IDNumber", cu.IDNumber),
		check.MaxLength("Customer.IDType", cu.IDType, maxText),
		notifyURL(req.NotifyURL), check.MaxLength("Remark", remark, maxText)); err != nil {
		return nil, err
	}
	payType := c.payType
	if req.Channel != "" {
		if payType, err = parsePayType(req.Channel); err != nil {
			return nil, paygate.Invalid("Channel", "payType %q must be a positive integer", req.Channel)
		}
	}
	ttl := cmp.Or(req.ExpiresIn, DefaultExpiry)
	if ttl < time.Second || ttl%time.Second != 0 {
		return nil, paygate.Invalid("ExpiresIn", "must be a whole number of seconds, at least 1s, got %s", req.ExpiresIn)
	}
	nonce, err := c.nonceStr()
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"currency":       string(paygate.PKR),
		"payType":        payType, // a JSON number: Cashy types it int
		"amount":         amount,  // a JSON string "100.00", as Cashy's example sends it
		"reusableStatus": false,   // "Currently it can only be false"
		"mchOrderNo":     req.OrderID,
		"expireTime":     int64(ttl / time.Second),
		"notifyUrl":      req.NotifyURL,
		"nonceStr":       nonce,
		"remark":         remark,
		"realName":       cu.Name,
		"phone":          cu.Phone,
		"email":          cu.Email,
		"idCard":         cu.IDNumber,
	}
	if cu.IDType != "" {
		body["idType"] = cu.IDType
	}
	return body, check.Extra(body, req.Extra)
}

// PayOut creates a disbursement (POST /api/payOut, from Cashy's public documentation at
// docs.cashypro.com): accountName is Beneficiary.Name, accountNo Beneficiary.AccountNumber,
// accountType Beneficiary.AccountType (e.g. EASYPAISA), bankId Beneficiary.BankCode; all four
// and NotifyURL are required. Channel has no Cashy field and is not sent.
func (c *Client) PayOut(ctx context.Context, req *paygate.PayOutRequest) (result *paygate.PayOutResult, opErr error) {
	ctx, op := c.Begin(ctx, "payout")
	defer op.End(&opErr)
	body, err := c.payOutBody(req)
	if err != nil {
		return nil, err
	}
	var d payOutData
	resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: "/api/payOut",
		Create: &engine.Order{ID: req.OrderID, Kind: paygate.KindPayOut, Amount: req.Amount}}, body, &d)
	if err != nil {
		return nil, err
	}
	res := &paygate.PayOutResult{
		Provider: Name, OrderID: req.OrderID, ProviderOrderID: d.OrderNo,
		// An accepted pay-out is being processed until its callback says otherwise.
		Status: paygate.StatusProcessing, RawStatus: d.OrderStatus,
		Amount: resp.Amount(), Fee: d.Fee.Money(paygate.PKR), // zero when the answer gives none
		Raw: resp.Raw(),
	}
	if d.OrderStatus != "" {
		res.Status = MapPayOutStatus(d.OrderStatus)
	}
	return res, nil
}

func (c *Client) payOutBody(req *paygate.PayOutRequest) (map[string]any, error) {
	if req == nil {
		return nil, paygate.Invalid("PayOutRequest", "is nil")
	}
	b := req.Beneficiary
	amount, err := check.Amount("Amount", req.Amount, paygate.PKR, paygate.Fixed2, amountLimits)
	remark := cmp.Or(req.Remark, DefaultPayOutRemark)
	if err := check.First(orderID(req.OrderID), err,
		check.Required("Beneficiary.Name", b.Name),
		check.Required("Beneficiary.AccountNumber", b.AccountNumber),
		check.Required("Beneficiary.AccountType", b.AccountType),
		check.Required("Beneficiary.BankCode", b.BankCode),
		notifyURL(req.NotifyURL), check.MaxLength("Remark", remark, maxText)); err != nil {
		return nil, err
	}
	nonce, err := c.nonceStr()
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"accountName": b.Name,
		"accountNo":   b.AccountNumber,
		"accountType": b.AccountType,
		"currency":    string(paygate.PKR),
		"amount":      amount,
		"bankId":      b.BankCode, // sent as given, as a string: leading zeros survive
		"mchOrderNo":  req.OrderID,
		"notifyUrl":   req.NotifyURL,
		"nonceStr":    nonce,
		"remark":      remark,
	}
	return body, check.Extra(body, req.Extra)
}

// Query asks where an order stands (POST /api/payInQuery or /api/payOutQuery) by mchOrderNo,
// orderNo or both, as given; an answer that does not name the order asked for, or names
// another merchantId, is malformed. UTR is the channel's reference (channelOrderNo) when Cashy gives
// one; CompletedAt is completionTime read in Pakistan time (UTC+5).
func (c *Client) Query(ctx context.Context, req *paygate.QueryRequest) (result *paygate.Order, opErr error) {
	ctx, op := c.Begin(ctx, "query")
	defer op.End(&opErr)
	if err := check.Query(req); err != nil {
		return nil, err
	}
	if err := check.First(check.MaxLength("OrderID", req.OrderID, maxText),
		check.MaxLength("ProviderOrderID", req.ProviderOrderID, maxText)); err != nil {
		return nil, err
	}
	nonce, err := c.nonceStr()
	if err != nil {
		return nil, err
	}
	body := map[string]any{"nonceStr": nonce}
	if req.OrderID != "" {
		body["mchOrderNo"] = req.OrderID
	}
	if req.ProviderOrderID != "" {
		body["orderNo"] = req.ProviderOrderID
	}
	var d queryData
	resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: queryPaths[req.Kind], Asked: req}, body, &d)
	if err != nil {
		return nil, err
	}
	completed, err := parseTime(strings.TrimSpace(d.CompletionTime))
	if err != nil {
		return nil, resp.Malformed(fmt.Errorf("completionTime: %w", err))
	}
	o := &paygate.Order{
		Provider: Name, Kind: req.Kind, OrderID: cmp.Or(d.MchOrderNo, req.OrderID), ProviderOrderID: cmp.Or(d.OrderNo, req.ProviderOrderID),
		Status: MapStatus(req.Kind, d.OrderStatus), RawStatus: d.OrderStatus,
		Amount: d.Amount.Money(paygate.PKR), Fee: d.Fee.Money(paygate.PKR),
		UTR: d.ChannelOrderNo, CompletedAt: completed, Raw: resp.Raw(),
	}
	if o.Status == paygate.StatusSucceeded {
		o.ActualAmount = o.Amount
	}
	return o, nil
}

// Balance reads the merchant's balance (POST /api/getBalance): Available is balance, Pending
// is unBalance (not yet settled); Cashy reports nothing frozen.
func (c *Client) Balance(ctx context.Context) (result *paygate.Balance, opErr error) {
	ctx, op := c.Begin(ctx, "balance")
	defer op.End(&opErr)
	nonce, err := c.nonceStr()
	if err != nil {
		return nil, err
	}
	var d balanceData
	resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: "/api/getBalance"}, map[string]any{"nonceStr": nonce}, &d)
	if err != nil {
		return nil, err
	}
	if !d.Balance.Set {
		return nil, resp.Malformed(errors.New("data without balance"))
	}
	return &paygate.Balance{
		Available: d.Balance.Money(paygate.PKR), Pending: d.UnBalance.Money(paygate.PKR),
		Frozen: paygate.NewMoney(decimal.Zero, paygate.PKR), Raw: resp.Raw(),
	}, nil
}
