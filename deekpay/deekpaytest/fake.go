package deekpaytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
	"github.com/paygate-go/paygate/signing"
)

// deekpayFake fakes HamBit's documentation (docs.hambit.co/indian): headers access_key,
// timestamp, nonce and sign on every request, sign = Base64(HMAC-SHA1) over the body's (a GET's
// query's) non-empty fields plus those three headers; envelope
// {"code":"200","success":true,"msg","msgEn","data"}; query endpoints answer with an array of
// orders.
//
// The documentation lists no error codes. The fake answers HTTP 200 with code "400" for a bad
// or missing parameter and a duplicate externalOrderId ("Duplicate externalOrderId: order
// already exists"), and "401" for an unknown access_key, a stale timestamp, a malformed nonce
// or a signature that does not verify.
type deekpayFake struct{ b *fakeserver.Books }

var spec = fakeserver.Register(fakeserver.Spec{Provider: Provider, Title: "DeekPay", APIKey: true, Currency: paygate.INR,
	New: func(b *fakeserver.Books) fakeserver.Fake { return &deekpayFake{b: b} }})

// deekpayTolerance is how far a request's timestamp may lie from the fake's clock.
const deekpayTolerance = 5 * time.Minute

// deekpayReply is an envelope: code, the Chinese and English messages, and data.
type deekpayReply struct {
	code       string
	msg, msgEn string
	data       any
}

func deekpayOK(data any) deekpayReply {
	return deekpayReply{code: "200", msg: "成功", msgEn: "SUCCESS", data: data}
}

func deekpayBad(msgEn string) deekpayReply {
	return deekpayReply{code: "400", msg: "参数错误", msgEn: msgEn}
}

func deekpayDenied(msgEn string) deekpayReply {
	return deekpayReply{code: "401", msg: "认证失败", msgEn: msgEn}
}

// Routes: the documented endpoints, and the cashier page a collecting order's cashierUrl names.
func (f *deekpayFake) Routes() []fakeserver.Route {
	ping := func(w http.ResponseWriter, _ *http.Request) {
		// A public interface (HamBit's documentation): no signature is required.
		f.write(w, deekpayOK(map[string]any{"version": "v3", "timestamp": time.Now().Unix()}))
	}
	return []fakeserver.Route{
		{Pattern: "GET /ping", Handler: ping},
		{Pattern: "POST /api/v3/ind/createCollectingOrder", Create: true,
			Handler: f.handle(f.payIn, "amount", "channelType", "externalOrderId")},
		{Pattern: "POST /api/v3/ind/createTransferOrder", Create: true,
			Handler: f.handle(f.payOut, "currencyAmount", "channelType", "externalOrderId", "accountId", "accountType")},
		{Pattern: "POST /api/v3/ind/query/collectingOrder", Handler: f.handle(f.query(paygate.KindPayIn))},
		{Pattern: "POST /api/v3/ind/query/transferOrder", Handler: f.handle(f.query(paygate.KindPayOut))},
		{Pattern: "GET /api/v3/ind/query/balance", Handler: f.handle(f.balance)},
		{Pattern: "POST /api/v3/ind/query/bank", Handler: f.handle(f.banks)},
		{Pattern: "GET /cashier/{id}", Checkout: func(r *http.Request) string { return r.PathValue("id") }},
	}
}

// handle authenticates a request as HamBit's documentation describes (access_key, timestamp,
// nonce and sign headers; sign over the sorted fields), checks required fields, and answers
// with next's envelope.
func (f *deekpayFake) handle(next func(map[string]string) deekpayReply, required ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fields := map[string]string{}
		if r.Method == http.MethodGet {
			for k, vs := range r.URL.Query() {
				fields[k] = vs[0]
			}
		} else {
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				f.write(w, deekpayBad("Content-Type must be application/json"))
				return
			}
			body, err := fakeserver.ReadBody(r)
			if err != nil {
				f.write(w, deekpayBad("unreadable body"))
				return
			}
			if fields, err = signing.Fields(body); err != nil {
				f.write(w, deekpayBad("body is not a JSON object"))
				return
			}
		}
		if rp := f.authenticate(r.Header, fields); rp != nil {
			f.write(w, *rp)
			return
		}
		if k := fakeserver.Missing(fields, required...); k != "" {
			f.write(w, deekpayBad(k+" is required"))
			return
		}
		f.write(w, next(fields))
	}
}

