package cashytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
	"github.com/paygate-go/paygate/internal/wire"
	"github.com/paygate-go/paygate/signing"
)

// cashyFake fakes the pay-in, pay-in query, pay-out, pay-out query and balance endpoints of
// Cashy's public documentation (docs.cashypro.com): POST JSON everywhere with the MerchantId
// and Sign headers, Sign the upper-case hex MD5 of the raw body followed by the secret;
// envelope {code, msg, data}, code 200 on success and 500 with a msg on refusal. Messages
// Cashy does not document (a missing parameter, an unknown order, too little balance) are the
// sandbox's own.
type cashyFake struct{ b *fakeserver.Books }

var spec = fakeserver.Register(fakeserver.Spec{Provider: Provider, Title: "Cashy", Currency: paygate.PKR,
	New: func(b *fakeserver.Books) fakeserver.Fake { return &cashyFake{b: b} }})

// Cashy's messages. Sign_verify_error and Payin_Order_Error are Cashy's documented ones; the
// others are the sandbox's wording for refusals Cashy does not document.
const (
	cashySignError    = "Sign_verify_error"
	cashyPayInError   = "Payin_Order_Error"
	cashyPayOutError  = "Payout_Order_Error"
	cashyMerchantErr  = "Merchant_Not_Exist"
	cashyParamError   = "Param_Error"
	cashyNotFound     = "Order_Not_Exist"
	cashyBalanceError = "Balance_Not_Enough"
)

var (
	cashyMin, cashyMax = decimal.NewFromInt(100), decimal.NewFromInt(50000)
	cashyPayInFeeRate  = decimal.RequireFromString("0.025")
	cashyPayOutFee     = decimal.RequireFromString("30")
)

// Routes: Cashy's endpoints, and the pay desk a pay-in's payDeskUrl names.
func (f *cashyFake) Routes() []fakeserver.Route {
	return []fakeserver.Route{
		{Pattern: "POST /api/payIn", Handler: f.handle(f.payIn), Create: true},
		{Pattern: "POST /api/payInQuery", Handler: f.handle(f.query(paygate.KindPayIn))},
		{Pattern: "POST /api/payOut", Handler: f.handle(f.payOut), Create: true},
		{Pattern: "POST /api/payOutQuery", Handler: f.handle(f.query(paygate.KindPayOut))},
		{Pattern: "POST /api/getBalance", Handler: f.handle(f.balance)},
		{Pattern: "GET /pay/{id}", Checkout: func(r *http.Request) string { return r.PathValue("id") }},
	}
}

// cashyReq is one verified request: its fields as text, and as raw JSON to check types.
type cashyReq struct {
	fields map[string]string
	raw    map[string]json.RawMessage
}

// cashyReply is an envelope: a msg other than SUCCESS is a refusal with code 500.
type cashyReply struct {
	msg  string
	data any
}

func cashyRefuse(msg string) cashyReply { return cashyReply{msg: msg} }

func (f *cashyFake) handle(next func(*cashyReq) cashyReply) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := fakeserver.ReadBody(r)
		if err != nil {
			f.write(w, cashyRefuse(cashyParamError))
			return
		}
		if r.Header.Get("MerchantId") != f.b.Config().MerchantID {
			f.write(w, cashyRefuse(cashyMerchantErr))
			return
		}
		if !signing.Equal(r.Header.Get("Sign"), signing.BodyMD5(body, f.b.Config().Secret)) {
			f.write(w, cashyRefuse(cashySignError))
			return
		}
		req := &cashyReq{}
		if req.fields, err = signing.Fields(body); err != nil || json.Unmarshal(body, &req.raw) != nil {
			f.write(w, cashyRefuse(cashyParamError))
			return
		}
		if req.fields["nonceStr"] == "" || len(req.fields["nonceStr"]) > 32 {
			f.write(w, cashyRefuse(cashyParamError+": nonceStr"))
			return
		}
		f.write(w, next(req))
	}
}

func (f *cashyFake) write(w http.ResponseWriter, rp cashyReply) {
	if rp.msg != "" {
		fakeserver.WriteJSON(w, http.StatusOK, map[string]any{"code": 500, "msg": rp.msg})
		return
	}
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{"code": 200, "msg": "SUCCESS", "data": rp.data})
}

