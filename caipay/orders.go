package caipay

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
)

// noUTR is what CaiPay writes for a UTR it does not have (searches and callbacks).
const noUTR = "None"

// createData is data of POST payOut, and what the pay-in answers add to. orderAmount is a
// string in the hosted pay-in answer and a number in the H2H one: wire.Amount takes both.
type createData struct {
	OrderStatus     string      `json:"orderStatus"`
	CustomerOrderNo string      `json:"customerOrderNo"`
	PlatOrderNo     wire.Text   `json:"platOrderNo"`
	OrderAmount     wire.Amount `json:"orderAmount"`
}

func (d *createData) Answer() engine.Answer {
	return engine.Answer{OrderID: d.CustomerOrderNo, ProviderOrderID: d.PlatOrderNo.String(), Amount: d.OrderAmount}
}

// payInData is data of GET payIn and payIn-H2H.
type payInData struct {
	createData
	URL        string `json:"url"`        // hosted
	UPI        string `json:"upi"`        // H2H
	Paytm      string `json:"paytm"`      // H2H
	ExpireTime string `json:"expireTime"` // H2H, "2006-01-02 15:04:05" in IST
}

// searchPaths are the searches, by kind.
var searchPaths = map[paygate.Kind]string{paygate.KindPayIn: PathSearchPayIn, paygate.KindPayOut: PathSearchPayOut}

// searchData is data of GET searchPayInResult and searchPayOutResult.
type searchData struct {
	TenantID        wire.Text   `json:"tenantId"`
	CustomerOrderNo string      `json:"customerOrderNo"`
	Amount          wire.Amount `json:"amount"`
	ActualAmount    wire.Amount `json:"actualAmount"`
	Status          string      `json:"status"`
	UTR             string      `json:"utr"`
}

// Answer: the search names our order and the tenant, not CaiPay's order number.
func (d *searchData) Answer() engine.Answer {
	return engine.Answer{OrderID: d.CustomerOrderNo, Merchant: d.TenantID.String()}
}

// PayIn creates a collection order: GET /api/cai/out/v1/payIn (a hosted page, PaymentURL from
// data.url) or, when req.Direct, GET /api/cai/out/v1/payIn-H2H (UPIURL from data.upi, ExpiresAt
// from expireTime in IST; the Paytm intent is read with PaytmURL). Amount, OrderID, NotifyURL
// and Customer Name, Email and Phone are required, as CaiPay's API document requires every
// parameter.
func (c *Client) PayIn(ctx context.Context, req *paygate.PayInRequest) (result *paygate.PayInResult, opErr error) {
	ctx, op := c.Begin(ctx, "payin")
	defer op.End(&opErr)
	fields, err := payInFields(req)
	if err != nil {
		return nil, err
	}
	path := PathPayIn
	if req.Direct {
		path = PathPayInH2H
	}
	var d payInData
	resp, err := c.do(ctx, call{op: op.Name, method: http.MethodGet, path: path, fields: fields,
		create: &engine.Order{ID: req.OrderID, Kind: paygate.KindPayIn, Amount: req.Amount}}, &d)
	if err != nil {
		return nil, err
	}
	if err := d.check(req); err != nil {
		return nil, resp.Malformed(err)
	}
	res := &paygate.PayInResult{
		Provider: Name, OrderID: req.OrderID, ProviderOrderID: d.PlatOrderNo.String(),
		Status: MapStatus(d.OrderStatus), RawStatus: d.OrderStatus,
		Amount: resp.Amount(), PaymentURL: d.URL, UPIURL: d.UPI, Raw: resp.Raw(),
	}
	// An unreadable expireTime leaves ExpiresAt zero: the order exists either way, and Raw
	// keeps the text.
	if t, err := wire.ParseLocal(d.ExpireTime, wire.IST); err == nil {
		res.ExpiresAt = t
	}
	return res, nil
}

// check refuses a success that gives nothing to pay with.
func (d *payInData) check(req *paygate.PayInRequest) error {
	switch {
	case req.Direct && d.UPI == "" && d.Paytm == "":
		return errors.New("H2H success without upi or paytm")
	case !req.Direct && d.URL == "":
		return errors.New("success without url")
	}
	return nil
}

func payInFields(req *paygate.PayInRequest) (map[string]string, error) {
	if req == nil {
		return nil, paygate.Invalid("PayInRequest", "is nil")
	}
	amount, err := check.Amount("Amount", req.Amount, paygate.INR, paygate.Fixed2, check.Limits{})
	if err := check.First(check.Required("OrderID", req.OrderID), err,
		check.Required("NotifyURL", req.NotifyURL), check.URL("NotifyURL", req.NotifyURL),
		check.Required("Customer.Name", req.Customer.Name),
		check.Required("Customer.Email", req.Customer.Email),
		check.Required("Customer.Phone", req.Customer.Phone)); err != nil {
		return nil, err
	}
	fields := map[string]string{
		"amount": amount, "customerOrderNo": req.OrderID, "callbackUrl": req.NotifyURL,
		"rechargeName": req.Customer.Name, "rechargeEmail": req.Customer.Email, "rechargePhone": req.Customer.Phone,
	}
	return fields, check.Extra(fields, req.Extra, signField, "token", "tenantId")
}

