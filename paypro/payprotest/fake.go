package payprotest

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// payproFake fakes the India pages of docs.paypro.tech: POST JSON everywhere, header
// merchantNo, timestamp and sign in the body (md5 of "k1=v1k2=v2…" + secret), envelope {msg,
// code, timestamp, success, data} with code "0000" for an accepted request and the
// transaction's state in data.status (0000 success, 0015 processing, other codes failure).
//
// PayPro publishes no business error codes; the fake's own are payproCode* below.
type payproFake struct{ b *fakeserver.Books }

var spec = fakeserver.Register(fakeserver.Spec{Provider: Provider, Title: "PayPro", Currency: paygate.INR,
	New: func(b *fakeserver.Books) fakeserver.Fake { return &payproFake{b: b} }})

// The fake's envelope codes. Only "0000" is PayPro's; the others are the sandbox's own.
const (
	payproCodeOK           = "0000"
	payproCodeParam        = "1000" // a field is missing or invalid
	payproCodeSign         = "1001" // sign verification failed
	payproCodeMerchant     = "1002" // unknown merchantNo
	payproCodeDuplicate    = "1003" // tradeNo already used
	payproCodeNotFound     = "1004" // no such order
	payproCodeInsufficient = "1005" // balance too low for the pay-out
)

// Raw data.status values the fake reports. 00029 is REJECTED_TRANSACTION on the platform's
// error-code page.
const (
	payproSucceeded  = "0000"
	payproProcessing = "0015"
	payproRejected   = "00029"
)

// Routes: PayPro's endpoints, and the payment page a pay-in's paymentLink names.
func (f *payproFake) Routes() []fakeserver.Route {
	payIn := []string{"tradeNo", "amount", "name", "mobile", "email", "ipAddress", "notifyUrl", "returnUrl"}
	return []fakeserver.Route{
		{Pattern: "POST /v1/paypro/payin", Handler: f.handle(f.payIn, payIn...), Create: true},
		{Pattern: "POST /v1/paypro/payinApi", Handler: f.handle(f.payIn, payIn...), Create: true},
		{Pattern: "POST /v1/paypro/payout", Create: true, Handler: f.handle(f.payOut,
			"tradeNo", "amount", "name", "mobile", "email", "bankNumber", "bankCode", "notifyUrl")},
		{Pattern: "POST /v1/paypro/queryPayInResult", Handler: f.handle(f.query(paygate.KindPayIn), "tradeNo")},
		{Pattern: "POST /v1/paypro/queryPayOutResult", Handler: f.handle(f.query(paygate.KindPayOut), "tradeNo")},
		{Pattern: "POST /v1/paypro/queryBalance", Handler: f.handle(f.balance)},
		{Pattern: "GET /payment/{id}", Checkout: func(r *http.Request) string { return r.PathValue("id") }},
	}
}

// payproReply is an envelope's code, msg and data.
type payproReply struct {
	code string
	msg  string
	data any
}

func payproRefuse(code, msg string) payproReply { return payproReply{code: code, msg: msg} }

func (f *payproFake) handle(next func(map[string]string) payproReply, required ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := fakeserver.ReadBody(r)
		if err != nil {
			f.write(w, payproRefuse(payproCodeParam, "unreadable body"))
			return
		}
		if r.Header.Get("merchantNo") != f.b.Config().MerchantID {
			f.write(w, payproRefuse(payproCodeMerchant, "merchant does not exist"))
			return
		}
		fields, err := signing.Fields(body)
		if err != nil {
			f.write(w, payproRefuse(payproCodeParam, "body is not a JSON object"))
			return
		}
		if ts := fields["timestamp"]; len(ts) != 13 || strings.Trim(ts, "0123456789") != "" {
			f.write(w, payproRefuse(payproCodeParam, "timestamp must be 13-digit milliseconds"))
			return
		}
		if !signing.Equal(fields["sign"], signing.ConcatMD5(fields, f.b.Config().Secret)) {
			f.write(w, payproRefuse(payproCodeSign, "sign error"))
			return
		}
		if k := fakeserver.Missing(fields, required...); k != "" {
			f.write(w, payproRefuse(payproCodeParam, k+" is required"))
			return
		}
		delete(fields, "sign") // Order.Fields keeps the request without its signature
		f.write(w, next(fields))
	}
}

func (f *payproFake) write(w http.ResponseWriter, rp payproReply) {
	msg := rp.msg
	if msg == "" {
		msg = "success"
	}
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{"msg": msg, "code": rp.code, "timestamp": time.Now().UnixMilli(),
		"success": rp.code == payproCodeOK, "data": rp.data})
}

// check validates the fields every create shares: a positive amount with at most two decimal
// places (PayPro's documentation only calls decimals "not recommended") and an Indian mobile
// number (10 digits starting 6–9; the doc's own example prefixes 91).
func (f *payproFake) check(fields map[string]string) (decimal.Decimal, *payproReply) {
	amt, ok := fakeserver.Amount(fields["amount"])
	if !ok {
		rp := payproRefuse(payproCodeParam, "amount must be a positive number of rupees with at most two decimal places")
		return amt, &rp
	}
	m := fields["mobile"]
	if len(m) == 12 && strings.HasPrefix(m, "91") {
		m = m[2:]
	}
	if len(m) != 10 || strings.Trim(m, "0123456789") != "" || m[0] < '6' {
		rp := payproRefuse(payproCodeParam, "mobile must be 10 digits starting with 6, 7, 8 or 9")
		return amt, &rp
	}
	if ip := fields["ipAddress"]; ip != "" && net.ParseIP(ip) == nil {
		rp := payproRefuse(payproCodeParam, "ipAddress is not an IP address")
		return amt, &rp
	}
	return amt, nil
}

