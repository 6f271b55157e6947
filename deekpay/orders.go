package deekpay

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/check"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/wire"
)

// Field lengths of DeekPay's create-order requests.
const (
	maxOrderID = 64  // externalOrderId
	maxRemark  = 255 // remark
)

// Channel defaults: channelType comes from the request's Channel, else these.
const (
	DefaultPayInChannel  = "UPI"
	DefaultPayOutChannel = "BANK"
	DefaultAccountType   = "INR"
)

// payInData is data of POST /api/v3/ind/createCollectingOrder.
type payInData struct {
	CashierURL      string      `json:"cashierUrl"`
	OrderID         string      `json:"orderId"`
	ExternalOrderID string      `json:"externalOrderId"`
	Currency        string      `json:"currency"`
	Amount          wire.Amount `json:"amount"`
	TradeNote       string      `json:"tradeNote"`
}

func (d *payInData) Answer() engine.Answer {
	return engine.Answer{OrderID: d.ExternalOrderID, ProviderOrderID: d.OrderID, Amount: d.Amount, Currency: d.Currency}
}

// payOutData is data of POST /api/v3/ind/createTransferOrder.
type payOutData struct {
	OrderID         string    `json:"orderId"`
	OrderStatus     wire.Text `json:"orderStatus"`
	ExternalOrderID string    `json:"externalOrderId"`
	CurrencyType    string    `json:"currencyType"`
}

// Answer: the transfer's answer names no amount, but its currency.
func (d *payOutData) Answer() engine.Answer {
	return engine.Answer{OrderID: d.ExternalOrderID, ProviderOrderID: d.OrderID, Currency: d.CurrencyType}
}

// queryPaths are the order queries, by kind: collecting orders and transfer orders.
var queryPaths = map[paygate.Kind]string{paygate.KindPayIn: PathQueryCollecting, paygate.KindPayOut: PathQueryTransfer}

// order is one element of the query endpoints' data array (collecting and transfer orders),
// and the body of a callback.
type order struct {
	OrderID               string      `json:"orderId"`
	CashierID             string      `json:"cashierId"`
	OrderType             wire.Text   `json:"orderType"`
	OrderResourceType     wire.Text   `json:"orderResourceType"`
	UserID                wire.Text   `json:"userId"`
	OrderStatus           wire.Text   `json:"orderStatus"`
	OrderTime             wire.Millis `json:"orderTime"`
	ChannelOrderID        string      `json:"channelOrderId"`
	ExternalOrderID       string      `json:"externalOrderId"`
	OrderAmount           wire.Amount `json:"orderAmount"`
	OrderActualAmount     wire.Amount `json:"orderActualAmount"`
	OrderFee              wire.Amount `json:"orderFee"`
	OrderPayTime          wire.Millis `json:"orderPayTime"`
	OrderCompleteTime     wire.Millis `json:"orderCompleteTime"`
	CurrencyType          string      `json:"currencyType"`
	PayType               wire.Text   `json:"payType"`
	TradeNote             string      `json:"tradeNote"`
	NotifyURL             string      `json:"notifyUrl"`
	MarkStatus            wire.Text   `json:"markStatus"`
	ErrorMsg              string      `json:"errorMsg"`
	ErrorMsgEn            string      `json:"errorMsgEn"`
	AccountType           string      `json:"accountType"`
	AccountName           string      `json:"accountName"`
	AccountNo             string      `json:"accountNo"`
	OrderTypeCode         string      `json:"orderTypeCode"`
	OrderResourceTypeCode string      `json:"orderResourceTypeCode"`
	OrderStatusCode       string      `json:"orderStatusCode"`
	PayTypeCode           string      `json:"payTypeCode"`
}

// kinds are the orderType values: 1 collection (pay-in), 2 payment (transfer, pay-out).
var kinds = map[string]paygate.Kind{OrderTypeCollection: paygate.KindPayIn, OrderTypePayment: paygate.KindPayOut}

// Answer is what a queried order states: both numbers, its kind (orderType) and currency. An
// orderType that is neither 1 nor 2 states a kind that is not the one asked: its status
// could be read with neither table.
func (o *order) Answer() engine.Answer {
	a := engine.Answer{OrderID: o.ExternalOrderID, ProviderOrderID: o.OrderID, Currency: o.CurrencyType}
	if t := strings.TrimSpace(string(o.OrderType)); t != "" {
		a.Kind = kinds[t]
		if a.Kind == "" {
			a.Kind = paygate.Kind("orderType " + t)
		}
	}
	return a
}

