package cashgit_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashgit"
)

// requireInvalid asserts err is a *ValidationError naming field, from op, and that the
// provider saw nothing.
func requireInvalid(t *testing.T, p *provider, err error, op, field string) {
	t.Helper()
	require.ErrorIs(t, err, paygate.ErrInvalidRequest)
	var ve *paygate.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, field, ve.Field, "error: %v", err)
	require.Equal(t, "cashgit", ve.Provider)
	require.Equal(t, op, ve.Op)
	require.Zero(t, p.calls(), "validation happens before any I/O")
}

func TestPayInInvalid(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(r *paygate.PayInRequest)
		field string
	}{
		{"no order id", func(r *paygate.PayInRequest) { r.OrderID = "" }, "OrderID"},
		{"order id of 5 characters", func(r *paygate.PayInRequest) { r.OrderID = "ORD01" }, "OrderID"},
		{"order id of 33 characters", func(r *paygate.PayInRequest) { r.OrderID = strings.Repeat("A", 33) }, "OrderID"},
		{"order id carrying a member", func(r *paygate.PayInRequest) { r.OrderID = "ORD001&paytime=1" }, "OrderID"},
		{"no amount", func(r *paygate.PayInRequest) { r.Amount = paygate.Money{} }, "Amount"},
		{"negative amount", func(r *paygate.PayInRequest) { r.Amount = inr("-100") }, "Amount"},
		{"below 10.00", func(r *paygate.PayInRequest) { r.Amount = inr("9.99") }, "Amount"},
		{"above 50000.00", func(r *paygate.PayInRequest) { r.Amount = inr("50000.01") }, "Amount"},
		{"three decimal places", func(r *paygate.PayInRequest) { r.Amount = inr("100.001") }, "Amount"},
		{"rupees only", func(r *paygate.PayInRequest) { r.Amount = paygate.MustParseMoney("100", paygate.PKR) }, "Amount"},
		{"direct without phone", func(r *paygate.PayInRequest) { r.Direct, r.Customer.Phone = true, "" }, "Customer.Phone"},
		{"notify URL not http", func(r *paygate.PayInRequest) { r.NotifyURL = "ftp://merchant.com/notify" }, "NotifyURL"},
		{"return URL relative", func(r *paygate.PayInRequest) { r.ReturnURL = "/return" }, "ReturnURL"},
		{"extra overrides sign", func(r *paygate.PayInRequest) { r.Extra = map[string]string{"sign": "x"} }, "Extra.sign"},
		{"extra overrides appid", func(r *paygate.PayInRequest) { r.Extra = map[string]string{"appid": "other"} }, "Extra.appid"},
		{"extra overrides orderid", func(r *paygate.PayInRequest) { r.Extra = map[string]string{"orderid": "X"} }, "Extra.orderid"},
		{"extra overrides pay_id", func(r *paygate.PayInRequest) { r.Extra = map[string]string{"pay_id": "3"} }, "Extra.pay_id"},
	}
	p := newProvider(t, replyJSON(http.StatusOK, payInOK))
	c := client(t, p.srv.URL, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := payInRequest()
			tc.edit(req)
			res, err := c.PayIn(context.Background(), req)
			require.Nil(t, res)
			requireInvalid(t, p, err, "payin", tc.field)
		})
	}
	t.Run("nil request", func(t *testing.T) {
		_, err := c.PayIn(context.Background(), nil)
		requireInvalid(t, p, err, "payin", "PayInRequest")
	})
}