// required checks that every key is present and non-empty, at most max characters.
func (r *cashyReq) required(max int, keys ...string) error {
	for _, k := range keys {
		v := r.fields[k]
		if v == "" {
			return fmt.Errorf("%s is required", k)
		}
		if len([]rune(v)) > max {
			return fmt.Errorf("%s is longer than %d", k, max)
		}
	}
	return nil
}

// integer reports whether key holds a JSON number without a fraction.
func (r *cashyReq) integer(key string) bool {
	v := strings.TrimSpace(string(r.raw[key]))
	if v == "" || v[0] == '"' || strings.ContainsAny(v, ".eE") {
		return false
	}
	_, err := decimal.NewFromString(v)
	return err == nil && v[0] != '-'
}

// amount checks currency PKR and an amount of 100.00–50000.00 with at most two decimals.
func (r *cashyReq) amount() (decimal.Decimal, error) {
	if r.fields["currency"] != string(paygate.PKR) {
		return decimal.Decimal{}, errors.New("currency must be PKR")
	}
	d, ok := fakeserver.Amount(r.fields["amount"])
	if !ok || d.LessThan(cashyMin) || d.GreaterThan(cashyMax) {
		return decimal.Decimal{}, errors.New("amount must be 100.00-50000.00")
	}
	return d, nil
}

// order checks what a pay-in and a pay-out request share, in this order: every one of keys is
// present and at most 32 characters, notifyUrl at most 250; then own, the checks of the kind's
// own parameters (nil for none); then the currency and the amount. It returns the order the
// request describes, whose fee and status are the kind's to set, or the first problem.
func (r *cashyReq) order(own func() error, keys ...string) (*fakeserver.Order, error) {
	err := r.required(32, keys...)
	if err == nil {
		err = r.required(250, "notifyUrl")
	}
	if err == nil && own != nil {
		err = own()
	}
	if err != nil {
		return nil, err
	}
	amount, err := r.amount()
	if err != nil {
		return nil, err
	}
	return &fakeserver.Order{OrderID: r.fields["mchOrderNo"], Amount: amount, NotifyURL: r.fields["notifyUrl"],
		Fields: r.fields}, nil
}

// payInParams checks a pay-in's own parameters.
func (r *cashyReq) payInParams() error {
	switch {
	case !r.integer("payType"):
		return errors.New("payType must be an int")
	case string(r.raw["reusableStatus"]) != "false":
		return errors.New("reusableStatus can only be false")
	case !r.integer("expireTime") || r.fields["expireTime"] == "0":
		return errors.New("expireTime must be a positive number of seconds")
	case len(r.fields["idType"]) > 32:
		return errors.New("idType is longer than 32")
	}
	return nil
}

func (f *cashyFake) payIn(r *cashyReq) cashyReply {
	o, err := r.order(r.payInParams, "currency", "payType", "amount", "reusableStatus", "mchOrderNo",
		"expireTime", "nonceStr", "remark", "realName", "phone", "email", "idCard")
	if err != nil {
		return cashyRefuse(cashyParamError + ": " + err.Error())
	}
	o.Fee = o.Amount.Mul(cashyPayInFeeRate).Round(4)
	if o, err = f.b.Create(paygate.KindPayIn, "PAYIN", o); err != nil {
		return cashyRefuse(cashyPayInError) // Cashy's refusal of a pay-in, duplicates included
	}
	return cashyReply{data: map[string]any{
		"merchantId": f.b.Config().MerchantID, "mchOrderNo": o.OrderID, "orderNo": o.ProviderOrderID,
		"payCode": cashyPayCode(o), "payUrl": nil, "payDeskUrl": f.b.URL() + "/pay/" + o.ProviderOrderID,
		"amount": json.Number(o.Amount.StringFixed(2)),
	}}
}

