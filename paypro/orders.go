package paypro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
)

// payInData is data of POST /v1/paypro/payin and /v1/paypro/payinApi.
type payInData struct {
	createData
	Remark      string `json:"remark"`
	PaymentLink string `json:"paymentLink"`
}

// payOutData is data of POST /v1/paypro/payout: it names our order too.
type payOutData struct {
	createData
	TradeNo string `json:"tradeNo"`
}

func (d *payOutData) Answer() engine.Answer {
	return engine.Answer{OrderID: d.TradeNo, ProviderOrderID: d.PlatFormTradeNo}
}

// createData is what both creates answer: PayPro's order number and data.status, which may
// refuse the order or leave it open under an accepted envelope. The pay-in answer names
// neither our order nor the amount.
type createData struct {
	PlatFormTradeNo string `json:"platFormTradeNo"`
	Status          string `json:"status"`
	Desc            string `json:"desc"`
}

func (d *createData) Answer() engine.Answer { return engine.Answer{ProviderOrderID: d.PlatFormTradeNo} }

// Check refuses the order when data.status is a failure, and leaves the outcome open when it
// is missing or 00032 (UNKNOWN_ERROR): PayPro itself does not know.
func (d *createData) Check(resp *engine.Reply) error {
	switch MapStatus(d.Status) {
	case paygate.StatusFailed:
		return resp.Refused(d.Status, d.Desc)
	case paygate.StatusUnknown:
		return resp.Malformed(fmt.Errorf("data.status %q says neither created nor refused", d.Status))
	}
	return nil
}

// queryPaths are the queries, by kind.
var queryPaths = map[paygate.Kind]string{paygate.KindPayIn: PathQueryPayIn, paygate.KindPayOut: PathQueryPayOut}

// queryData is data of POST /v1/paypro/queryPayInResult and /v1/paypro/queryPayOutResult.
type queryData struct {
	TradeNo         string      `json:"tradeNo"`
	PlatFormTradeNo string      `json:"platFormTradeNo"`
	Amount          wire.Amount `json:"amount"`
	Status          string      `json:"status"`
	Desc            string      `json:"desc"`
	UTR             string      `json:"utr"`
	SuccessTime     string      `json:"successTime"`
}

// Answer: PayPro is asked by tradeNo, so the answer must name it (a platFormTradeNo alone
// does not say whose order it is).
func (d *queryData) Answer() engine.Answer {
	return engine.Answer{OrderID: d.TradeNo, ProviderOrderID: d.PlatFormTradeNo}
}

// balanceData is data of POST /v1/paypro/queryBalance. Some of the platform's pages spell the
// available balance "availablAmount": both are accepted.
type balanceData struct {
	AvailableAmount wire.Amount `json:"availableAmount"`
	AvailablAmount  wire.Amount `json:"availablAmount"`
	FreezeAmount    wire.Amount `json:"freezeAmount"`
	UnsettledAmount wire.Amount `json:"unsettledAmount"`
}

// amount writes m with at most two places ("300", "300.5"). PayPro calls decimal amounts
// "not recommended", not refused: they are sent, and warnFraction logs one Warn line.
func amount(m paygate.Money) (string, error) {
	return check.Amount("Amount", m, paygate.INR, paygate.Trimmed, check.Limits{})
}

// warnFraction logs that PayPro discourages an amount with decimals.
func (c *Client) warnFraction(ctx context.Context, op string, m paygate.Money) {
	if !m.Decimal().IsInteger() {
		c.Settings.Logger.LogAttrs(ctx, slog.LevelWarn, "paygate: PayPro discourages amounts with decimals; sent as given",
			slog.String("provider", Name), slog.String("op", op))
	}
}

// PayIn creates a collection order: POST /v1/paypro/payin (the cashier; PaymentURL is
// data.paymentLink) or, when req.Direct, /v1/paypro/payinApi. OrderID, Amount (at most two
// decimal places; decimals are sent with a Warn line, PayPro calling them "not recommended"),
// Customer.Name, Customer.Phone, Customer.Email, Customer.IP, NotifyURL and ReturnURL are
// required, as PayPro's documentation marks them.
func (c *Client) PayIn(ctx context.Context, req *paygate.PayInRequest) (result *paygate.PayInResult, opErr error) {
	ctx, op := c.Begin(ctx, "payin")
	defer op.End(&opErr)
	fields, err := payInFields(req)
	if err == nil {
		err = c.prefixed(paygate.KindPayIn, req.OrderID)
	}
	if err != nil {
		return nil, err
	}
	c.warnFraction(ctx, op.Name, req.Amount)
	path := PathPayIn
	if req.Direct {
		path = PathPayInDirect
	}
	var d payInData
	resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: path,
		Create: &engine.Order{ID: req.OrderID, Kind: paygate.KindPayIn, Amount: req.Amount}}, fields, &d)
	if err != nil {
		return nil, err
	}
	res := &paygate.PayInResult{
		Provider: Name, OrderID: req.OrderID, ProviderOrderID: d.PlatFormTradeNo,
		Status: MapStatus(d.Status), RawStatus: d.Status,
		Amount: resp.Amount(), PaymentURL: d.PaymentLink,
		Raw: resp.Raw(),
	}
	if strings.HasPrefix(strings.ToLower(d.PaymentLink), "upi:") {
		res.UPIURL = d.PaymentLink
	}
	return res, nil
}

