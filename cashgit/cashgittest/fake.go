package cashgittest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// cashgitFake fakes CashGit's API document: POST JSON everywhere, envelope {code, message,
// data, timestamp}, sign over the body fields in the config's sign_style.
type cashgitFake struct {
	b    *fakeserver.Books
	sign func(map[string]string, string) string
}

var spec = fakeserver.Register(fakeserver.Spec{Provider: Provider, Title: "CashGit", Currency: paygate.INR,
	New: func(b *fakeserver.Books) fakeserver.Fake {
		f := &cashgitFake{b: b, sign: signing.KeyParamMD5}
		if b.Config().Option("sign_style", "key_param") == "append" {
			f.sign = signing.AppendMD5
		}
		return f
	}})

var cashgitLimits = [2]decimal.Decimal{decimal.NewFromInt(10), decimal.NewFromInt(50000)}

// Routes: the endpoints of CashGit's API document, and the pages a pay-in's payurl and qrcode
// name.
func (f *cashgitFake) Routes() []fakeserver.Route {
	byID := func(r *http.Request) string { return r.PathValue("id") }
	return []fakeserver.Route{
		{Pattern: "POST /api/pay", Handler: f.handle(f.payIn, "orderid", "amount"), Create: true},
		{Pattern: "POST /api/query", Handler: f.handle(f.queryPayIn, "orderid")},
		{Pattern: "POST /api/close", Handler: f.handle(f.close, "orderid")},
		{Pattern: "POST /api/utr/submit", Handler: f.handle(f.submitUTR, "orderid", "utr", "amount")},
		{Pattern: "POST /api/upi/query", Handler: f.handle(f.upi)},
		{Pattern: "POST /api/payout/create", Create: true,
			Handler: f.handle(f.payOut, "orderid", "amount", "account_name", "account_number", "ifsc", "mobile")},
		{Pattern: "POST /api/payout/query", Handler: f.handle(f.queryPayOut, "orderid")},
		{Pattern: "POST /api/balance/query", Handler: f.handle(f.balance)},
		{Pattern: "GET /pay/{id}", Checkout: byID},
		{Pattern: "GET /qr/{id}", Checkout: byID},
	}
}

// reply is an envelope's code, message and data.
type reply struct {
	code    int
	message string
	data    any
}

func (f *cashgitFake) handle(next func(map[string]string) reply, required ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := fakeserver.ReadBody(r)
		if err != nil {
			f.write(w, reply{code: 400, message: "参数错误: unreadable body"})
			return
		}
		fields, err := signing.Fields(body)
		if err != nil {
			f.write(w, reply{code: 400, message: "参数错误: body is not a JSON object"})
			return
		}
		if fields["appid"] != f.b.Config().MerchantID {
			f.write(w, reply{code: 401, message: "认证失败: unknown appid"})
			return
		}
		if !signing.Equal(fields["sign"], f.sign(fields, f.b.Config().Secret)) {
			f.write(w, reply{code: 401, message: "认证失败: sign verification failed"})
			return
		}
		if k := fakeserver.Missing(fields, required...); k != "" {
			f.write(w, reply{code: 400, message: "参数错误: " + k + " is required"})
			return
		}
		delete(fields, "sign") // Order.Fields keeps the request without its signature
		f.write(w, next(fields))
	}
}

func (f *cashgitFake) write(w http.ResponseWriter, rp reply) {
	msg := rp.message
	if msg == "" {
		msg = "成功"
	}
	fakeserver.WriteJSON(w, rp.code, map[string]any{"code": rp.code, "message": msg, "data": rp.data,
		"timestamp": time.Now().UnixMilli()})
}

// amount parses and bounds an amount field, or returns the provider's refusal.
func (f *cashgitFake) amount(v string) (decimal.Decimal, *reply) {
	d, err := paygate.ParseDecimal(v)
	if err != nil || d.LessThan(cashgitLimits[0]) || d.GreaterThan(cashgitLimits[1]) {
		return d, &reply{code: 400, message: "参数错误: amount must be 10-50000 INR"}
	}
	if !d.Equal(d.Truncate(2)) {
		return d, &reply{code: 400, message: "参数错误: amount has more than two decimal places"}
	}
	return d, nil
}

