package cashgit_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
)

// The sample responses of CashGit's API document, one per endpoint.
const (
	payInOK = `{"code":200,"message":"订单创建成功","data":{"orderid":"ORDER_20231201001","platform_orderid":"CG202312010001",` +
		`"amount":"100.00","payurl":"https://payment.gateway.com/pay/abc123","qrcode":"https://api.qrserver.com/v1/create-qr-code/?data=...",` +
		`"status":"pending","pay_type":"native","expires_at":"2023-12-01T15:30:00+05:30"},"timestamp":1701422400000}`
	payInDirectOK = `{"code":200,"message":"订单创建成功","data":{"orderid":"ORDER_20231201001","platform_orderid":"CG202312010001",` +
		`"amount":"100.50","payurl":"upi://pay?pa=merchant@paytm&am=100.50&tr=CG202312010001","qrcode":"",` +
		`"status":"pending","pay_type":"intent","expires_at":"2023-12-01T15:30:00+05:30"},"timestamp":1701422400000}`
	payOutOK = `{"code":200,"message":"代付订单创建成功","data":{"orderid":"PAYOUT_20231201001","platform_orderid":"PO202312010001",` +
		`"amount":"500.00","fee":"10.00","actual_amount":"490.00","status":"processing","account_name":"Rajesh Kumar",` +
		`"account_number":"1234567890123456","created_at":1701422400000},"timestamp":1701422400000}`
	queryPayInOK = `{"code":200,"message":"查询成功","data":{"orderid":"ORDER_20231201001","platform_orderid":"CG202312010001",` +
		`"amount":"100.00","status":"paid","pay_type":"native","paytime":1701422400000,"utr":"341234567890","desc":"游戏充值",` +
		`"created_at":1701421800000,"updated_at":1701422400000},"timestamp":1701422400000}`
	queryPayOutOK = `{"code":200,"message":"查询成功","data":{"orderid":"PAYOUT_20231201001","platform_orderid":"PO202312010001",` +
		`"amount":"500.00","fee":"10.00","actual_amount":"490.00","status":"success","account_name":"Rajesh Kumar",` +
		`"account_number":"1234567890123456","ifsc":"SBIN0001234","utr":"341234567891","desc":"游戏提现",` +
		`"created_at":1701421800000,"completed_at":1701422400000},"timestamp":1701422400000}`
	balanceOK = `{"code":200,"message":"查询成功","data":{"balance":"10000.00","frozen_balance":"500.00",` +
		`"available_balance":"9500.00","currency":"INR","updated_at":1701422400000},"timestamp":1701422400000}`
	utrOK = `{"code":200,"message":"UTR补单提交成功","data":{"orderid":"ORDER_20231201001","utr":"341234567890",` +
		`"status":"processing","submitted_at":1701422400000},"timestamp":1701422400000}`
	closeOK = `{"code":200,"message":"订单关闭成功","data":{"orderid":"ORDER_20231201001","platform_orderid":"CG202312010001",` +
		`"status":"cancelled","closed_at":1701422400000},"timestamp":1701422400000}`
	upiOK = `{"code":200,"message":"查询成功","data":{"upi_list":[{"upi_id":"merchant@paytm","upi_name":"Merchant Account",` +
		`"status":"active","daily_limit":"500000.00"}],"total_count":1},"timestamp":1701422400000}`
)

// docTime is 1701422400000 ms, the document's timestamp.
var docTime = time.UnixMilli(1701422400000).UTC()

func payInRequest() *paygate.PayInRequest {
	return &paygate.PayInRequest{
		OrderID: "ORDER_20231201001", Amount: inr("100"), Remark: "游戏充值",
		Customer:  paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com"},
		NotifyURL: "https://merchant.com/notify", ReturnURL: "https://merchant.com/return",
	}
}

func payInDirectRequest() *paygate.PayInRequest {
	return &paygate.PayInRequest{
		OrderID: "ORDER_20231201001", Amount: inr("100.5"), Direct: true,
		Customer: paygate.Customer{Phone: "1234567890"}, NotifyURL: "https://merchant.com/notify",
	}
}