// prefixed holds an order number to Options["payout_prefix"], which is how ParseCallback
// tells the kind of a callback when callback_kind is unset: a pay-out's number must start
// with it and a pay-in's must not, or the order's callbacks would read as the other kind's.
func (c *Client) prefixed(kind paygate.Kind, id string) error {
	if c.payoutPrefix == "" || c.callbackKind != "" {
		return nil
	}
	switch has := strings.HasPrefix(id, c.payoutPrefix); {
	case kind == paygate.KindPayOut && !has:
		return paygate.Invalid("OrderID", "must start with the payout_prefix %q: PayPro's callbacks are told to be a pay-out's by it", c.payoutPrefix)
	case kind == paygate.KindPayIn && has:
		return paygate.Invalid("OrderID", "must not start with the payout_prefix %q, which marks pay-outs: its callbacks would read as a pay-out's", c.payoutPrefix)
	}
	return nil
}

func payInFields(req *paygate.PayInRequest) (map[string]string, error) {
	if req == nil {
		return nil, paygate.Invalid("PayInRequest", "is nil")
	}
	cu := req.Customer
	amt, amtErr := amount(req.Amount)
	mobile, mobileErr := NormalizeMobile("Customer.Phone", cu.Phone)
	if err := check.First(check.Required("OrderID", req.OrderID), amtErr,
		check.Required("Customer.Name", cu.Name), mobileErr, email("Customer.Email", cu.Email),
		check.IP("Customer.IP", cu.IP),
		check.Required("NotifyURL", req.NotifyURL), check.URL("NotifyURL", req.NotifyURL),
		check.Required("ReturnURL", req.ReturnURL), check.URL("ReturnURL", req.ReturnURL)); err != nil {
		return nil, err
	}
	fields := map[string]string{
		fieldTradeNo: req.OrderID, "amount": amt, "name": cu.Name, "mobile": mobile,
		"email": cu.Email, fieldIPAddress: cu.IP, "notifyUrl": req.NotifyURL, "returnUrl": req.ReturnURL,
	}
	wire.Put(fields, "remark", req.Remark)
	return fields, check.Extra(fields, req.Extra, fieldSign, fieldTimestamp)
}

// PayOut creates a disbursement: POST /v1/paypro/payout. OrderID, Amount (as for PayIn),
// Beneficiary Name, Phone, Email, AccountNumber and IFSC (sent as bankCode, as the India
// page defines it: "IFSC code") and NotifyURL are required; Beneficiary.BankCode is not used.
// ipAddress is Extra["ipAddress"] when given, else Options["server_ip"], else left out (the
// platform's own example request has none).
func (c *Client) PayOut(ctx context.Context, req *paygate.PayOutRequest) (result *paygate.PayOutResult, opErr error) {
	ctx, op := c.Begin(ctx, "payout")
	defer op.End(&opErr)
	fields, err := c.payOutFields(req)
	if err == nil {
		err = c.prefixed(paygate.KindPayOut, req.OrderID)
	}
	if err != nil {
		return nil, err
	}
	c.warnFraction(ctx, op.Name, req.Amount)
	var d payOutData
	resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: PathPayOut,
		Create: &engine.Order{ID: req.OrderID, Kind: paygate.KindPayOut, Amount: req.Amount}}, fields, &d)
	if err != nil {
		return nil, err
	}
	return &paygate.PayOutResult{
		Provider: Name, OrderID: req.OrderID, ProviderOrderID: d.PlatFormTradeNo,
		Status: MapStatus(d.Status), RawStatus: d.Status,
		Amount: resp.Amount(), Raw: resp.Raw(),
	}, nil
}