func TestPayOutInvalid(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(r *paygate.PayOutRequest)
		field string
	}{
		{"no order id", func(r *paygate.PayOutRequest) { r.OrderID = "" }, "OrderID"},
		{"order id too short", func(r *paygate.PayOutRequest) { r.OrderID = "P1" }, "OrderID"},
		{"order id too long", func(r *paygate.PayOutRequest) { r.OrderID = strings.Repeat("9", 33) }, "OrderID"},
		{"order id carrying a member", func(r *paygate.PayOutRequest) { r.OrderID = "PO0001&fee=0" }, "OrderID"},
		{"zero amount", func(r *paygate.PayOutRequest) { r.Amount = inr("0") }, "Amount"},
		{"below 10.00", func(r *paygate.PayOutRequest) { r.Amount = inr("9") }, "Amount"},
		{"above 50000.00", func(r *paygate.PayOutRequest) { r.Amount = inr("60000") }, "Amount"},
		{"paise fraction", func(r *paygate.PayOutRequest) { r.Amount = inr("500.005") }, "Amount"},
		{"no name", func(r *paygate.PayOutRequest) { r.Beneficiary.Name = "" }, "Beneficiary.Name"},
		{"no account", func(r *paygate.PayOutRequest) { r.Beneficiary.AccountNumber = "" }, "Beneficiary.AccountNumber"},
		{"no IFSC", func(r *paygate.PayOutRequest) { r.Beneficiary.IFSC = "" }, "Beneficiary.IFSC"},
		{"IFSC of 10", func(r *paygate.PayOutRequest) { r.Beneficiary.IFSC = "SBIN000123" }, "Beneficiary.IFSC"},
		{"IFSC of 12", func(r *paygate.PayOutRequest) { r.Beneficiary.IFSC = "SBIN00012345" }, "Beneficiary.IFSC"},
		{"IFSC lower case", func(r *paygate.PayOutRequest) { r.Beneficiary.IFSC = "sbin0001234" }, "Beneficiary.IFSC"},
		{"no mobile", func(r *paygate.PayOutRequest) { r.Beneficiary.Phone = "" }, "Beneficiary.Phone"},
		{"notify URL", func(r *paygate.PayOutRequest) { r.NotifyURL = "merchant.com" }, "NotifyURL"},
		{"extra overrides ifsc", func(r *paygate.PayOutRequest) { r.Extra = map[string]string{"ifsc": "X"} }, "Extra.ifsc"},
	}
	p := newProvider(t, replyJSON(http.StatusOK, payOutOK))
	c := client(t, p.srv.URL, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := payOutRequest()
			tc.edit(req)
			res, err := c.PayOut(context.Background(), req)
			require.Nil(t, res)
			requireInvalid(t, p, err, "payout", tc.field)
		})
	}
	t.Run("nil request", func(t *testing.T) {
		_, err := c.PayOut(context.Background(), nil)
		requireInvalid(t, p, err, "payout", "PayOutRequest")
	})
}

func TestQueryInvalid(t *testing.T) {
	p := newProvider(t, replyJSON(http.StatusOK, queryPayInOK))
	c := client(t, p.srv.URL, nil)
	cases := []struct {
		name  string
		req   *paygate.QueryRequest
		field string
	}{
		{"nil", nil, "QueryRequest"},
		{"no kind", &paygate.QueryRequest{OrderID: "ORDER_20231201001"}, "Kind"},
		{"unknown kind", &paygate.QueryRequest{Kind: "refund", OrderID: "ORDER_20231201001"}, "Kind"},
		{"no order", &paygate.QueryRequest{Kind: paygate.KindPayIn}, "OrderID"},
		{"provider order id only", &paygate.QueryRequest{Kind: paygate.KindPayOut, ProviderOrderID: "PO202312010001"}, "OrderID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := c.Query(context.Background(), tc.req)
			require.Nil(t, o)
			requireInvalid(t, p, err, "query", tc.field)
		})
	}
}