// balanceData is data of GET /api/v3/ind/query/balance.
type balanceData struct {
	AccountBalance           wire.Amount `json:"accountBalance"`
	AccountFreezeAmount      wire.Amount `json:"accountFreezeAmount"`
	AccountStatusID          wire.Text   `json:"accountStatusId"`
	AccountWaitSettledAmount wire.Amount `json:"accountWaitSettledAmount"`
	CurrencyType             string      `json:"currencyType"`
	AccountStatus            string      `json:"accountStatus"`
}

// currency is DeekPay's currencyType as a paygate.Currency; empty is INR.
func currency(s string) paygate.Currency {
	if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
		return paygate.Currency(s)
	}
	return paygate.INR
}

func orderID(id string) error {
	return check.First(check.Required("OrderID", id), check.MaxLength("OrderID", id, maxOrderID), check.OneMember("OrderID", id))
}

// PayIn creates a collecting order (POST /api/v3/ind/createCollectingOrder) and returns
// DeekPay's cashier link as PaymentURL. Channel is the channelType (default UPI). DeekPay
// has no direct flow: a request with Direct set is paygate.ErrUnsupported.
func (c *Client) PayIn(ctx context.Context, req *paygate.PayInRequest) (result *paygate.PayInResult, opErr error) {
	ctx, op := c.Begin(ctx, "payin")
	defer op.End(&opErr)
	if req != nil && req.Direct {
		return nil, c.Unsupported(op.Name, "DeekPay has no direct pay-in, only its hosted cashier")
	}
	fields, err := payInFields(req)
	if err != nil {
		return nil, err
	}
	var d payInData
	resp, err := c.do(ctx, call{op: op.Name, method: http.MethodPost, path: PathCreateCollect,
		fields: fields, create: &engine.Order{ID: req.OrderID, Kind: paygate.KindPayIn, Amount: req.Amount}}, &d)
	if err != nil {
		return nil, err
	}
	if d.CashierURL == "" {
		return nil, resp.Malformed(errors.New("data lacks cashierUrl"))
	}
	return &paygate.PayInResult{
		Provider: Name, OrderID: req.OrderID, ProviderOrderID: d.OrderID, Status: paygate.StatusPending,
		Amount: resp.Amount(), PaymentURL: d.CashierURL, Raw: resp.Raw(),
	}, nil
}

func payInFields(req *paygate.PayInRequest) (map[string]string, error) {
	if req == nil {
		return nil, paygate.Invalid("PayInRequest", "is nil")
	}
	amount, err := check.Amount("Amount", req.Amount, paygate.INR, paygate.Trimmed, check.Limits{})
	if err := check.First(orderID(req.OrderID), err,
		check.MaxLength("Remark", req.Remark, maxRemark),
		check.URL("NotifyURL", req.NotifyURL), check.URL("ReturnURL", req.ReturnURL)); err != nil {
		return nil, err
	}
	channel := cmp.Or(req.Channel, DefaultPayInChannel)
	fields := map[string]string{"amount": amount, "channelType": channel, "externalOrderId": req.OrderID}
	wire.Put(fields, "notifyUrl", req.NotifyURL)
	wire.Put(fields, "remark", req.Remark)
	wire.Put(fields, "returnUrl", req.ReturnURL)
	if err := check.Extra(fields, req.Extra, HeaderSign, HeaderAccessKey, HeaderTimestamp, HeaderNonce); err != nil {
		return nil, err
	}
	return fields, echoed(fields)
}

// echoedFields are the request fields DeekPay's callback repeats (as notifyUrl, tradeNote,
// accountType, accountName, accountNo), with the request field each comes from.
var echoedFields = []struct{ key, field string }{
	{"notifyUrl", "NotifyURL"}, {"remark", "Remark"}, {"accountType", "Beneficiary.AccountType"},
	{"userInfoName", "Beneficiary.Name"}, {"accountId", "Beneficiary.AccountNumber"},
}

// echoed refuses a value the callback will repeat that carries "&name=": the callback's
// signature joins "k=v&k=v", so every callback of the order would read as a possible re-split
// of two members and be refused. Refused here, it is refused before the order exists.
func echoed(fields map[string]string) error {
	for _, e := range echoedFields {
		if err := check.OneMember(e.field, fields[e.key]); err != nil {
			return err
		}
	}
	return nil
}