func (f *cashyFake) payOut(r *cashyReq) cashyReply {
	o, err := r.order(nil, "accountName", "accountNo", "accountType", "currency", "amount", "bankId",
		"mchOrderNo", "nonceStr", "remark")
	if err != nil {
		return cashyRefuse(cashyParamError + ": " + err.Error())
	}
	o.Fee, o.Status = cashyPayOutFee, paygate.StatusProcessing
	o, err = f.b.Create(paygate.KindPayOut, "PAYOUT", o)
	switch {
	case errors.Is(err, fakeserver.ErrInsufficient):
		return cashyRefuse(cashyBalanceError)
	case err != nil:
		return cashyRefuse(cashyPayOutError)
	}
	return cashyReply{data: map[string]any{
		"merchantId": f.b.Config().MerchantID, "mchOrderNo": o.OrderID, "orderNo": o.ProviderOrderID,
		"amount": o.Amount.StringFixed(2), "fee": cashyExact(o.Fee), "orderStatus": cashyRaw(o),
	}}
}

func (f *cashyFake) query(kind paygate.Kind) func(*cashyReq) cashyReply {
	return func(r *cashyReq) cashyReply {
		mch, no := r.fields["mchOrderNo"], r.fields["orderNo"]
		if mch == "" && no == "" {
			return cashyRefuse(cashyParamError + ": mchOrderNo or orderNo is required")
		}
		o, ok := f.b.Find(kind, mch, no)
		if !ok || (mch != "" && o.OrderID != mch) || (no != "" && o.ProviderOrderID != no) {
			return cashyRefuse(cashyNotFound)
		}
		data := map[string]any{
			"merchantId": f.b.Config().MerchantID, "mchOrderNo": o.OrderID, "orderNo": o.ProviderOrderID,
			"channelOrderNo": o.UTR, "amount": o.Amount.StringFixed(2), "fee": cashyExact(o.Fee),
			"orderStatus": cashyRaw(&o), "completionTime": cashyTime(o.Completed), "nonceStr": nil,
		}
		if kind == paygate.KindPayIn {
			data["payType"], data["payCode"] = o.Fields["payType"], cashyPayCode(&o)
			data["payUrl"], data["payDeskUrl"] = "", f.b.URL()+"/pay/"+o.ProviderOrderID
		} else {
			for _, k := range []string{"accountName", "accountNo", "accountType", "bankId"} {
				data[k] = o.Fields[k]
			}
		}
		return cashyReply{data: data}
	}
}

func (f *cashyFake) balance(*cashyReq) cashyReply {
	available, frozen := f.b.Funds()
	return cashyReply{data: map[string]any{
		"merchantId": f.b.Config().MerchantID, "balance": cashyExact(available), "unBalance": cashyExact(frozen),
	}}
}

// cashyExact writes d with at least two decimal places and never fewer than it has: a pay-in
// fee has four (Cashy's documentation types fee decimal(20,4)), and so may the balance it is
// taken from.
func cashyExact(d decimal.Decimal) string { return d.StringFixed(max(2, -d.Exponent())) }

// cashyRaw is Cashy's word for o's status, from the table of o's kind.
func cashyRaw(o *fakeserver.Order) string {
	if o.Kind == paygate.KindPayIn {
		switch o.Status {
		case paygate.StatusSucceeded:
			return "SUCCESS"
		case paygate.StatusFailed, paygate.StatusCancelled, paygate.StatusReversed:
			return "FAIL"
		}
		return "PAYING"
	}
	switch o.Status {
	case paygate.StatusPending:
		return "WAITING"
	case paygate.StatusSucceeded:
		return "SUCCESS"
	case paygate.StatusFailed, paygate.StatusReversed:
		return "FAIL"
	case paygate.StatusCancelled:
		return "CANCEL"
	}
	return "PROCESSING"
}

// cashyPayCode is the order's payment account (VA): digits derived from its number.
func cashyPayCode(o *fakeserver.Order) string {
	return "6460" + strings.TrimPrefix(o.ProviderOrderID, "PAYIN")
}

// cashyTime is completionTime, "yyyy-MM-dd HH:mm:ss" in Pakistan time, or null.
func cashyTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(wire.PKT).Format(time.DateTime)
}