// PaytmURL returns the Paytm intent (data.paytm) of an H2H pay-in result, or "" when the
// result has none. PayInResult has no field for it, so it is read from the result's Raw body.
func PaytmURL(res *paygate.PayInResult) string {
	if res == nil {
		return ""
	}
	var env struct {
		Data struct {
			Paytm string `json:"paytm"`
		} `json:"data"`
	}
	if json.Unmarshal(res.Raw, &env) != nil {
		return ""
	}
	return env.Data.Paytm
}

// PayOut creates a disbursement: POST /api/cai/out/v1/payOut, JSON. Beneficiary Name,
// AccountNumber, IFSC, Email and Phone and NotifyURL are required. customerOrderNo is sent
// although CaiPay's field list omits it: the answer and the pay-out search need it.
func (c *Client) PayOut(ctx context.Context, req *paygate.PayOutRequest) (result *paygate.PayOutResult, opErr error) {
	ctx, op := c.Begin(ctx, "payout")
	defer op.End(&opErr)
	fields, err := payOutFields(req)
	if err != nil {
		return nil, err
	}
	var d createData
	resp, err := c.do(ctx, call{op: op.Name, method: http.MethodPost, path: PathPayOut, fields: fields,
		create: &engine.Order{ID: req.OrderID, Kind: paygate.KindPayOut, Amount: req.Amount}}, &d)
	if err != nil {
		return nil, err
	}
	return &paygate.PayOutResult{
		Provider: Name, OrderID: req.OrderID, ProviderOrderID: d.PlatOrderNo.String(),
		Status: MapStatus(d.OrderStatus), RawStatus: d.OrderStatus, Amount: resp.Amount(), Raw: resp.Raw(),
	}, nil
}

func payOutFields(req *paygate.PayOutRequest) (map[string]string, error) {
	if req == nil {
		return nil, paygate.Invalid("PayOutRequest", "is nil")
	}
	b := req.Beneficiary
	amount, err := check.Amount("Amount", req.Amount, paygate.INR, paygate.Fixed2, check.Limits{})
	if err := check.First(check.Required("OrderID", req.OrderID), err,
		check.Required("Beneficiary.Name", b.Name),
		check.Required("Beneficiary.AccountNumber", b.AccountNumber),
		check.IFSC("Beneficiary.IFSC", b.IFSC),
		check.Required("Beneficiary.Email", b.Email),
		check.Required("Beneficiary.Phone", b.Phone),
		check.Required("NotifyURL", req.NotifyURL), check.URL("NotifyURL", req.NotifyURL)); err != nil {
		return nil, err
	}
	fields := map[string]string{
		"customerOrderNo": req.OrderID, "orderAmount": amount, "bankAccountName": b.Name,
		"bankAccountNumber": b.AccountNumber, "payIfsc": b.IFSC, "payEmail": b.Email, "payPhone": b.Phone,
		"callbackUrl": req.NotifyURL,
	}
	return fields, check.Extra(fields, req.Extra, signField, "token", "tenantId")
}

// Query asks where an order stands: GET searchPayInResult or searchPayOutResult by
// customerOrderNo. CaiPay looks orders up by merchant order number only: an answer that does
// not name that order, or names another tenantId, is malformed. Its answer carries no
// platOrderNo, so a ProviderOrderID given is not checked and the Order carries none. utr
// "None" is an empty UTR; actualAmount fills ActualAmount.
func (c *Client) Query(ctx context.Context, req *paygate.QueryRequest) (result *paygate.Order, opErr error) {
	ctx, op := c.Begin(ctx, "query")
	defer op.End(&opErr)
	if err := check.QueryByOrderID(req); err != nil {
		return nil, err
	}
	var d searchData
	resp, err := c.do(ctx, call{op: op.Name, method: http.MethodGet, path: searchPaths[req.Kind],
		fields: map[string]string{"customerOrderNo": req.OrderID},
		asked:  req}, &d)
	if err != nil {
		return nil, err
	}
	if d.Status == "" {
		return nil, resp.Malformed(errors.New("success without status"))
	}
	o := &paygate.Order{
		Provider: Name, Kind: req.Kind, OrderID: req.OrderID, Status: MapStatus(d.Status), RawStatus: d.Status,
		Amount: d.Amount.Money(paygate.INR), ActualAmount: d.ActualAmount.Money(paygate.INR), Raw: resp.Raw(),
	}
	if d.UTR != noUTR {
		o.UTR = d.UTR
	}
	return o, nil
}

// Balance is paygate.ErrUnsupported: CaiPay's API document has no balance endpoint.
func (c *Client) Balance(ctx context.Context) (result *paygate.Balance, opErr error) {
	_, op := c.Begin(ctx, "balance")
	defer op.End(&opErr)
	return nil, c.Unsupported(op.Name, "CaiPay's API has no balance endpoint")
}