func (f *deekpayFake) authenticate(h http.Header, fields map[string]string) *deekpayReply {
	key, ts, nonce, sign := h.Get("access_key"), h.Get("timestamp"), h.Get("nonce"), h.Get("sign")
	deny := func(msg string) *deekpayReply { rp := deekpayDenied(msg); return &rp }
	switch {
	case key == "" || ts == "" || nonce == "" || sign == "":
		return deny("access_key, timestamp, nonce and sign headers are required")
	case key != f.b.Config().APIKey:
		return deny("invalid access_key")
	case !deekpayUUID(nonce):
		return deny("nonce must be a UUID (36 characters)")
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(ts) != 13 {
		return deny("timestamp must be 13 digits of milliseconds")
	}
	if d := time.Since(time.UnixMilli(ms)); d > deekpayTolerance || d < -deekpayTolerance {
		return deny("timestamp expired")
	}
	signed := make(map[string]string, len(fields)+3)
	for k, v := range fields {
		signed[k] = v
	}
	signed["access_key"], signed["timestamp"], signed["nonce"] = key, ts, nonce
	if !signing.Equal(sign, signing.HMACSHA1(signed, f.b.Config().Secret)) {
		return deny("sign verification failed")
	}
	return nil
}

func (f *deekpayFake) write(w http.ResponseWriter, rp deekpayReply) {
	fakeserver.WriteJSON(w, http.StatusOK, map[string]any{"code": rp.code, "success": rp.code == "200",
		"msg": rp.msg, "msgEn": rp.msgEn, "data": rp.data})
}

// limits checks the documented lengths and the notify URL.
func (f *deekpayFake) limits(fields map[string]string) *deekpayReply {
	bad := func(msg string) *deekpayReply { rp := deekpayBad(msg); return &rp }
	switch {
	case utf8.RuneCountInString(fields["externalOrderId"]) > 64:
		return bad("externalOrderId must be at most 64 characters")
	case utf8.RuneCountInString(fields["remark"]) > 255:
		return bad("remark must be at most 255 characters")
	}
	for _, k := range []string{"notifyUrl", "returnUrl"} {
		if v := fields[k]; v != "" {
			if u, err := url.Parse(v); err != nil || u.Host == "" {
				return bad(k + " is not a URL")
			}
		}
	}
	return nil
}

func (f *deekpayFake) create(kind paygate.Kind, prefix, amount string, fields map[string]string) (*fakeserver.Order, *deekpayReply) {
	if rp := f.limits(fields); rp != nil {
		return nil, rp
	}
	// HamBit's documentation: positive, at most 2 places.
	d, ok := fakeserver.Amount(amount)
	if !ok {
		rp := deekpayBad("amount must be positive with no more than 2 decimal places")
		return nil, &rp
	}
	o := &fakeserver.Order{OrderID: fields["externalOrderId"], Amount: d, NotifyURL: fields["notifyUrl"],
		ReturnURL: fields["returnUrl"], Fields: fields}
	if kind == paygate.KindPayOut {
		o.Fee = decimal.NewFromInt(10)
	}
	stored, err := f.b.Create(kind, prefix, o)
	switch {
	case err == nil:
		return stored, nil
	case errors.Is(err, fakeserver.ErrDuplicate):
		rp := deekpayReply{code: "400", msg: "订单号重复", msgEn: "Duplicate externalOrderId: order already exists"}
		return nil, &rp
	default:
		rp := deekpayBad(err.Error())
		return nil, &rp
	}
}

func (f *deekpayFake) payIn(fields map[string]string) deekpayReply {
	o, rp := f.create(paygate.KindPayIn, "DKC", fields["amount"], fields)
	if rp != nil {
		return *rp
	}
	return deekpayOK(map[string]any{
		"cashierUrl": f.b.URL() + "/cashier/" + o.ProviderOrderID, "orderId": o.ProviderOrderID,
		"externalOrderId": o.OrderID, "currency": "INR", "amount": fields["amount"], "tradeNote": fields["remark"],
	})
}

func (f *deekpayFake) payOut(fields map[string]string) deekpayReply {
	if fields["ifSC"] == "" {
		return deekpayBad("ifSC is required")
	}
	o, rp := f.create(paygate.KindPayOut, "DKT", fields["currencyAmount"], fields)
	if rp != nil {
		return *rp
	}
	// HamBit's documentation types the create-payout answer's orderStatus String (the queries'
	// is int64).
	status, _ := deekpayStatus(o)
	return deekpayOK(map[string]any{
		"orderId": o.ProviderOrderID, "orderStatus": fmt.Sprint(status), "externalOrderId": o.OrderID, "currencyType": "INR",
	})
}

func (f *deekpayFake) query(kind paygate.Kind) func(map[string]string) deekpayReply {
	return func(fields map[string]string) deekpayReply {
		if fields["externalOrderId"] == "" && fields["orderId"] == "" {
			return deekpayBad("externalOrderId or orderId is required")
		}
		o, ok := f.b.Find(kind, fields["externalOrderId"], fields["orderId"])
		if !ok || (fields["orderId"] != "" && o.ProviderOrderID != fields["orderId"]) {
			return deekpayOK([]any{})
		}
		return deekpayOK([]any{deekpayOrder(&o)})
	}
}

func (f *deekpayFake) balance(map[string]string) deekpayReply {
	available, frozen := f.b.Funds()
	return deekpayOK(map[string]any{
		"accountBalance": available.StringFixed(2), "accountFreezeAmount": frozen.StringFixed(2),
		"accountStatusId": 1, "accountWaitSettledAmount": "0.00", "currencyType": "INR", "accountStatus": "NORMAL",
	})
}

// deekpayBanks is a part of the bank list in HamBit's documentation.
var deekpayBanks = [][2]string{
	{"State Bank of India", "SBIN"}, {"HDFC Bank", "HDFC"}, {"ICICI Bank", "ICIC"}, {"Axis Bank", "UTIB"},
	{"Yes Bank", "YESB"}, {"Punjab National Bank", "PUNB"}, {"Bank of Baroda", "BARB"}, {"UPI", "UPI"},
}

func (f *deekpayFake) banks(fields map[string]string) deekpayReply {
	if _, ok := fields["bankName"]; !ok {
		return deekpayBad("bankName is required (an empty string lists every bank)")
	}
	want := strings.ToLower(fields["bankName"])
	out := []any{}
	for i, b := range deekpayBanks {
		if want == "" || strings.Contains(strings.ToLower(b[0]), want) {
			out = append(out, map[string]any{"bankName": b[0], "bankCode": b[1], "currencyType": "INR",
				"channelBankId": strconv.Itoa(1001 + i), "channelId": "11"})
		}
	}
	return deekpayOK(out)
}

// deekpayStatus is o's orderStatus and orderStatusCode: the number of the documentation's
// status table for o's kind, or a text where the table has none (a failed or cancelled
// collection).
func deekpayStatus(o *fakeserver.Order) (any, string) {
	if o.Kind == paygate.KindPayIn {
		switch o.Status {
		case paygate.StatusSucceeded:
			return 2, "Payment successful"
		case paygate.StatusFailed:
			return "Failed", "Failed"
		case paygate.StatusCancelled:
			return "Cancelled", "Cancelled"
		case paygate.StatusReversed:
			return "Reversed", "Reversed"
		}
		return 1, "to be paid"
	}
	switch o.Status {
	case paygate.StatusProcessing:
		return 2, "Bank processing in progress"
	case paygate.StatusSucceeded:
		return 8, "Success"
	case paygate.StatusFailed:
		return 16, "Failure"
	case paygate.StatusCancelled:
		return "Cancelled", "Cancelled"
	case paygate.StatusReversed:
		return "Reversed", "Reversed"
	}
	return 1, "Accepted"
}

// deekpayOrder is the order object of HamBit's documented collecting and payout order queries,
// as the queries and the callbacks carry it.
func deekpayOrder(o *fakeserver.Order) map[string]any {
	status, statusCode := deekpayStatus(o)
	orderType, typeCode, payType := 1, "COLLECTION", 102
	if o.Kind == paygate.KindPayOut {
		orderType, typeCode, payType = 2, "PAYMENT", 202
	}
	actual := "0.00"
	if o.Status == paygate.StatusSucceeded {
		actual = o.Amount.Sub(o.Fee).StringFixed(2)
	}
	return map[string]any{
		"orderId": o.ProviderOrderID, "cashierId": "C" + o.ProviderOrderID, "orderType": orderType,
		"orderResourceType": 2, "userId": "U10001", "orderStatus": status, "orderTime": fakeserver.Millis(o.Created),
		"channelOrderId": o.UTR, "externalOrderId": o.OrderID, "orderAmount": o.Amount.StringFixed(2),
		"orderActualAmount": actual, "orderFee": o.Fee.IntPart(), "orderPayTime": fakeserver.Millis(o.Completed),
		"orderCompleteTime": fakeserver.Millis(o.Completed), "currencyType": "INR", "payType": payType,
		"tradeNote": o.Fields["remark"], "notifyUrl": o.NotifyURL, "markStatus": 0, "errorMsg": "",
		"errorMsgEn": "", "accountType": o.Fields["accountType"], "accountName": o.Fields["userInfoName"],
		"accountNo": o.Fields["accountId"], "orderTypeCode": typeCode, "orderResourceTypeCode": "LEGAL_TENDER",
		"orderStatusCode": statusCode, "payTypeCode": "BANK",
	}
}

// deekpayStatusText is the callback's orderStatus: a text, as HamBit's own integrations send
// and expect it ("Completed", "Failed"), where the queries answer with the document's numbers.
func deekpayStatusText(st paygate.Status) string {
	switch st {
	case paygate.StatusSucceeded:
		return "Completed"
	case paygate.StatusFailed:
		return "Failed"
	case paygate.StatusCancelled:
		return "Cancelled"
	case paygate.StatusReversed:
		return "Reversed"
	case paygate.StatusProcessing:
		return "Processing"
	}
	return "Pending"
}

// Callback builds DeekPay's callback: the order object as the queries return it but with
// orderStatus as text, with access_key, timestamp, nonce and sign headers; sign covers the
// body's fields (numbers as their JSON text) plus the three header values.
func (f *deekpayFake) Callback(o *fakeserver.Order) (http.Header, []byte, error) {
	order := deekpayOrder(o)
	order["orderStatus"] = deekpayStatusText(o.Status)
	body, err := json.Marshal(order)
	if err != nil {
		return nil, nil, err
	}
	fields, err := signing.Fields(body)
	if err != nil {
		return nil, nil, err
	}
	ts, nonce := strconv.FormatInt(time.Now().UnixMilli(), 10), uuid.NewString()
	fields["access_key"], fields["timestamp"], fields["nonce"] = f.b.Config().APIKey, ts, nonce
	h := http.Header{}
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("access_key", f.b.Config().APIKey)
	h.Set("timestamp", ts)
	h.Set("nonce", nonce)
	h.Set("sign", signing.HMACSHA1(fields, f.b.Config().Secret))
	return h, body, nil
}

// Acked: DeekPay wants HTTP 200 and a JSON body {"code":200,"success":true} (code as a number
// or a string).
func (f *deekpayFake) Acked(status int, body []byte) bool {
	if status != http.StatusOK {
		return false
	}
	var v struct {
		Code    json.RawMessage `json:"code"`
		Success bool            `json:"success"`
	}
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	code := strings.Trim(string(v.Code), `"`)
	return code == "200" && v.Success
}

// Schedule: HamBit does not document callback retries; the sandbox uses its default.
func (f *deekpayFake) Schedule() []int { return fakeserver.DefaultSchedule() }

// deekpayUUID reports whether s has the 8-4-4-4-12 hex form of a UUID.
func deekpayUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}