func payOutRequest() *paygate.PayOutRequest {
	return &paygate.PayOutRequest{
		OrderID: "PAYOUT_20231201001", Amount: inr("500.00"), Remark: "游戏提现",
		NotifyURL: "https://merchant.com/payout/notify",
		Beneficiary: paygate.Beneficiary{Name: "Rajesh Kumar", AccountNumber: "1234567890123456",
			IFSC: "SBIN0001234", Phone: "9876543210", Email: "rajesh@example.com", BankName: "State Bank of India"},
	}
}

// endpoint is one CashGit API call: what the client must send and what it must make of the
// document's answer.
type endpoint struct {
	name, op, path string
	create         bool
	orderID        string            // the order the call is about; "" for account calls
	canonical      string            // the signed string, written by hand from the rule
	fields         map[string]string // the exact body, sign excluded
	okBody         string
	call           func(ctx context.Context, c *cashgit.Client) (any, error)
	check          func(t *testing.T, res any)
}

func endpoints() []endpoint {
	return []endpoint{
		{
			name: "PayIn hosted", op: "payin", path: "/api/pay", create: true, orderID: "ORDER_20231201001",
			canonical: "amount=100.00&appid=M10001&desc=游戏充值&notify_url=https://merchant.com/notify" +
				"&orderid=ORDER_20231201001&pay_id=1&return_url=https://merchant.com/return",
			fields: map[string]string{"amount": "100.00", "appid": "M10001", "desc": "游戏充值",
				"notify_url": "https://merchant.com/notify", "orderid": "ORDER_20231201001", "pay_id": "1",
				"return_url": "https://merchant.com/return"},
			okBody: payInOK,
			call: func(ctx context.Context, c *cashgit.Client) (any, error) {
				return c.PayIn(ctx, payInRequest())
			},
			check: func(t *testing.T, res any) {
				r := res.(*paygate.PayInResult)
				require.Equal(t, "ORDER_20231201001", r.OrderID)
				require.Equal(t, "CG202312010001", r.ProviderOrderID)
				require.Equal(t, paygate.StatusPending, r.Status)
				require.Equal(t, "pending", r.RawStatus)
				requireMoney(t, "100.00", r.Amount)
				require.Equal(t, "https://payment.gateway.com/pay/abc123", r.PaymentURL)
				require.Empty(t, r.UPIURL)
				require.Equal(t, "https://api.qrserver.com/v1/create-qr-code/?data=...", r.QRCode)
				require.True(t, r.ExpiresAt.Equal(time.Date(2023, 12, 1, 10, 0, 0, 0, time.UTC)), "expires %s", r.ExpiresAt)
				require.JSONEq(t, payInOK, string(r.Raw))
			},
		},
		{
			name: "PayIn direct", op: "payin", path: "/api/pay", create: true, orderID: "ORDER_20231201001",
			canonical: "amount=100.50&appid=M10001&customer_phone=1234567890&notify_url=https://merchant.com/notify" +
				"&orderid=ORDER_20231201001&pay_id=2",
			fields: map[string]string{"amount": "100.50", "appid": "M10001", "customer_phone": "1234567890",
				"notify_url": "https://merchant.com/notify", "orderid": "ORDER_20231201001", "pay_id": "2"},
			okBody: payInDirectOK,
			call: func(ctx context.Context, c *cashgit.Client) (any, error) {
				return c.PayIn(ctx, payInDirectRequest())
			},
			check: func(t *testing.T, res any) {
				r := res.(*paygate.PayInResult)
				require.Equal(t, paygate.StatusPending, r.Status)
				requireMoney(t, "100.50", r.Amount)
				require.Equal(t, "upi://pay?pa=merchant@paytm&am=100.50&tr=CG202312010001", r.UPIURL)
				require.Equal(t, r.UPIURL, r.PaymentURL)
			},
		},
		{
			name: "PayOut", op: "payout", path: "/api/payout/create", create: true, orderID: "PAYOUT_20231201001",
			canonical: "account_name=Rajesh Kumar&account_number=1234567890123456&amount=500.00&appid=M10001" +
				"&desc=游戏提现&email=rajesh@example.com&ifsc=SBIN0001234&mobile=9876543210" +
				"&notify_url=https://merchant.com/payout/notify&orderid=PAYOUT_20231201001",
			fields: map[string]string{"account_name": "Rajesh Kumar", "account_number": "1234567890123456",
				"amount": "500.00", "appid": "M10001", "desc": "游戏提现", "email": "rajesh@example.com",
				"ifsc": "SBIN0001234", "mobile": "9876543210", "notify_url": "https://merchant.com/payout/notify",
				"orderid": "PAYOUT_20231201001"},
			okBody: payOutOK,
			call: func(ctx context.Context, c *cashgit.Client) (any, error) {
				return c.PayOut(ctx, payOutRequest())
			},
			check: func(t *testing.T, res any) {
				r := res.(*paygate.PayOutResult)
				require.Equal(t, "PAYOUT_20231201001", r.OrderID)
				require.Equal(t, "PO202312010001", r.ProviderOrderID)
				require.Equal(t, paygate.StatusProcessing, r.Status)
				require.Equal(t, "processing", r.RawStatus)
				requireMoney(t, "500.00", r.Amount)
				requireMoney(t, "10.00", r.Fee)
				require.JSONEq(t, payOutOK, string(r.Raw))
			},
		},
		{
			name: "Query pay-in", op: "query", path: "/api/query", orderID: "ORDER_20231201001",
			canonical: "appid=M10001&orderid=ORDER_20231201001",
			fields:    map[string]string{"appid": "M10001", "orderid": "ORDER_20231201001"},
			okBody:    queryPayInOK,
			call: func(ctx context.Context, c *cashgit.Client) (any, error) {
				return c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "ORDER_20231201001",
					ProviderOrderID: "CG202312010001"})
			},
			check: func(t *testing.T, res any) {
				o := res.(*paygate.Order)
				require.Equal(t, paygate.KindPayIn, o.Kind)
				require.Equal(t, "ORDER_20231201001", o.OrderID)
				require.Equal(t, "CG202312010001", o.ProviderOrderID)
				require.Equal(t, paygate.StatusSucceeded, o.Status)
				require.Equal(t, "paid", o.RawStatus)
				requireMoney(t, "100.00", o.Amount)
				requireMoney(t, "100.00", o.ActualAmount)
				require.Equal(t, "341234567890", o.UTR)
				require.True(t, o.CompletedAt.Equal(docTime), "completed %s", o.CompletedAt)
				require.JSONEq(t, queryPayInOK, string(o.Raw))
			},
		},
		{
			name: "Query pay-out", op: "query", path: "/api/payout/query", orderID: "PAYOUT_20231201001",
			canonical: "appid=M10001&orderid=PAYOUT_20231201001",
			fields:    map[string]string{"appid": "M10001", "orderid": "PAYOUT_20231201001"},
			okBody:    queryPayOutOK,
			call: func(ctx context.Context, c *cashgit.Client) (any, error) {
				return c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "PAYOUT_20231201001"})
			},
			check: func(t *testing.T, res any) {
				o := res.(*paygate.Order)
				require.Equal(t, paygate.KindPayOut, o.Kind)
				require.Equal(t, "PO202312010001", o.ProviderOrderID)
				require.Equal(t, paygate.StatusSucceeded, o.Status)
				require.Equal(t, "success", o.RawStatus)
				requireMoney(t, "500.00", o.Amount)
				requireMoney(t, "490.00", o.ActualAmount)
				requireMoney(t, "10.00", o.Fee)
				require.Equal(t, "341234567891", o.UTR)
				require.True(t, o.CompletedAt.Equal(docTime), "completed %s", o.CompletedAt)
			},
		},
		{
			name: "Balance", op: "balance", path: "/api/balance/query",
			canonical: "appid=M10001",
			fields:    map[string]string{"appid": "M10001"},
			okBody:    balanceOK,
			call: func(ctx context.Context, c *cashgit.Client) (any, error) {
				return c.Balance(ctx)
			},
			check: func(t *testing.T, res any) {
				b := res.(*paygate.Balance)
				requireMoney(t, "9500.00", b.Available)
				requireMoney(t, "500.00", b.Frozen)
				requireMoney(t, "0", b.Pending)
				require.JSONEq(t, balanceOK, string(b.Raw))
			},
		},
		{
			name: "SubmitUTR", op: "submit_utr", path: "/api/utr/submit", orderID: "ORDER_20231201001",
			canonical: "amount=100.00&appid=M10001&orderid=ORDER_20231201001&utr=341234567890",
			fields: map[string]string{"amount": "100.00", "appid": "M10001", "orderid": "ORDER_20231201001",
				"utr": "341234567890"},
			okBody: utrOK,
			call: func(ctx context.Context, c *cashgit.Client) (any, error) {
				return c.SubmitUTR(ctx, "ORDER_20231201001", "341234567890", inr("100"))
			},
			check: func(t *testing.T, res any) {
				r := res.(*cashgit.UTRResult)
				require.Equal(t, "ORDER_20231201001", r.OrderID)
				require.Equal(t, "341234567890", r.UTR)
				require.Equal(t, paygate.StatusProcessing, r.Status)
				require.Equal(t, "processing", r.RawStatus)
				require.True(t, r.SubmittedAt.Equal(docTime))
			},
		},
		{
			name: "Close", op: "close", path: "/api/close", orderID: "ORDER_20231201001",
			canonical: "appid=M10001&orderid=ORDER_20231201001",
			fields:    map[string]string{"appid": "M10001", "orderid": "ORDER_20231201001"},
			okBody:    closeOK,
			call: func(ctx context.Context, c *cashgit.Client) (any, error) {
				return c.Close(ctx, "ORDER_20231201001")
			},
			check: func(t *testing.T, res any) {
				r := res.(*cashgit.CloseResult)
				require.Equal(t, "ORDER_20231201001", r.OrderID)
				require.Equal(t, "CG202312010001", r.ProviderOrderID)
				require.Equal(t, paygate.StatusCancelled, r.Status)
				require.Equal(t, "cancelled", r.RawStatus)
				require.True(t, r.ClosedAt.Equal(docTime))
			},
		},
		{
			name: "UPIAccounts", op: "upi_accounts", path: "/api/upi/query",
			canonical: "appid=M10001",
			fields:    map[string]string{"appid": "M10001"},
			okBody:    upiOK,
			call: func(ctx context.Context, c *cashgit.Client) (any, error) {
				return c.UPIAccounts(ctx)
			},
			check: func(t *testing.T, res any) {
				list := res.([]cashgit.UPIAccount)
				require.Len(t, list, 1)
				require.Equal(t, "merchant@paytm", list[0].ID)
				require.Equal(t, "Merchant Account", list[0].Name)
				require.Equal(t, "active", list[0].Status)
				requireMoney(t, "500000.00", list[0].DailyLimit)
			},
		},
	}
}