// PayOut creates a transfer order (POST /api/v3/ind/createTransferOrder). Channel is the
// channelType (default BANK); Beneficiary.AccountNumber is accountId, AccountType is
// accountType (default INR), IFSC is ifSC. For channel UPI, ifSC carries the beneficiary's
// UPI ID (name@bank), taken from Beneficiary.IFSC or else from Beneficiary.AccountNumber.
func (c *Client) PayOut(ctx context.Context, req *paygate.PayOutRequest) (result *paygate.PayOutResult, opErr error) {
	ctx, op := c.Begin(ctx, "payout")
	defer op.End(&opErr)
	fields, err := payOutFields(req)
	if err != nil {
		return nil, err
	}
	var d payOutData
	resp, err := c.do(ctx, call{op: op.Name, method: http.MethodPost, path: PathCreateTransfer,
		fields: fields, create: &engine.Order{ID: req.OrderID, Kind: paygate.KindPayOut, Amount: req.Amount}}, &d)
	if err != nil {
		return nil, err
	}
	res := &paygate.PayOutResult{
		Provider: Name, OrderID: req.OrderID, ProviderOrderID: d.OrderID,
		Status: MapStatus(paygate.KindPayOut, string(d.OrderStatus)), RawStatus: string(d.OrderStatus),
		Amount: resp.Amount(), Fee: paygate.NewMoney(decimal.Zero, paygate.INR),
		Raw: resp.Raw(),
	}
	if d.OrderStatus == "" {
		res.Status = paygate.StatusPending // accepted, no state reported yet
	}
	return res, nil
}

func payOutFields(req *paygate.PayOutRequest) (map[string]string, error) {
	if req == nil {
		return nil, paygate.Invalid("PayOutRequest", "is nil")
	}
	b := req.Beneficiary
	amount, err := check.Amount("Amount", req.Amount, paygate.INR, paygate.Trimmed, check.Limits{})
	if err := check.First(orderID(req.OrderID), err,
		check.Required("Beneficiary.AccountNumber", b.AccountNumber),
		check.MaxLength("Remark", req.Remark, maxRemark),
		check.URL("NotifyURL", req.NotifyURL)); err != nil {
		return nil, err
	}
	channel := cmp.Or(req.Channel, DefaultPayOutChannel)
	accountType := cmp.Or(b.AccountType, DefaultAccountType)
	ifsc, err := ifscField(channel, b)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{
		"currencyAmount": amount, "channelType": channel, "externalOrderId": req.OrderID,
		"accountId": b.AccountNumber, "accountType": accountType, "ifSC": ifsc,
	}
	wire.Put(fields, "bankName", b.BankName)
	wire.Put(fields, "userInfoName", b.Name)
	wire.Put(fields, "remark", req.Remark)
	wire.Put(fields, "notifyUrl", req.NotifyURL)
	if err := check.Extra(fields, req.Extra, HeaderSign, HeaderAccessKey, HeaderTimestamp, HeaderNonce); err != nil {
		return nil, err
	}
	return fields, echoed(fields)
}

// ifscField is the ifSC value: the UPI ID for channel UPI, otherwise the IFSC. DeekPay
// calls the field "Bank Code" with the example "YESB" while naming it ifSC: an 11-character
// IFSC is checked as such, and a four-letter bank code as in DeekPay's own example is
// accepted too.
func ifscField(channel string, b paygate.Beneficiary) (string, error) {
	if strings.EqualFold(channel, "UPI") {
		upi, field := b.IFSC, "Beneficiary.IFSC"
		if upi == "" {
			upi, field = b.AccountNumber, "Beneficiary.AccountNumber"
		}
		name, host, ok := strings.Cut(upi, "@")
		if !ok || name == "" || host == "" || strings.ContainsAny(host, "@ ") || strings.Contains(name, " ") {
			return "", paygate.Invalid(field, "channel UPI needs the beneficiary's UPI ID (name@bank) in Beneficiary.IFSC or Beneficiary.AccountNumber")
		}
		return upi, nil
	}
	if isBankCode(b.IFSC) {
		return b.IFSC, nil
	}
	return b.IFSC, check.IFSC("Beneficiary.IFSC", b.IFSC)
}