func (c *Client) payOutFields(req *paygate.PayOutRequest) (map[string]string, error) {
	if req == nil {
		return nil, paygate.Invalid("PayOutRequest", "is nil")
	}
	b := req.Beneficiary
	amt, amtErr := amount(req.Amount)
	mobile, mobileErr := NormalizeMobile("Beneficiary.Phone", b.Phone)
	var ipErr error
	if ip, ok := req.Extra[fieldIPAddress]; ok {
		ipErr = check.IP("Extra."+fieldIPAddress, ip)
	}
	if err := check.First(check.Required("OrderID", req.OrderID), amtErr,
		check.Required("Beneficiary.Name", b.Name), mobileErr, email("Beneficiary.Email", b.Email),
		check.Required("Beneficiary.AccountNumber", b.AccountNumber),
		check.IFSC("Beneficiary.IFSC", b.IFSC),
		check.Required("NotifyURL", req.NotifyURL), check.URL("NotifyURL", req.NotifyURL), ipErr); err != nil {
		return nil, err
	}
	fields := map[string]string{
		fieldTradeNo: req.OrderID, "amount": amt, "name": b.Name, "mobile": mobile, "email": b.Email,
		"bankNumber": b.AccountNumber, "bankCode": b.IFSC, "notifyUrl": req.NotifyURL,
	}
	wire.Put(fields, "remark", req.Remark)
	extra := req.Extra
	if ip, ok := extra[fieldIPAddress]; ok {
		// Extra["ipAddress"] is the documented way to pass the pay-out's ipAddress: it wins
		// over Options["server_ip"] and is not an override of a paygate field.
		fields[fieldIPAddress] = ip
		extra = make(map[string]string, len(req.Extra))
		for k, v := range req.Extra {
			if k != fieldIPAddress {
				extra[k] = v
			}
		}
	} else {
		wire.Put(fields, fieldIPAddress, c.serverIP)
	}
	return fields, check.Extra(fields, extra, fieldSign, fieldTimestamp)
}

// Query asks for an order by merchant order number: POST /v1/paypro/queryPayInResult for
// pay-ins, /v1/paypro/queryPayOutResult for pay-outs. PayPro looks orders up by tradeNo only,
// and an answer that does not name that tradeNo, or names another platFormTradeNo than a
// ProviderOrderID given, is malformed.
// Amount is data.amount; ActualAmount is the same amount once the order succeeded — for
// status 0001 PayPro reports there the amount actually paid, which differs from the order's.
func (c *Client) Query(ctx context.Context, req *paygate.QueryRequest) (result *paygate.Order, opErr error) {
	ctx, op := c.Begin(ctx, "query")
	defer op.End(&opErr)
	if err := check.QueryByOrderID(req); err != nil {
		return nil, err
	}
	var d queryData
	resp, err := c.call(ctx, engine.Call{Op: op.Name, Path: queryPaths[req.Kind],
		Asked: req}, map[string]string{fieldTradeNo: req.OrderID}, &d)
	if err != nil {
		return nil, err
	}
	if d.Status == "" {
		return nil, resp.Malformed(errors.New("data.status is missing"))
	}
	o := &paygate.Order{
		Provider: Name, Kind: req.Kind, OrderID: req.OrderID, ProviderOrderID: d.PlatFormTradeNo,
		Status: MapStatus(d.Status), RawStatus: d.Status,
		Amount: d.Amount.Money(paygate.INR), UTR: d.UTR, Raw: resp.Raw(),
	}
	if o.Status == paygate.StatusSucceeded {
		o.ActualAmount = o.Amount
	}
	if t, err := parseSuccessTime(d.SuccessTime); err == nil {
		o.CompletedAt = t
	}
	return o, nil
}

// parseSuccessTime reads successTime, India's local time ("2006-01-02 15:04:05") or
// milliseconds since the epoch.
func parseSuccessTime(s string) (t time.Time, err error) {
	if s == "" {
		return t, nil
	}
	if strings.Trim(s, "0123456789") == "" {
		return wire.ParseMillis(s)
	}
	return wire.ParseLocal(s, wire.IST) // successTime is India time
}

// Balance reads the merchant's balance: POST /v1/paypro/queryBalance. Available is
// availableAmount (or availablAmount, as some of the platform's pages spell it), Frozen
// freezeAmount and Pending unsettledAmount (settled to the available balance on T+1).
func (c *Client) Balance(ctx context.Context) (result *paygate.Balance, opErr error) {
	ctx, op := c.Begin(ctx, "balance")
	defer op.End(&opErr)
	var d balanceData
	resp, err := c.call(ctx, engine.Call{Op: "balance", Path: PathQueryBalance}, map[string]string{}, &d)
	if err != nil {
		return nil, err
	}
	available := d.AvailableAmount
	if !available.Set {
		available = d.AvailablAmount
	}
	if !available.Set {
		return nil, resp.Malformed(errors.New("data.availableAmount is missing"))
	}
	return &paygate.Balance{
		Available: available.Money(paygate.INR), Frozen: d.FreezeAmount.Money(paygate.INR),
		Pending: d.UnsettledAmount.Money(paygate.INR), Raw: resp.Raw(),
	}, nil
}