// TestEndpointsSend checks, for every endpoint, the exact request (method, path, headers,
// body fields as strings, amount text, signature recomputed from the documented rule) and
// the normalized result of the document's sample answer, in both sign styles.
func TestEndpointsSend(t *testing.T) {
	styles := []struct {
		option string
		sign   func(canonical, secret string) string
	}{
		{"", keyParamSign}, // the default
		{cashgit.SignKeyParam, keyParamSign},
		{cashgit.SignAppend, appendSign},
	}
	for _, ep := range endpoints() {
		for _, st := range styles {
			t.Run(ep.name+"/"+st.option, func(t *testing.T) {
				p := newProvider(t, replyJSON(http.StatusOK, ep.okBody))
				c := client(t, p.srv.URL, map[string]string{"sign_style": st.option})
				res, err := ep.call(context.Background(), c)
				require.NoError(t, err)
				require.Equal(t, 1, p.calls())

				req := p.last(t)
				require.Equal(t, http.MethodPost, req.Method)
				require.Equal(t, ep.path, req.Path)
				require.Equal(t, "application/json", req.Header.Get("Content-Type"))
				require.Equal(t, "paygate-go/1", req.Header.Get("User-Agent"))
				want := map[string]string{"sign": st.sign(ep.canonical, testSecret)}
				for k, v := range ep.fields {
					want[k] = v
				}
				require.Equal(t, want, req.fields(t))
				require.NotContains(t, string(req.Body), testSecret, "the secret is never sent")
				ep.check(t, res)
			})
		}
	}
}