func (f *payproFake) create(kind paygate.Kind, prefix string, fields map[string]string) (*fakeserver.Order, *payproReply) {
	amt, rp := f.check(fields)
	if rp != nil {
		return nil, rp
	}
	o := &fakeserver.Order{OrderID: fields["tradeNo"], Amount: amt, NotifyURL: fields["notifyUrl"],
		ReturnURL: fields["returnUrl"], Fields: fields,
		Status: paygate.StatusProcessing}
	stored, err := f.b.Create(kind, prefix, o)
	switch {
	case err == nil:
		return stored, nil
	case errors.Is(err, fakeserver.ErrDuplicate):
		r := payproRefuse(payproCodeDuplicate, "tradeNo already exists")
		return nil, &r
	default:
		r := payproRefuse(payproCodeInsufficient, err.Error())
		return nil, &r
	}
}

func (f *payproFake) payIn(fields map[string]string) payproReply {
	o, rp := f.create(paygate.KindPayIn, "PPI", fields)
	if rp != nil {
		return *rp
	}
	return payproReply{code: payproCodeOK, data: map[string]any{
		"platFormTradeNo": o.ProviderOrderID, "status": payproProcessing, "desc": "CREATED",
		"remark": fields["remark"], "paymentLink": f.b.URL() + "/payment/" + o.ProviderOrderID,
	}}
}

func (f *payproFake) payOut(fields map[string]string) payproReply {
	if len(fields["bankCode"]) != 11 {
		return payproRefuse(payproCodeParam, "bankCode must be an 11-character IFSC code")
	}
	o, rp := f.create(paygate.KindPayOut, "PPO", fields)
	if rp != nil {
		return *rp
	}
	return payproReply{code: payproCodeOK, data: map[string]any{
		"platFormTradeNo": o.ProviderOrderID, "tradeNo": o.OrderID, "status": payproProcessing, "desc": "PROCESSING",
	}}
}

func (f *payproFake) query(kind paygate.Kind) func(map[string]string) payproReply {
	return func(fields map[string]string) payproReply {
		o, ok := f.b.Find(kind, fields["tradeNo"], "")
		if !ok {
			return payproRefuse(payproCodeNotFound, "order does not exist")
		}
		status, desc := payproRaw(&o)
		d := map[string]any{
			"tradeNo": o.OrderID, "platFormTradeNo": o.ProviderOrderID, "amount": o.Amount.String(),
			"status": status, "desc": desc, "utr": o.UTR,
		}
		if !o.Completed.IsZero() {
			d["successTime"] = payproLocal(o.Completed)
		}
		return payproReply{code: payproCodeOK, data: d}
	}
}

func (f *payproFake) balance(map[string]string) payproReply {
	available, frozen := f.b.Funds()
	return payproReply{code: payproCodeOK, data: map[string]any{
		"availableAmount": available.StringFixed(4), "freezeAmount": frozen.StringFixed(4),
		"unsettledAmount": decimal.Zero.StringFixed(4),
	}}
}

// payproRaw is the provider's data.status and desc for o.
func payproRaw(o *fakeserver.Order) (status, desc string) {
	switch o.Status {
	case paygate.StatusSucceeded:
		return payproSucceeded, "SUCCESS"
	case paygate.StatusFailed, paygate.StatusCancelled, paygate.StatusReversed:
		return payproRejected, "REJECTED_TRANSACTION"
	}
	return payproProcessing, "CREDIT_INPROGRESS"
}

// payproLocal is t in India's local time, as successTime is written.
func payproLocal(t time.Time) string {
	return t.In(wire.IST).Format(time.DateTime)
}

// Callback builds the platform's notify body: every value a string, signed like a request.
// Pay-in callbacks carry channelCode and wayCode, which the platform sends only for pay-ins.
func (f *payproFake) Callback(o *fakeserver.Order) (http.Header, []byte, error) {
	status, desc := payproRaw(o)
	fields := map[string]string{
		"status": status, "message": desc, "platFormTradeNo": o.ProviderOrderID, "tradeNo": o.OrderID,
		"amount": o.Amount.String(), "timestamp": strconv.FormatInt(time.Now().UnixMilli(), 10),
	}
	if o.UTR != "" {
		fields["utr"] = o.UTR
	}
	if !o.Completed.IsZero() && o.Status == paygate.StatusSucceeded {
		fields["successTime"] = payproLocal(o.Completed)
	}
	if o.Kind == paygate.KindPayIn {
		fields["channelCode"], fields["wayCode"] = "UPI", "UPI"
	}
	fields["sign"] = signing.ConcatMD5(fields, f.b.Config().Secret)
	return fakeserver.JSONCallback(fields)
}

// Acked: the merchant must answer HTTP 200 with the body "OK".
func (f *payproFake) Acked(status int, body []byte) bool {
	return status == http.StatusOK && strings.TrimSpace(string(body)) == "OK"
}

// Schedule: the India pages do not give the retry intervals; the sandbox uses its default.
// (Other regions' pages of the platform state 8 attempts over 24 hours:
// 2s/5s/10s/30s/1h/3h/3h/3h.)
func (f *payproFake) Schedule() []int { return fakeserver.DefaultSchedule() }