// Callback builds Cashy's webhook as the documentation's samples show it: amount and fee as
// JSON numbers (two and four decimals), merchantId as a string, the order's type and patch
// fields for a pay-in, the beneficiary's fields for a pay-out; MerchantId and Sign headers,
// Sign over the exact body sent.
func (f *cashyFake) Callback(o *fakeserver.Order) (http.Header, []byte, error) {
	body := map[string]any{
		"amount":         json.Number(o.Amount.StringFixed(2)),
		"fee":            json.Number(o.Fee.StringFixed(4)),
		"completionTime": cashyTime(o.Completed),
		"mchOrderNo":     o.OrderID,
		"merchantId":     f.b.Config().MerchantID,
		"nonceStr":       fmt.Sprint(time.Now().UnixMilli()),
		"orderNo":        o.ProviderOrderID,
		"orderStatus":    cashyRaw(o),
	}
	if o.UTR != "" {
		body["channelOrderNo"] = o.UTR
	}
	if o.Kind == paygate.KindPayIn {
		body["payType"] = o.Fields["payType"]
		body["payCode"] = cashyPayCode(o)
		body["payUrl"] = f.b.URL() + "/pay/" + o.ProviderOrderID
		body["orderType"] = "API"
		body["patchMchOrderNo"], body["patchOrderNo"] = o.OrderID, o.ProviderOrderID
		if o.Fields["orderType"] == "PATCH" {
			body["orderType"] = "PATCH"
			body["patchMchOrderNo"], body["patchOrderNo"] = o.Fields["patchMchOrderNo"], o.Fields["patchOrderNo"]
		}
	} else {
		for _, k := range []string{"accountName", "accountNo", "accountType", "bankId"} {
			body[k] = o.Fields[k]
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("MerchantId", f.b.Config().MerchantID)
	h.Set("Sign", signing.BodyMD5(b, f.b.Config().Secret))
	return h, b, nil
}

// Acked: Cashy counts HTTP 200, 301 and 302 as received, whatever the body.
func (f *cashyFake) Acked(status int, _ []byte) bool {
	return status == http.StatusOK || status == http.StatusMovedPermanently || status == http.StatusFound
}

// Schedule: Cashy retries a failed webhook after 1, 2, 4, 8, 16, 32, 64, 128, 256 and 512
// minutes.
func (f *cashyFake) Schedule() []int { return []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512} }

// Patch makes a Cashy supplementary (PATCH) payment of paid against the pay-in orderID, as
// Cashy does when a customer pays another amount than the order's or pays twice: a new pay-in
// whose mchOrderNo is orderID followed by a five-digit serial (00001, 00002, ...), whose
// patchMchOrderNo and patchOrderNo name the original order, and whose webhook (orderType
// PATCH) goes to the original order's notify URL. Server.CashyPatch settles it.
func (f *cashyFake) Patch(orderID string, paid decimal.Decimal) (string, error) {
	if !paid.IsPositive() || !paid.Equal(paid.Truncate(2)) {
		// Cashy's amounts are decimal(20,2): anything else would be rounded on the wire.
		return "", fmt.Errorf("sandbox: CashyPatch: paid %s must be positive with at most two decimal places", paid)
	}
	orig, ok := f.b.Find(paygate.KindPayIn, orderID, "")
	if !ok {
		return "", fmt.Errorf("%w: %q", fakeserver.ErrNoOrder, orderID)
	}
	for serial := 1; serial < 100000; serial++ {
		id := fmt.Sprintf("%s%05d", orderID, serial)
		_, err := f.b.Create(paygate.KindPayIn, "PAYIN", &fakeserver.Order{
			OrderID: id, Amount: paid, Fee: paid.Mul(cashyPayInFeeRate).Round(4), NotifyURL: orig.NotifyURL,
			Fields: map[string]string{"orderType": "PATCH", "patchMchOrderNo": orig.OrderID,
				"patchOrderNo": orig.ProviderOrderID, "payType": orig.Fields["payType"]},
		})
		if errors.Is(err, fakeserver.ErrDuplicate) {
			continue
		}
		return id, err
	}
	return "", errors.New("sandbox: too many supplementary payments")
}