// TestEndpointsRefused: every code of the document's table, as a number or a string, is a
// *ProviderError with the code and message; 409/404 are classified, 429 is retryable for
// reads only, and a 5xx refusal of a create is outcome-unknown, as is a code the table does
// not list (201, 202: CashGit does not say the order was not made).
func TestEndpointsRefused(t *testing.T) {
	codes := []struct {
		code        string
		message     string
		duplicate   bool
		notFound    bool
		rateLimited bool
		uncertain   bool // on a create: outcome-unknown
	}{
		{code: "400", message: "参数错误: amount"},
		{code: "401", message: "认证失败"},
		{code: "403", message: "权限不足"},
		{code: "404", message: "资源不存在", notFound: true},
		{code: "409", message: "订单已存在", duplicate: true},
		{code: "429", message: "请求过频", rateLimited: true},
		{code: "500", message: "服务器内部错误", uncertain: true},
		{code: "502", message: "网关错误", uncertain: true},
		{code: "503", message: "服务不可用", uncertain: true},
		{code: `"409"`, duplicate: true}, // code as a string, message left out
		{code: "201", message: "created", uncertain: true},
		{code: "202", message: "accepted", uncertain: true},
		{code: "405", message: "method not allowed", uncertain: true},
		{code: `"OK"`, message: "ok", uncertain: true},
	}
	for _, ep := range endpoints() {
		for _, cc := range codes {
			t.Run(ep.name+"/"+cc.code, func(t *testing.T) {
				body := fmt.Sprintf(`{"code":%s,"message":%q,"data":null,"timestamp":1701422400000}`, cc.code, cc.message)
				p := newProvider(t, replyJSON(http.StatusOK, body))
				c := client(t, p.srv.URL, nil)
				res, err := ep.call(context.Background(), c)
				require.Error(t, err)
				require.Nil(t, nilIfTyped(res))
				require.Equal(t, 1, p.calls(), "a refusal in a 200 answer is not retried")

				var pe *paygate.ProviderError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, strings.Trim(cc.code, `"`), pe.Code)
				require.Equal(t, "cashgit", pe.Provider)
				require.Equal(t, ep.op, pe.Op)
				require.NotEmpty(t, pe.Message)
				if cc.message != "" {
					require.True(t, strings.HasPrefix(pe.Message, cc.message), pe.Message)
					require.Contains(t, err.Error(), cc.message)
				}
				require.Equal(t, cc.duplicate, errors.Is(err, paygate.ErrDuplicateOrder))
				require.Equal(t, cc.notFound, errors.Is(err, paygate.ErrOrderNotFound))
				require.Equal(t, cc.rateLimited && !ep.create, pe.Retryable, "Retryable")
				require.Equal(t, cc.uncertain && ep.create, errors.Is(err, paygate.ErrOutcomeUnknown), "outcome unknown")
				require.False(t, errors.Is(err, paygate.ErrMalformedResponse))
			})
		}
	}
}

