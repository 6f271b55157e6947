package caipaytest

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// caipayFake fakes CaiPay's API document: pay-ins GET with form-encoded query parameters,
// pay-outs and submitUtr POST JSON, searches GET; every request carries token, tenantId and
// signKey (values of the other non-empty parameters in key order + secret, MD5). Answers are
// the envelope {code, msg, data, ok}; refusals use the document's system status codes (its
// section 3.1) as both the HTTP status and the envelope code.
type caipayFake struct{ b *fakeserver.Books }

var spec = fakeserver.Register(fakeserver.Spec{Provider: Provider, Title: "CaiPay", APIKey: true, Currency: paygate.INR,
	New: func(b *fakeserver.Books) fakeserver.Fake { return &caipayFake{b: b} }})

const caipayPrefix = "/api/cai/out/v1/"

// caipayAmount is "two decimal places" (CaiPay's API document, sections 1.1 and 6).
var caipayAmount = regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)

// Routes: the endpoints of CaiPay's API document, and the cashier page its pay-in url names.
func (f *caipayFake) Routes() []fakeserver.Route {
	payIn := []string{"amount", "customerOrderNo", "callbackUrl", "rechargeName", "rechargeEmail", "rechargePhone"}
	// customerOrderNo is not among CaiPay's documented pay-out parameters: a pay-out without it
	// is accepted (the order is then kept under the platform's number).
	payOut := []string{"bankAccountName", "bankAccountNumber", "callbackUrl", "orderAmount", "payEmail", "payIfsc", "payPhone"}
	return []fakeserver.Route{
		{Pattern: "GET " + caipayPrefix + "payIn", Handler: f.handle(f.payIn(false), payIn...), Create: true},
		{Pattern: "GET " + caipayPrefix + "payIn-H2H", Handler: f.handle(f.payIn(true), payIn...), Create: true},
		{Pattern: "POST " + caipayPrefix + "payOut", Handler: f.handle(f.payOut, payOut...), Create: true},
		{Pattern: "GET " + caipayPrefix + "searchPayInResult", Handler: f.handle(f.search(paygate.KindPayIn), "customerOrderNo")},
		{Pattern: "GET " + caipayPrefix + "searchPayOutResult", Handler: f.handle(f.search(paygate.KindPayOut), "customerOrderNo")},
		{Pattern: "POST " + caipayPrefix + "submitUtr", Handler: f.handle(f.submitUTR, "transId", "UTR")},
		{Pattern: "GET /mobile/", Checkout: func(r *http.Request) string { return r.URL.Query().Get("trans") }},
	}
}

// caipayReply is an envelope: code 0 is success, anything else a refusal with msg.
type caipayReply struct {
	code int
	msg  string
	data any
}

func caipayRefuse(code int, msg string) caipayReply { return caipayReply{code: code, msg: msg} }

func (f *caipayFake) handle(next func(map[string]string) caipayReply, required ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fields, ok := f.fields(r)
		if !ok {
			f.write(w, caipayRefuse(400, "Bad request: unreadable parameters"))
			return
		}
		if fields["token"] != f.b.Config().APIKey || fields["tenantId"] != f.b.Config().MerchantID {
			f.write(w, caipayRefuse(401, "Unauthorized: unknown token or tenantId"))
			return
		}
		if !signing.Equal(fields["signKey"], signing.ValuesMD5(fields, f.b.Config().Secret)) {
			f.write(w, caipayRefuse(401, "Unauthorized: signKey verification failed"))
			return
		}
		if k := fakeserver.Missing(fields, required...); k != "" {
			f.write(w, caipayRefuse(400, "Bad request: "+k+" is required"))
			return
		}
		// Order.Fields keeps the request without its credential and signature: the dashboard
		// shows orders, and must never show a token.
		delete(fields, "token")
		delete(fields, "signKey")
		f.write(w, next(fields))
	}
}

// fields reads a GET's query parameters or a POST's JSON object. A repeated parameter is
// refused: it could be read two ways.
func (f *caipayFake) fields(r *http.Request) (map[string]string, bool) {
	if r.Method == http.MethodGet {
		out := map[string]string{}
		for k, vs := range r.URL.Query() {
			if len(vs) != 1 {
				return nil, false
			}
			out[k] = vs[0]
		}
		return out, true
	}
	body, err := fakeserver.ReadBody(r)
	if err != nil {
		return nil, false
	}
	fields, err := signing.Fields(body)
	return fields, err == nil
}

func (f *caipayFake) write(w http.ResponseWriter, rp caipayReply) {
	status := http.StatusOK
	var msg any // null on success, as in every sample of CaiPay's API document
	if rp.code != 0 {
		status, msg = rp.code, rp.msg
	}
	fakeserver.WriteJSON(w, status, map[string]any{"code": rp.code, "msg": msg, "data": rp.data, "ok": rp.code == 0})
}

// create stores an order after checking its amount, or returns the refusal.
func (f *caipayFake) create(kind paygate.Kind, prefix string, fields map[string]string, amountField string) (*fakeserver.Order, *caipayReply) {
	text := fields[amountField]
	amount, ok := fakeserver.Amount(text)
	if !ok || !caipayAmount.MatchString(text) {
		rp := caipayRefuse(400, "Bad request: "+amountField+" must be a positive amount with 2 decimal places")
		return nil, &rp
	}
	o := &fakeserver.Order{OrderID: fields["customerOrderNo"], Amount: amount, NotifyURL: fields["callbackUrl"], Fields: fields}
	stored, err := f.b.Create(kind, prefix, o)
	var rp caipayReply
	switch {
	case err == nil:
		return stored, nil
	case errors.Is(err, fakeserver.ErrDuplicate):
		rp = caipayRefuse(400, "Bad request: customerOrderNo already exists")
	default:
		rp = caipayRefuse(403, "Forbidden: "+err.Error())
	}
	return nil, &rp
}