func TestExtrasInvalid(t *testing.T) {
	p := newProvider(t, replyJSON(http.StatusOK, utrOK))
	c := client(t, p.srv.URL, nil)
	ctx := context.Background()
	cases := []struct {
		name, orderID, utr, amount, field string
	}{
		{"no order", "", "341234567890", "100", "orderID"},
		{"no utr", "ORDER_20231201001", "", "100", "utr"},
		{"utr of 11 digits", "ORDER_20231201001", "34123456789", "100", "utr"},
		{"utr with letters", "ORDER_20231201001", "34123456789A", "100", "utr"},
		{"zero amount", "ORDER_20231201001", "341234567890", "0", "amount"},
		{"three decimals", "ORDER_20231201001", "341234567890", "1.005", "amount"},
	}
	for _, tc := range cases {
		t.Run("SubmitUTR/"+tc.name, func(t *testing.T) {
			r, err := c.SubmitUTR(ctx, tc.orderID, tc.utr, inr(tc.amount))
			require.Nil(t, r)
			requireInvalid(t, p, err, "submit_utr", tc.field)
		})
	}
	t.Run("SubmitUTR/rupees only", func(t *testing.T) {
		_, err := c.SubmitUTR(ctx, "ORDER_20231201001", "341234567890", paygate.MustParseMoney("1", paygate.PKR))
		requireInvalid(t, p, err, "submit_utr", "amount")
	})
	t.Run("Close/no order", func(t *testing.T) {
		r, err := c.Close(ctx, "")
		require.Nil(t, r)
		requireInvalid(t, p, err, "close", "orderID")
	})
}

// TestLimitsAccepted: the documented bounds themselves are accepted and written as text
// with two decimals.
func TestLimitsAccepted(t *testing.T) {
	cases := []struct{ orderID, amount, text string }{
		{"ORD001", "10", "10.00"},
		{strings.Repeat("O", 32), "50000", "50000.00"},
		{"ORDER_1", "99.9", "99.90"},
		{"ORDER_2", "1234.56", "1234.56"},
		{"ORDER_3", "500.100", "500.10"},
		{"订单号一二三", "12.5", "12.50"}, // 6 characters, 18 bytes
	}
	for _, tc := range cases {
		t.Run(tc.amount, func(t *testing.T) {
			answer := strings.Replace(strings.Replace(payInOK, "ORDER_20231201001", tc.orderID, 1), `"100.00"`, `"`+tc.text+`"`, 1)
			p := newProvider(t, replyJSON(http.StatusOK, answer))
			c := client(t, p.srv.URL, nil)
			req := payInRequest()
			req.OrderID, req.Amount = tc.orderID, inr(tc.amount)
			_, err := c.PayIn(context.Background(), req)
			require.NoError(t, err)
			f := p.last(t).fields(t)
			require.Equal(t, tc.text, f["amount"])
			require.Equal(t, tc.orderID, f["orderid"])

			outAnswer := strings.Replace(strings.Replace(payOutOK, "PAYOUT_20231201001", tc.orderID, 1), `"500.00"`, `"`+tc.text+`"`, 1)
			p = newProvider(t, replyJSON(http.StatusOK, outAnswer))
			out := payOutRequest()
			out.OrderID, out.Amount = tc.orderID, inr(tc.amount)
			_, err = client(t, p.srv.URL, nil).PayOut(context.Background(), out)
			require.NoError(t, err)
			require.Equal(t, tc.text, p.last(t).fields(t)["amount"])
		})
	}
}

// TestPayInFields: optional fields are sent only when set; Extra is sent and signed.
func TestPayInFields(t *testing.T) {
	p := newProvider(t, replyJSON(http.StatusOK, payInOK))
	c := client(t, p.srv.URL, nil)
	req := &paygate.PayInRequest{OrderID: "ORDER_20231201001", Amount: inr("100"),
		Customer: paygate.Customer{Phone: "9876543210"}, Extra: map[string]string{"channel_code": "upi01"}}
	_, err := c.PayIn(context.Background(), req)
	require.NoError(t, err)
	canonical := "amount=100.00&appid=M10001&channel_code=upi01&customer_phone=9876543210&orderid=ORDER_20231201001&pay_id=1"
	require.Equal(t, map[string]string{"amount": "100.00", "appid": "M10001", "channel_code": "upi01",
		"customer_phone": "9876543210", "orderid": "ORDER_20231201001", "pay_id": "1",
		"sign": keyParamSign(canonical, testSecret)}, p.last(t).fields(t))
}