// TestEndpointsRefusedWithHTTPStatus: the refusal comes with a matching HTTP status, as the
// sandbox answers: still a *ProviderError (reads retry 429 and 5xx first).
func TestEndpointsRefusedWithHTTPStatus(t *testing.T) {
	for _, ep := range endpoints() {
		t.Run(ep.name, func(t *testing.T) {
			p := newProvider(t, replyJSON(http.StatusConflict, `{"code":409,"message":"订单已存在: order already exists","data":null}`))
			_, err := ep.call(context.Background(), client(t, p.srv.URL, nil))
			var pe *paygate.ProviderError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, http.StatusConflict, pe.HTTPStatus)
			require.ErrorIs(t, err, paygate.ErrDuplicateOrder)
			require.Contains(t, err.Error(), "order already exists")

			p = newProvider(t, replyJSON(http.StatusTooManyRequests, `{"code":429,"message":"请求过频","data":null}`))
			_, err = ep.call(context.Background(), client(t, p.srv.URL, nil))
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "429", pe.Code)
			require.Equal(t, !ep.create, pe.Retryable)
			if ep.create {
				require.Equal(t, 1, p.calls(), "a create is never re-sent")
			} else {
				require.Equal(t, 2, p.calls(), "a read retries a 429 (MaxAttempts 2)")
			}
		})
	}
}