func (f *cashgitFake) create(kind paygate.Kind, prefix string, fields map[string]string, status paygate.Status) (*fakeserver.Order, *reply) {
	if n := utf8.RuneCountInString(fields["orderid"]); n < 6 || n > 32 {
		return nil, &reply{code: 400, message: "参数错误: orderid must be 6-32 characters"}
	}
	amount, rp := f.amount(fields["amount"])
	if rp != nil {
		return nil, rp
	}
	o := &fakeserver.Order{OrderID: fields["orderid"], Amount: amount, NotifyURL: fields["notify_url"],
		ReturnURL: fields["return_url"], Fields: fields, Status: status}
	if kind == paygate.KindPayOut {
		o.Fee = decimal.NewFromInt(10)
	}
	stored, err := f.b.Create(kind, prefix, o)
	switch {
	case err == nil:
		return stored, nil
	case errors.Is(err, fakeserver.ErrDuplicate):
		return nil, &reply{code: 409, message: "订单已存在: order already exists"}
	default:
		return nil, &reply{code: 403, message: "权限不足: " + err.Error()}
	}
}

func (f *cashgitFake) payIn(fields map[string]string) reply {
	switch fields["pay_id"] {
	case "", "1", "2":
	default:
		return reply{code: 400, message: "参数错误: pay_id must be 1 or 2"}
	}
	if fields["pay_id"] == "2" && fields["customer_phone"] == "" {
		return reply{code: 400, message: "参数错误: customer_phone is required for pay_id 2"}
	}
	o, rp := f.create(paygate.KindPayIn, "CG", fields, paygate.StatusPending)
	if rp != nil {
		return *rp
	}
	payType, url := "native", "/pay/"+o.ProviderOrderID
	if fields["pay_id"] == "2" {
		payType, url = "intent", "upi://pay?pa=merchant@paytm&am="+o.Amount.StringFixed(2)+"&tr="+o.ProviderOrderID
	} else {
		url = f.b.URL() + url
	}
	return reply{code: 200, message: "订单创建成功", data: map[string]any{
		"orderid": o.OrderID, "platform_orderid": o.ProviderOrderID, "amount": o.Amount.StringFixed(2),
		"payurl": url, "qrcode": f.b.URL() + "/qr/" + o.ProviderOrderID, "status": cashgitRaw(o),
		"pay_type": payType, "expires_at": o.Created.Add(15 * time.Minute).In(wire.IST).Format(time.RFC3339),
	}}
}

func (f *cashgitFake) queryPayIn(fields map[string]string) reply {
	o, ok := f.b.Find(paygate.KindPayIn, fields["orderid"], "")
	if !ok {
		return reply{code: 404, message: "资源不存在: order not found"}
	}
	return reply{code: 200, message: "查询成功", data: map[string]any{
		"orderid": o.OrderID, "platform_orderid": o.ProviderOrderID, "amount": o.Amount.StringFixed(2),
		"status": cashgitRaw(&o), "pay_type": "native", "paytime": fakeserver.Millis(o.Completed), "utr": o.UTR,
		"desc": o.Fields["desc"], "created_at": fakeserver.Millis(o.Created), "updated_at": fakeserver.Millis(o.Created),
	}}
}

func (f *cashgitFake) close(fields map[string]string) reply {
	var refused bool
	o, ok := f.b.Update(paygate.KindPayIn, fields["orderid"], func(o *fakeserver.Order) {
		if o.Status.Final() {
			refused = true
			return
		}
		f.b.Move(o, paygate.StatusCancelled)
	})
	switch {
	case !ok:
		return reply{code: 404, message: "资源不存在: order not found"}
	case refused:
		return reply{code: 400, message: "参数错误: order is already final"}
	}
	return reply{code: 200, message: "订单关闭成功", data: map[string]any{
		"orderid": o.OrderID, "platform_orderid": o.ProviderOrderID, "status": "cancelled", "closed_at": fakeserver.Millis(o.Completed),
	}}
}

func (f *cashgitFake) submitUTR(fields map[string]string) reply {
	if utr := fields["utr"]; len(utr) != 12 || strings.Trim(utr, "0123456789") != "" {
		return reply{code: 400, message: "参数错误: utr must be 12 digits"}
	}
	o, ok := f.b.Update(paygate.KindPayIn, fields["orderid"], func(o *fakeserver.Order) { o.UTR = fields["utr"] })
	if !ok {
		return reply{code: 404, message: "资源不存在: order not found"}
	}
	return reply{code: 200, message: "UTR补单提交成功", data: map[string]any{
		"orderid": o.OrderID, "utr": o.UTR, "status": "processing", "submitted_at": time.Now().UnixMilli(),
	}}
}

func (f *cashgitFake) upi(map[string]string) reply {
	return reply{code: 200, message: "查询成功", data: map[string]any{
		"upi_list": []map[string]any{{"upi_id": "merchant@paytm", "upi_name": "Merchant Account",
			"status": "active", "daily_limit": "500000.00"}},
		"total_count": 1,
	}}
}