func TestPayOutWithoutOptionalFields(t *testing.T) {
	p := newProvider(t, replyJSON(http.StatusOK, payOutOK))
	c := client(t, p.srv.URL, nil)
	req := payOutRequest()
	req.Remark, req.NotifyURL, req.Beneficiary.Email = "", "", ""
	_, err := c.PayOut(context.Background(), req)
	require.NoError(t, err)
	canonical := "account_name=Rajesh Kumar&account_number=1234567890123456&amount=500.00&appid=M10001" +
		"&ifsc=SBIN0001234&mobile=9876543210&orderid=PAYOUT_20231201001"
	require.Equal(t, map[string]string{"account_name": "Rajesh Kumar", "account_number": "1234567890123456",
		"amount": "500.00", "appid": "M10001", "ifsc": "SBIN0001234", "mobile": "9876543210",
		"orderid": "PAYOUT_20231201001", "sign": keyParamSign(canonical, testSecret)}, p.last(t).fields(t))
}

// TestQueryPendingPayIn: a pending pay-in has no paytime, UTR or actual amount yet.
func TestQueryPendingPayIn(t *testing.T) {
	body := `{"code":200,"message":"查询成功","data":{"orderid":"ORDER_20231201001","platform_orderid":"CG202312010001",` +
		`"amount":"100.00","status":"PENDING","pay_type":"native","paytime":0,"utr":"","created_at":1701421800000},"timestamp":1}`
	p := newProvider(t, replyJSON(http.StatusOK, body))
	o, err := client(t, p.srv.URL, nil).Query(context.Background(),
		&paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "ORDER_20231201001"})
	require.NoError(t, err)
	require.Equal(t, paygate.StatusPending, o.Status)
	require.Equal(t, "PENDING", o.RawStatus)
	require.True(t, o.CompletedAt.IsZero())
	require.True(t, o.ActualAmount.IsZero())
	require.Empty(t, o.UTR)
}

// TestResultStatusUnknown: an unlisted status in an answer is StatusUnknown, never success.
func TestResultStatusUnknown(t *testing.T) {
	body := strings.Replace(payOutOK, `"status":"processing"`, `"status":"refunded"`, 1)
	p := newProvider(t, replyJSON(http.StatusOK, body))
	r, err := client(t, p.srv.URL, nil).PayOut(context.Background(), payOutRequest())
	require.NoError(t, err)
	require.Equal(t, paygate.StatusUnknown, r.Status)
	require.Equal(t, "refunded", r.RawStatus)
}

// TestAmountsAsNumbers: amounts written as JSON numbers decode exactly.
func TestAmountsAsNumbers(t *testing.T) {
	body := `{"code":200,"data":{"balance":12345678901234.57,"frozen_balance":0.10,"available_balance":12345678901234.47,"currency":"INR"}}`
	p := newProvider(t, replyJSON(http.StatusOK, body))
	b, err := client(t, p.srv.URL, nil).Balance(context.Background())
	require.NoError(t, err)
	requireMoney(t, "12345678901234.47", b.Available)
	requireMoney(t, "0.10", b.Frozen)
}

func TestCapabilities(t *testing.T) {
	c := client(t, "http://127.0.0.1:1", nil)
	require.Equal(t, "cashgit", c.Name())
	require.Equal(t, paygate.Capabilities{PayIn: true, PayInDirect: true, PayOut: true, QueryPayIn: true,
		QueryPayOut: true, Balance: true, Callbacks: true, Currency: paygate.INR, AmountStyle: paygate.Fixed2}, c.Capabilities())
	var gw paygate.Gateway = c
	require.Equal(t, cashgit.Name, gw.Name())
}