// TestEndpointsUnreadable: an HTML 502, truncated or non-JSON bodies, a success without data
// or for another order. Errors quote at most 256 bytes; creates are outcome-unknown.
func TestEndpointsUnreadable(t *testing.T) {
	page := "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>" +
		strings.Repeat("<!-- padding to make the page longer than a snippet -->", 20) + "<hr><center>nginx</center></body></html>"
	require.Greater(t, len(page), 600)

	cases := []struct {
		name   string
		status int
		html   bool
		body   string
		// skip reports endpoints for which the body is a valid answer.
		skip func(ep endpoint) bool
	}{
		{name: "HTML 502", status: http.StatusBadGateway, html: true, body: page},
		{name: "HTML 200", status: http.StatusOK, html: true, body: page},
		{name: "truncated JSON", status: http.StatusOK, body: `{"code":200,"message":"ok","data":{"orderid":"ORDER_2023`},
		{name: "not JSON", status: http.StatusOK, body: "OK"},
		{name: "empty body", status: http.StatusOK, body: ""},
		{name: "JSON null", status: http.StatusOK, body: "null"},
		{name: "envelope without code", status: http.StatusOK, body: `{"message":"ok","data":{"orderid":"ORDER_20231201001"}}`},
		{name: "array", status: http.StatusOK, body: `[{"code":200}]`},
		{name: "success without data", status: http.StatusOK, body: `{"code":200,"message":"ok","timestamp":1}`},
		{name: "success on HTTP 404", status: http.StatusNotFound, body: payInOK},
		{name: "success with null data", status: http.StatusOK, body: `{"code":200,"message":"ok","data":null}`},
		{name: "data of the wrong type", status: http.StatusOK, body: `{"code":200,"message":"ok","data":"done"}`},
		{name: "amount not a number", status: http.StatusOK,
			body: `{"code":200,"data":{"orderid":"ORDER_20231201001","amount":"1e3","available_balance":"1e3","fee":"x","daily_limit":"NaN","upi_list":[{"daily_limit":"NaN"}]}}`,
			skip: func(ep endpoint) bool { return ep.name == "SubmitUTR" || ep.name == "Close" }},
		{name: "empty data", status: http.StatusOK, body: `{"code":200,"message":"ok","data":{}}`,
			skip: func(ep endpoint) bool { return ep.name == "UPIAccounts" }}, // an empty list is an answer
		{name: "data about another order", status: http.StatusOK,
			body: `{"code":200,"message":"ok","data":{"orderid":"SOMEONE_ELSES_ORDER","status":"paid","amount":"100.00"}}`,
			skip: func(ep endpoint) bool { return ep.orderID == "" }},
	}
	for _, ep := range endpoints() {
		for _, tc := range cases {
			if tc.skip != nil && tc.skip(ep) {
				continue
			}
			t.Run(ep.name+"/"+tc.name, func(t *testing.T) {
				reply := replyJSON(tc.status, tc.body)
				if tc.html {
					reply = replyHTML(tc.status, tc.body)
				}
				p := newProvider(t, reply)
				res, err := ep.call(context.Background(), client(t, p.srv.URL, nil))
				require.Error(t, err)
				require.Nil(t, nilIfTyped(res), "never a zero-valued success")
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
				require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown), "outcome unknown: %v", err)
				if ep.create {
					var oe *paygate.OutcomeError
					require.ErrorAs(t, err, &oe)
					require.Equal(t, ep.orderID, oe.OrderID)
					require.Equal(t, 1, p.calls(), "a create is sent once")
				}
				var re *paygate.ResponseError
				require.ErrorAs(t, err, &re)
				require.LessOrEqual(t, len(strings.TrimSuffix(re.Snippet, "…")), 256)
				if len(tc.body) > 256 {
					require.NotContains(t, err.Error(), tc.body, "the error quotes at most 256 bytes")
					if tc.html {
						require.Contains(t, err.Error(), "502 Bad Gateway")
					}
				}
				if tc.status >= 500 && !ep.create {
					require.Equal(t, 2, p.calls(), "a read retries a 5xx (MaxAttempts 2)")
				}
			})
		}
	}
}