func (f *caipayFake) payIn(h2h bool) func(map[string]string) caipayReply {
	return func(fields map[string]string) caipayReply {
		o, rp := f.create(paygate.KindPayIn, "19", fields, "amount")
		if rp != nil {
			return *rp
		}
		if !h2h {
			return caipayReply{data: map[string]any{
				"orderStatus": caipayRaw(o.Status), "customerOrderNo": o.OrderID, "platOrderNo": o.ProviderOrderID,
				"orderAmount": o.Amount.String(), "url": f.b.URL() + "/mobile/?trans=" + o.ProviderOrderID,
			}}
		}
		return caipayReply{data: map[string]any{
			"platOrderNo": o.ProviderOrderID, "orderStatus": caipayRaw(o.Status),
			"upi":             "upi://pay?pn=CaiPay&pa=caipay@upi&am=" + o.Amount.StringFixed(2) + "&tr=" + o.ProviderOrderID,
			"orderAmount":     json.Number(o.Amount.String()),
			"expireTime":      o.Created.Add(15 * time.Minute).In(wire.IST).Format(time.DateTime),
			"paytm":           "paytmmp://pay?pa=caipay@upi&am=" + o.Amount.StringFixed(2) + "&tr=" + o.ProviderOrderID,
			"customerOrderNo": o.OrderID,
		}}
	}
}

func (f *caipayFake) payOut(fields map[string]string) caipayReply {
	if len(fields["payIfsc"]) != 11 {
		return caipayRefuse(400, "Bad request: payIfsc must be 11 characters")
	}
	o, rp := f.create(paygate.KindPayOut, "29", fields, "orderAmount")
	if rp != nil {
		return *rp
	}
	return caipayReply{data: map[string]any{
		"orderStatus": caipayRaw(o.Status), "customerOrderNo": o.OrderID, "platOrderNo": o.ProviderOrderID,
		"orderAmount": o.Amount.String(),
	}}
}

func (f *caipayFake) search(kind paygate.Kind) func(map[string]string) caipayReply {
	return func(fields map[string]string) caipayReply {
		o, ok := f.b.Find(kind, fields["customerOrderNo"], "")
		if !ok {
			return caipayRefuse(400, "Bad request: order does not exist")
		}
		actual := decimal.Zero
		if o.Status == paygate.StatusSucceeded {
			actual = o.Amount
		}
		utr := o.UTR
		if utr == "" {
			utr = "None"
		}
		return caipayReply{data: map[string]any{
			"tenantId": f.b.Config().MerchantID, "customerOrderNo": o.OrderID, "amount": o.Amount.String(),
			"actualAmount": actual.String(), "status": caipayRaw(o.Status), "utr": utr,
		}}
	}
}

var caipayUTR = regexp.MustCompile(`^[0-9]{12}$`)

func (f *caipayFake) submitUTR(fields map[string]string) caipayReply {
	if !caipayUTR.MatchString(fields["UTR"]) {
		return caipayRefuse(400, "Bad request: UTR must be 12 digits")
	}
	o, ok := f.b.Find(paygate.KindPayIn, "", fields["transId"])
	if !ok {
		return caipayRefuse(400, "Bad request: order does not exist")
	}
	f.b.Update(paygate.KindPayIn, o.OrderID, func(o *fakeserver.Order) { o.UTR = fields["UTR"] })
	return caipayReply{}
}

// caipayRaw is the order status code for st (CaiPay's API document, section 3.2). CaiPay has no
// cancelled state: it is FAILED.
func caipayRaw(st paygate.Status) string {
	switch st {
	case paygate.StatusProcessing:
		return "PROCESSING"
	case paygate.StatusSucceeded:
		return "SUCCESS"
	case paygate.StatusFailed, paygate.StatusCancelled:
		return "FAILED"
	case paygate.StatusReversed:
		return "REVERSED"
	}
	return "PENDING"
}

// Callback builds CaiPay's callback: every value a string, signKey over all the others with
// the token among them. Pay-in and pay-out callbacks are identical, as CaiPay sends them.
func (f *caipayFake) Callback(o *fakeserver.Order) (http.Header, []byte, error) {
	utr := o.UTR
	if utr == "" {
		utr = "None"
	}
	fields := map[string]string{
		"customerOrderNo": o.OrderID, "description": "No data", "orderAmount": o.Amount.String(),
		"orderStatus": caipayRaw(o.Status), "payUtrNo": utr, "platOrderNo": o.ProviderOrderID,
		"orderMessage": caipayRaw(o.Status), "token": f.b.Config().APIKey,
	}
	fields["signKey"] = signing.ValuesMD5(fields, f.b.Config().Secret)
	return fakeserver.JSONCallback(fields)
}

// Acked: HTTP 200 and a body of exactly "success" (CaiPay's API document, section 4: all lower
// case, no quotes, no whitespace).
func (f *caipayFake) Acked(status int, body []byte) bool {
	return status == http.StatusOK && string(body) == "success"
}

// Schedule: CaiPay's API document says failed callbacks are retried up to 5 times without
// giving the intervals; the sandbox uses its default, as for CashGit.
func (f *caipayFake) Schedule() []int { return fakeserver.DefaultSchedule() }