func isBankCode(s string) bool {
	if len(s) != 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// Query asks for an order (POST /api/v3/ind/query/collectingOrder for pay-ins,
// /api/v3/ind/query/transferOrder for pay-outs) by externalOrderId (OrderID) and/or orderId
// (ProviderOrderID). DeekPay answers with an array of orders: an empty one is a
// *paygate.ProviderError wrapping paygate.ErrOrderNotFound. The order taken is one that
// names the order asked for and states no other kind (orderType) or currency; an answer with
// none such is malformed. RawStatus is the orderStatus number followed by the
// orderStatusCode text (see SplitRawStatus).
func (c *Client) Query(ctx context.Context, req *paygate.QueryRequest) (result *paygate.Order, opErr error) {
	ctx, op := c.Begin(ctx, "query")
	defer op.End(&opErr)
	if err := check.Query(req); err != nil {
		return nil, err
	}
	if err := check.MaxLength("OrderID", req.OrderID, maxOrderID); err != nil {
		return nil, err
	}
	// DeekPay's field list marks both fields required; HamBit's public docs query by either.
	// Both keys are always sent, an unknown one empty (and so unsigned).
	fields := map[string]string{"externalOrderId": req.OrderID, "orderId": req.ProviderOrderID}
	resp, err := c.do(ctx, call{op: op.Name, method: http.MethodPost, path: queryPaths[req.Kind], fields: fields, asked: req}, nil)
	if err != nil {
		return nil, err
	}
	orders, err := orderList(resp)
	if err != nil {
		return nil, err
	}
	if len(orders) == 0 {
		return nil, resp.NotFound("order not found (data is an empty array)")
	}
	// The data is a list: the engine's rule (Reply.Answers) is asked of each order, and the
	// first answering the query is taken; when none does, the first one's fault is told.
	var first error
	for i := range orders {
		o := &orders[i]
		err := resp.Answers(o.Answer())
		if err == nil {
			return o.toOrder(req.Kind, resp.Raw()), nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// orderList decodes data as an array of orders, or a single order object.
func orderList(resp *engine.Reply) ([]order, error) {
	list, err := oneOrMany[order](resp)
	if err == nil && list == nil {
		return nil, resp.Malformed(errors.New("success without data"))
	}
	return list, err
}

// oneOrMany decodes the data of resp, which DeekPay sends as an array or as one object; it
// is nil when there is no data (absent or null). Data that is neither is a malformed answer.
func oneOrMany[T any](resp *engine.Reply) ([]T, error) {
	raw := bytes.TrimSpace(resp.Data())
	var list []T
	var err error
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, nil
	case raw[0] == '{':
		list = make([]T, 1)
		err = json.Unmarshal(raw, &list[0])
	default:
		err = json.Unmarshal(raw, &list)
	}
	if err != nil {
		return nil, resp.Malformed(fmt.Errorf("data: %w", err))
	}
	return list, nil
}

func (o *order) toOrder(kind paygate.Kind, raw json.RawMessage) *paygate.Order {
	cur := currency(o.CurrencyType)
	completed := o.OrderCompleteTime.Time
	if completed.IsZero() {
		completed = o.OrderPayTime.Time
	}
	return &paygate.Order{
		Provider: Name, Kind: kind, OrderID: o.ExternalOrderID, ProviderOrderID: o.OrderID,
		Status: MapStatus(kind, string(o.OrderStatus)), RawStatus: rawStatus(string(o.OrderStatus), o.OrderStatusCode),
		Amount: o.OrderAmount.Money(cur), ActualAmount: o.OrderActualAmount.Money(cur), Fee: o.OrderFee.Money(cur),
		CompletedAt: completed, Raw: raw,
	}
}

// Balance reads the merchant's balance (GET /api/v3/ind/query/balance): Available is
// accountBalance, Frozen accountFreezeAmount, Pending accountWaitSettledAmount. When DeekPay
// answers with one account per currency, the INR one is taken.
func (c *Client) Balance(ctx context.Context) (result *paygate.Balance, opErr error) {
	ctx, op := c.Begin(ctx, "balance")
	defer op.End(&opErr)
	resp, err := c.do(ctx, call{op: "balance", method: http.MethodGet, path: PathBalance}, nil)
	if err != nil {
		return nil, err
	}
	list, err := oneOrMany[balanceData](resp)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, resp.Malformed(errors.New("data has no account"))
	}
	d := list[0]
	for _, b := range list {
		if currency(b.CurrencyType) == paygate.INR {
			d = b
			break
		}
	}
	if !d.AccountBalance.Set {
		return nil, resp.Malformed(errors.New("data lacks accountBalance"))
	}
	cur := currency(d.CurrencyType)
	return &paygate.Balance{
		Available: d.AccountBalance.Money(cur), Frozen: d.AccountFreezeAmount.Money(cur),
		Pending: d.AccountWaitSettledAmount.Money(cur), Raw: resp.Raw(),
	}, nil
}