// TestEndpointsTimeout: a provider that never answers. Creates are outcome-unknown and were
// sent once; reads fail after their retries.
func TestEndpointsTimeout(t *testing.T) {
	for _, ep := range endpoints() {
		t.Run(ep.name+"/per-attempt timeout", func(t *testing.T) {
			p := newProvider(t, replyNever)
			c, err := cashgit.New(paygate.Config{MerchantID: testAppID, Secret: testSecret, BaseURL: p.srv.URL,
				Timeout: 100 * time.Millisecond, Options: map[string]string{"rate_limit": "0"}}, fastRetry)
			require.NoError(t, err)
			defer c.CloseIdleConnections()
			start := time.Now()
			res, err := ep.call(context.Background(), c)
			require.Error(t, err)
			require.Nil(t, nilIfTyped(res))
			require.Less(t, time.Since(start), 5*time.Second)
			if ep.create {
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
				var oe *paygate.OutcomeError
				require.ErrorAs(t, err, &oe)
				require.Equal(t, ep.orderID, oe.OrderID)
				require.LessOrEqual(t, p.calls(), 1, "a create is never re-sent")
			} else {
				require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
				var ce *paygate.CallError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, ep.op, ce.Op)
				require.Equal(t, 2, p.calls(), "a read is retried (MaxAttempts 2)")
			}
		})
		t.Run(ep.name+"/context deadline", func(t *testing.T) {
			p := newProvider(t, replyNever)
			c := client(t, p.srv.URL, nil)
			res, err := ep.call(ctxTimeout(t, 100*time.Millisecond), c)
			require.Error(t, err)
			require.Nil(t, nilIfTyped(res))
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown))
			require.LessOrEqual(t, p.calls(), 1, "nothing is retried past the caller's deadline")
		})
		t.Run(ep.name+"/cancelled before the call", func(t *testing.T) {
			p := newProvider(t, replyJSON(http.StatusOK, ep.okBody))
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := ep.call(ctx, client(t, p.srv.URL, nil))
			require.ErrorIs(t, err, context.Canceled)
			require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown, "nothing was sent")
			require.Zero(t, p.calls())
		})
	}
}

// nilIfTyped turns a typed nil pointer or slice inside an interface into a plain nil.
func nilIfTyped(v any) any {
	switch x := v.(type) {
	case *paygate.PayInResult:
		if x == nil {
			return nil
		}
	case *paygate.PayOutResult:
		if x == nil {
			return nil
		}
	case *paygate.Order:
		if x == nil {
			return nil
		}
	case *paygate.Balance:
		if x == nil {
			return nil
		}
	case *cashgit.UTRResult:
		if x == nil {
			return nil
		}
	case *cashgit.CloseResult:
		if x == nil {
			return nil
		}
	case []cashgit.UPIAccount:
		if x == nil {
			return nil
		}
	}
	return v
}