func (f *cashgitFake) payOut(fields map[string]string) reply {
	if len(fields["ifsc"]) != 11 {
		return reply{code: 400, message: "参数错误: ifsc must be 11 characters"}
	}
	o, rp := f.create(paygate.KindPayOut, "PO", fields, paygate.StatusProcessing)
	if rp != nil {
		return *rp
	}
	return reply{code: 200, message: "代付订单创建成功", data: f.payOutData(o)}
}

func (f *cashgitFake) payOutData(o *fakeserver.Order) map[string]any {
	d := map[string]any{
		"orderid": o.OrderID, "platform_orderid": o.ProviderOrderID, "amount": o.Amount.StringFixed(2),
		"fee": o.Fee.StringFixed(2), "actual_amount": o.Amount.Sub(o.Fee).StringFixed(2),
		"status": cashgitRaw(o), "account_name": o.Fields["account_name"],
		"account_number": o.Fields["account_number"], "ifsc": o.Fields["ifsc"], "utr": o.UTR,
		"desc": o.Fields["desc"], "created_at": fakeserver.Millis(o.Created),
	}
	if !o.Completed.IsZero() {
		d["completed_at"] = fakeserver.Millis(o.Completed)
	}
	return d
}

func (f *cashgitFake) queryPayOut(fields map[string]string) reply {
	o, ok := f.b.Find(paygate.KindPayOut, fields["orderid"], "")
	if !ok {
		return reply{code: 404, message: "资源不存在: order not found"}
	}
	return reply{code: 200, message: "查询成功", data: f.payOutData(&o)}
}

func (f *cashgitFake) balance(map[string]string) reply {
	available, frozen := f.b.Funds()
	return reply{code: 200, message: "查询成功", data: map[string]any{
		"balance": available.Add(frozen).StringFixed(2), "frozen_balance": frozen.StringFixed(2),
		"available_balance": available.StringFixed(2), "currency": "INR", "updated_at": time.Now().UnixMilli(),
	}}
}

// cashgitRaw is the provider's word for o's status, from the table of o's kind.
func cashgitRaw(o *fakeserver.Order) string {
	switch o.Status {
	case paygate.StatusSucceeded:
		if o.Kind == paygate.KindPayIn {
			return "paid"
		}
		return "success"
	case paygate.StatusFailed, paygate.StatusReversed: // CashGit has no reversal: the nearest final status
		return "failed"
	case paygate.StatusCancelled:
		if o.Kind == paygate.KindPayIn {
			return "cancelled"
		}
		return "rejected"
	case paygate.StatusProcessing:
		if o.Kind == paygate.KindPayIn {
			return "pending"
		}
		return "processing"
	}
	return "pending"
}

// Callback builds the callback of CashGit's API document: strings for amounts, numbers for
// paytime and completed_at, signed over every field with numbers as their JSON text.
func (f *cashgitFake) Callback(o *fakeserver.Order) (http.Header, []byte, error) {
	fields := map[string]string{
		"orderid": o.OrderID, "platform_orderid": o.ProviderOrderID,
		"amount": o.Amount.StringFixed(2), "status": cashgitRaw(o), "utr": o.UTR,
	}
	body := map[string]any{}
	if o.Kind == paygate.KindPayOut {
		fields["fee"] = o.Fee.StringFixed(2)
		fields["actual_amount"] = o.Amount.Sub(o.Fee).StringFixed(2)
		fields["completed_at"] = strconv.FormatInt(fakeserver.Millis(o.Completed), 10)
		body["completed_at"] = json.Number(fields["completed_at"])
	} else {
		fields["paytime"] = strconv.FormatInt(fakeserver.Millis(o.Completed), 10)
		body["paytime"] = json.Number(fields["paytime"])
	}
	for k, v := range fields {
		if _, isNumber := body[k]; !isNumber {
			body[k] = v
		}
	}
	body["sign"] = f.sign(fields, f.b.Config().Secret)
	return fakeserver.JSONCallback(body)
}

// Acked: HTTP 200 and the body "success".
func (f *cashgitFake) Acked(status int, body []byte) bool {
	return status == http.StatusOK && strings.TrimSpace(string(body)) == "success"
}

// Schedule: CashGit's API document says failed callbacks are retried up to 5 times without
// giving the intervals; the sandbox uses its default.
func (f *cashgitFake) Schedule() []int { return fakeserver.DefaultSchedule() }
