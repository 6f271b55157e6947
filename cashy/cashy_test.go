package cashy_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/cashy"
)

func TestNew(t *testing.T) {
	good := paygate.Config{Provider: cashy.Name, BaseURL: "https://api.cashy.example", MerchantID: testMerchant, Secret: testSecret}
	tests := []struct {
		name string
		mod  func(*paygate.Config)
		want string
	}{
		{"no base url", func(c *paygate.Config) { c.BaseURL = "" }, "BaseURL is required"},
		{"bad base url", func(c *paygate.Config) { c.BaseURL = "api.cashy.example" }, "absolute http(s) URL"},
		{"no merchant", func(c *paygate.Config) { c.MerchantID = "" }, "MerchantID"},
		{"no secret", func(c *paygate.Config) { c.Secret = "" }, "Secret is required"},
		{"bad pay_type", func(c *paygate.Config) { c.Options = map[string]string{"pay_type": "x36"} }, "pay_type"},
		{"zero pay_type", func(c *paygate.Config) { c.Options = map[string]string{"pay_type": "0"} }, "pay_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.mod(&cfg)
			_, err := cashy.New(cfg)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), testSecret)
		})
	}

	gw, err := paygate.New(good)
	require.NoError(t, err, "a blank import registers cashy")
	require.Equal(t, "cashy", gw.Name())
	require.Equal(t, paygate.Capabilities{PayIn: true, PayOut: true, QueryPayIn: true, QueryPayOut: true,
		Balance: true, Callbacks: true, Currency: paygate.PKR, AmountStyle: paygate.Fixed2}, gw.Capabilities())
	gw.(*cashy.Client).CloseIdleConnections()
}

func TestStatusTables(t *testing.T) {
	in := map[string]paygate.Status{
		"PAYING": paygate.StatusPending, "SUCCESS": paygate.StatusSucceeded, "FAIL": paygate.StatusFailed,
		"PROCESSING": paygate.StatusUnknown, "CANCEL": paygate.StatusUnknown, "success": paygate.StatusUnknown,
		"": paygate.StatusUnknown, "REFUND": paygate.StatusUnknown,
	}
	for raw, want := range in {
		require.Equal(t, want, cashy.MapPayInStatus(raw), "pay-in %q", raw)
		require.Equal(t, want, cashy.MapStatus(paygate.KindPayIn, raw), "pay-in %q", raw)
	}
	out := map[string]paygate.Status{
		"PROCESSING": paygate.StatusProcessing, "WAITING": paygate.StatusProcessing, "PAYING": paygate.StatusProcessing,
		"SUCCESS": paygate.StatusSucceeded, "FAIL": paygate.StatusFailed, "CANCEL": paygate.StatusCancelled,
		"CANCELLED": paygate.StatusUnknown, "": paygate.StatusUnknown, "fail": paygate.StatusUnknown,
	}
	for raw, want := range out {
		require.Equal(t, want, cashy.MapPayOutStatus(raw), "pay-out %q", raw)
		require.Equal(t, want, cashy.MapStatus(paygate.KindPayOut, raw), "pay-out %q", raw)
	}
}

func TestPayIn(t *testing.T) {
	c, s := setup(t, ok(payInOK), nil)
	res, err := c.PayIn(context.Background(), payInReq())
	require.NoError(t, err)

	r := s.only(t)
	requireSigned(t, r, "/api/payIn")
	// Every key of the request example in Cashy's documentation, amount a Fixed2 string,
	// payType and expireTime numbers, reusableStatus false; idType omitted when empty.
	require.Equal(t, `{"amount":"100.00","currency":"PKR","email":"test@gmail.com","expireTime":36000,`+
		`"idCard":"3310401123456","mchOrderNo":"order000000001","nonceStr":"1863484722378907648",`+
		`"notifyUrl":"https://test.com/payment/cashy/payIn/callback","payType":36,"phone":"3001234567",`+
		`"realName":"test","remark":"PayIn","reusableStatus":false}`, string(r.body))

	require.Equal(t, "order000000001", res.OrderID)
	require.Equal(t, "PAYINxxxxxxxxx00000000001", res.ProviderOrderID)
	require.Equal(t, paygate.StatusPending, res.Status)
	require.Empty(t, res.RawStatus)
	require.True(t, res.Amount.Equal(pkr("100")), res.Amount.String())
	require.Equal(t, "https://xxx.com/pay/PAYIN8232154612109344768", res.PaymentURL, "payDeskUrl first")
	require.Equal(t, "646012000000015942", res.PayCode)
	require.Equal(t, testNow.Add(10*time.Hour), res.ExpiresAt)
	require.JSONEq(t, payInOK, string(res.Raw))
}

func TestPayInOptions(t *testing.T) {
	reply := ok(`{"msg":"SUCCESS","code":200,"data":{"mchOrderNo":"IN-2","orderNo":"PAYIN2",` +
		`"payUrl":"https://pay.example/2","payDeskUrl":"","payCode":"9"}}`)
	t.Run("defaults", func(t *testing.T) {
		c, s := setup(t, reply, func(cfg *paygate.Config) { cfg.Options = map[string]string{"pay_type": "41"} })
		req := payInReq()
		req.OrderID, req.Remark, req.ExpiresIn = "IN-2", "", 0
		req.Amount = paygate.MustParseMoney("50000", "") // an unset currency is taken as PKR
		req.ReturnURL, req.Customer.IP = "https://merchant.example/return", "203.0.113.7"
		res, err := c.PayIn(context.Background(), req)
		require.NoError(t, err)
		r := s.only(t)
		requireSigned(t, r, "/api/payIn")
		require.Contains(t, string(r.body), `"payType":41,`, "Options pay_type")
		require.Contains(t, string(r.body), `"expireTime":3600,`, "default expiry")
		require.Contains(t, string(r.body), `"remark":"payin",`, "default remark")
		require.Contains(t, string(r.body), `"amount":"50000.00",`)
		require.NotContains(t, string(r.body), "return", "Cashy has no return URL")
		require.NotContains(t, string(r.body), "203.0.113.7")
		require.Equal(t, "https://pay.example/2", res.PaymentURL, "payUrl when payDeskUrl is empty")
		require.Equal(t, paygate.PKR, res.Amount.Currency())
		require.Equal(t, testNow.Add(time.Hour), res.ExpiresAt)
	})
	t.Run("channel, id type, extra", func(t *testing.T) {
		c, s := setup(t, reply, nil)
		req := payInReq()
		req.OrderID, req.Channel, req.Customer.IDType = "IN-2", "69", "CNIC"
		req.Extra = map[string]string{"userIp": "203.0.113.7"}
		_, err := c.PayIn(context.Background(), req)
		require.NoError(t, err)
		r := s.only(t)
		requireSigned(t, r, "/api/payIn")
		require.Contains(t, string(r.body), `"payType":69,`)
		require.Contains(t, string(r.body), `"idType":"CNIC",`)
		require.Contains(t, string(r.body), `"userIp":"203.0.113.7"`)
	})
}

func TestPayInValidation(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*paygate.PayInRequest)
		field string
	}{
		{"no order id", func(r *paygate.PayInRequest) { r.OrderID = "" }, "OrderID"},
		{"order id of 33", func(r *paygate.PayInRequest) { r.OrderID = strings.Repeat("a", 33) }, "OrderID"},
		{"below 100", func(r *paygate.PayInRequest) { r.Amount = pkr("99.99") }, "Amount"},
		{"above 50000", func(r *paygate.PayInRequest) { r.Amount = pkr("50000.01") }, "Amount"},
		{"zero", func(r *paygate.PayInRequest) { r.Amount = pkr("0") }, "Amount"},
		{"negative", func(r *paygate.PayInRequest) { r.Amount = pkr("-100") }, "Amount"},
		{"three decimals", func(r *paygate.PayInRequest) { r.Amount = pkr("100.005") }, "Amount"},
		{"rupees", func(r *paygate.PayInRequest) { r.Amount = paygate.MustParseMoney("100", paygate.INR) }, "Amount"},
		{"no name", func(r *paygate.PayInRequest) { r.Customer.Name = "" }, "Customer.Name"},
		{"long name", func(r *paygate.PayInRequest) { r.Customer.Name = strings.Repeat("n", 33) }, "Customer.Name"},
		{"no phone", func(r *paygate.PayInRequest) { r.Customer.Phone = "" }, "Customer.Phone"},
		{"no email", func(r *paygate.PayInRequest) { r.Customer.Email = "" }, "Customer.Email"},
		{"no id card", func(r *paygate.PayInRequest) { r.Customer.IDNumber = "" }, "Customer.IDNumber"},
		{"long id type", func(r *paygate.PayInRequest) { r.Customer.IDType = strings.Repeat("t", 33) }, "Customer.IDType"},
		{"no notify url", func(r *paygate.PayInRequest) { r.NotifyURL = "" }, "NotifyURL"},
		{"relative notify url", func(r *paygate.PayInRequest) { r.NotifyURL = "/webhooks" }, "NotifyURL"},
		{"long notify url", func(r *paygate.PayInRequest) { r.NotifyURL = "https://m.example/" + strings.Repeat("x", 240) }, "NotifyURL"},
		{"long remark", func(r *paygate.PayInRequest) { r.Remark = strings.Repeat("r", 33) }, "Remark"},
		{"channel not a number", func(r *paygate.PayInRequest) { r.Channel = "EASYPAISA" }, "Channel"},
		{"negative expiry", func(r *paygate.PayInRequest) { r.ExpiresIn = -time.Second }, "ExpiresIn"},
		{"fractional expiry", func(r *paygate.PayInRequest) { r.ExpiresIn = 1500 * time.Millisecond }, "ExpiresIn"},
		{"extra overrides", func(r *paygate.PayInRequest) { r.Extra = map[string]string{"amount": "1"} }, "Extra.amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := setup(t, ok(payInOK), nil)
			req := payInReq()
			tt.mod(req)
			_, err := c.PayIn(context.Background(), req)
			requireInvalid(t, err, "payin", tt.field)
			require.Empty(t, s.requests(), "no I/O after a refusal")
		})
	}
	t.Run("nil", func(t *testing.T) {
		c, s := setup(t, ok(payInOK), nil)
		_, err := c.PayIn(context.Background(), nil)
		requireInvalid(t, err, "payin", "PayInRequest")
		require.Empty(t, s.requests())
	})
	t.Run("long nonce", func(t *testing.T) {
		c, s := setup(t, ok(payInOK), nil, paygate.WithNonce(func() string { return strings.Repeat("9", 33) }))
		_, err := c.PayIn(context.Background(), payInReq())
		requireInvalid(t, err, "payin", "nonceStr")
		require.Empty(t, s.requests())
	})
	t.Run("direct", func(t *testing.T) {
		c, s := setup(t, ok(payInOK), nil)
		req := payInReq()
		req.Direct = true
		_, err := c.PayIn(context.Background(), req)
		require.ErrorIs(t, err, paygate.ErrUnsupported)
		require.Empty(t, s.requests())
	})
}

func requireInvalid(t *testing.T, err error, op, field string) {
	t.Helper()
	require.ErrorIs(t, err, paygate.ErrInvalidRequest)
	var ve *paygate.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, field, ve.Field, err.Error())
	require.Equal(t, "cashy", ve.Provider)
	require.Equal(t, op, ve.Op)
}

func TestPayOut(t *testing.T) {
	c, s := setup(t, ok(payOutOK), nil)
	res, err := c.PayOut(context.Background(), payOutReq())
	require.NoError(t, err)
	r := s.only(t)
	requireSigned(t, r, "/api/payOut")
	require.Equal(t, `{"accountName":"Ali Khan","accountNo":"03001234567","accountType":"EASYPAISA",`+
		`"amount":"500.00","bankId":"1","currency":"PKR","mchOrderNo":"PO20241202001",`+
		`"nonceStr":"1863484722378907648","notifyUrl":"https://merchant.com/webhooks/payout","remark":"salary"}`, string(r.body))
	require.Equal(t, "PO20241202001", res.OrderID)
	require.Equal(t, "PAYOUT8551843837024990001", res.ProviderOrderID)
	require.Equal(t, paygate.StatusProcessing, res.Status)
	require.Equal(t, "PROCESSING", res.RawStatus)
	require.True(t, res.Amount.Equal(pkr("500")))
	require.True(t, res.Fee.Equal(pkr("30")))
	require.JSONEq(t, payOutOK, string(res.Raw))

	t.Run("no status, default remark", func(t *testing.T) {
		c, s := setup(t, ok(`{"code":200,"msg":"SUCCESS","data":{"orderNo":"PAYOUT1"}}`), nil)
		req := payOutReq()
		req.Remark, req.Channel = "", "ignored"
		res, err := c.PayOut(context.Background(), req)
		require.NoError(t, err)
		require.Equal(t, paygate.StatusProcessing, res.Status, "an accepted pay-out is processing")
		require.True(t, res.Fee.IsZero())
		body := string(s.only(t).body)
		require.Contains(t, body, `"remark":"payout"`)
		require.NotContains(t, body, "ignored")
	})
}

func TestPayOutValidation(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*paygate.PayOutRequest)
		field string
	}{
		{"no order id", func(r *paygate.PayOutRequest) { r.OrderID = "" }, "OrderID"},
		{"order id of 33", func(r *paygate.PayOutRequest) { r.OrderID = strings.Repeat("a", 33) }, "OrderID"},
		{"below 100", func(r *paygate.PayOutRequest) { r.Amount = pkr("99") }, "Amount"},
		{"above 50000", func(r *paygate.PayOutRequest) { r.Amount = pkr("50001") }, "Amount"},
		{"rupees", func(r *paygate.PayOutRequest) { r.Amount = paygate.MustParseMoney("500", paygate.INR) }, "Amount"},
		{"no name", func(r *paygate.PayOutRequest) { r.Beneficiary.Name = "" }, "Beneficiary.Name"},
		{"no account", func(r *paygate.PayOutRequest) { r.Beneficiary.AccountNumber = "" }, "Beneficiary.AccountNumber"},
		{"no account type", func(r *paygate.PayOutRequest) { r.Beneficiary.AccountType = "" }, "Beneficiary.AccountType"},
		{"no bank id", func(r *paygate.PayOutRequest) { r.Beneficiary.BankCode = "" }, "Beneficiary.BankCode"},
		{"no notify url", func(r *paygate.PayOutRequest) { r.NotifyURL = "" }, "NotifyURL"},
		{"long remark", func(r *paygate.PayOutRequest) { r.Remark = strings.Repeat("r", 33) }, "Remark"},
		{"extra overrides", func(r *paygate.PayOutRequest) { r.Extra = map[string]string{"bankId": "2"} }, "Extra.bankId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := setup(t, ok(payOutOK), nil)
			req := payOutReq()
			tt.mod(req)
			_, err := c.PayOut(context.Background(), req)
			requireInvalid(t, err, "payout", tt.field)
			require.Empty(t, s.requests(), "no I/O after a refusal")
		})
	}
	c, s := setup(t, ok(payOutOK), nil)
	_, err := c.PayOut(context.Background(), nil)
	requireInvalid(t, err, "payout", "PayOutRequest")
	require.Empty(t, s.requests())
}

func TestQuery(t *testing.T) {
	t.Run("pay-in by both numbers", func(t *testing.T) {
		c, s := setup(t, ok(queryInOK), nil, paygate.WithNonce(func() string { return "9459931608" }))
		o, err := c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn,
			OrderID: "1386556575370063873", ProviderOrderID: "PAYIN8551843837024997376"})
		require.NoError(t, err)
		r := s.only(t)
		requireSigned(t, r, "/api/payInQuery")
		// Byte for byte the request example in Cashy's documentation.
		require.Equal(t, `{"mchOrderNo":"1386556575370063873","nonceStr":"9459931608","orderNo":"PAYIN8551843837024997376"}`, string(r.body))
		require.Equal(t, paygate.KindPayIn, o.Kind)
		require.Equal(t, "1386556575370063873", o.OrderID)
		require.Equal(t, "PAYIN8551843837024997376", o.ProviderOrderID)
		require.Equal(t, paygate.StatusSucceeded, o.Status)
		require.Equal(t, "SUCCESS", o.RawStatus)
		require.True(t, o.Amount.Equal(pkr("20000")))
		require.True(t, o.ActualAmount.Equal(pkr("20000")))
		require.True(t, o.Fee.Equal(pkr("1700")))
		require.True(t, o.CompletedAt.Equal(time.Date(2024, 12, 2, 10, 40, 50, 0, time.UTC)), "Pakistan time is UTC+5: %s", o.CompletedAt)
		require.JSONEq(t, queryInOK, string(o.Raw))
	})
	t.Run("pay-in paying", func(t *testing.T) {
		c, s := setup(t, ok(queryInPaying), nil)
		o, err := c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, ProviderOrderID: "PAYIN8551843837024997376"})
		require.NoError(t, err)
		r := s.only(t)
		requireSigned(t, r, "/api/payInQuery")
		require.Equal(t, `{"nonceStr":"1863484722378907648","orderNo":"PAYIN8551843837024997376"}`, string(r.body))
		require.Equal(t, paygate.StatusPending, o.Status)
		require.True(t, o.CompletedAt.IsZero())
		require.True(t, o.ActualAmount.IsZero())
	})
	t.Run("pay-out by merchant number", func(t *testing.T) {
		c, s := setup(t, ok(queryOutOK), nil)
		o, err := c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "PO20241202001"})
		require.NoError(t, err)
		r := s.only(t)
		requireSigned(t, r, "/api/payOutQuery")
		require.Equal(t, `{"mchOrderNo":"PO20241202001","nonceStr":"1863484722378907648"}`, string(r.body))
		require.Equal(t, paygate.KindPayOut, o.Kind)
		require.Equal(t, paygate.StatusCancelled, o.Status)
		require.Equal(t, "CANCEL", o.RawStatus)
		require.Equal(t, "EP2024120200017", o.UTR)
		require.True(t, o.Fee.Equal(pkr("30")))
		require.True(t, o.CompletedAt.Equal(time.Date(2024, 12, 2, 18, 59, 59, 0, time.UTC)))
	})
	t.Run("answer for another order", func(t *testing.T) {
		c, _ := setup(t, ok(queryInOK), nil)
		_, err := c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "someone-else"})
		require.ErrorIs(t, err, paygate.ErrMalformedResponse)
	})
	t.Run("bad completion time", func(t *testing.T) {
		c, _ := setup(t, ok(strings.Replace(queryInOK, "2024-12-02 15:40:50", "02/12/2024", 1)), nil)
		_, err := c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "1386556575370063873"})
		require.ErrorIs(t, err, paygate.ErrMalformedResponse)
	})
	t.Run("not found", func(t *testing.T) {
		c, _ := setup(t, ok(`{"code":500,"msg":"Order_Not_Exist"}`), nil)
		_, err := c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "nope"})
		require.ErrorIs(t, err, paygate.ErrOrderNotFound)
	})
	t.Run("system busy is retryable", func(t *testing.T) {
		c, _ := setup(t, ok(`{"code":500,"msg":"System_busy"}`), nil)
		_, err := c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "PO1"})
		var pe *paygate.ProviderError
		require.ErrorAs(t, err, &pe)
		require.True(t, pe.Retryable)
		require.Equal(t, "System_busy", pe.Message)
		require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
	})
	for _, tt := range []struct {
		name  string
		req   *paygate.QueryRequest
		field string
	}{
		{"nil", nil, "QueryRequest"},
		{"no kind", &paygate.QueryRequest{OrderID: "A1"}, "Kind"},
		{"no number", &paygate.QueryRequest{Kind: paygate.KindPayIn}, "OrderID"},
		{"long order id", &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: strings.Repeat("1", 33)}, "OrderID"},
		{"long provider id", &paygate.QueryRequest{Kind: paygate.KindPayOut, ProviderOrderID: strings.Repeat("P", 33)}, "ProviderOrderID"},
	} {
		t.Run("invalid "+tt.name, func(t *testing.T) {
			c, s := setup(t, ok(queryInOK), nil)
			_, err := c.Query(context.Background(), tt.req)
			requireInvalid(t, err, "query", tt.field)
			require.Empty(t, s.requests())
		})
	}
}

func TestBalance(t *testing.T) {
	c, s := setup(t, ok(balanceOK), nil)
	b, err := c.Balance(context.Background())
	require.NoError(t, err)
	r := s.only(t)
	requireSigned(t, r, "/api/getBalance")
	require.Equal(t, `{"nonceStr":"1863484722378907648"}`, string(r.body))
	require.True(t, b.Available.Equal(pkr("12345.67")), b.Available.String())
	require.True(t, b.Pending.Equal(pkr("1000.5")), "unBalance as a JSON number, exactly")
	require.True(t, b.Frozen.Equal(pkr("0")))
	require.JSONEq(t, balanceOK, string(b.Raw))

	c, _ = setup(t, ok(`{"code":200,"msg":"SUCCESS","data":{"unBalance":"1"}}`), nil)
	_, err = c.Balance(context.Background())
	require.ErrorIs(t, err, paygate.ErrMalformedResponse)
}

// endpoint is one operation, driven the same way for the failure table.
type endpoint struct {
	name, path string
	create     bool
	call       func(context.Context, *cashy.Client) error
}

var endpoints = []endpoint{
	{"payin", "/api/payIn", true, func(ctx context.Context, c *cashy.Client) error {
		_, err := c.PayIn(ctx, payInReq())
		return err
	}},
	{"payout", "/api/payOut", true, func(ctx context.Context, c *cashy.Client) error {
		_, err := c.PayOut(ctx, payOutReq())
		return err
	}},
	{"query payin", "/api/payInQuery", false, func(ctx context.Context, c *cashy.Client) error {
		_, err := c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "order000000001"})
		return err
	}},
	{"query payout", "/api/payOutQuery", false, func(ctx context.Context, c *cashy.Client) error {
		_, err := c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, ProviderOrderID: "PAYOUT1"})
		return err
	}},
	{"balance", "/api/getBalance", false, func(ctx context.Context, c *cashy.Client) error {
		_, err := c.Balance(ctx)
		return err
	}},
}

var htmlPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>" +
	strings.Repeat("<!-- a padding comment to make the page long -->", 20) + "<hr><center>nginx</center></body></html>"

func TestFailures(t *testing.T) {
	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Run("provider error", func(t *testing.T) {
				c, s := setup(t, ok(refused), nil)
				err := ep.call(context.Background(), c)
				var pe *paygate.ProviderError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, "500", pe.Code)
				require.Equal(t, "Sign_verify_error", pe.Message)
				require.Equal(t, "cashy", pe.Provider)
				require.False(t, pe.Retryable)
				require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown, "a refusal is definite")
				requireSigned(t, s.only(t), ep.path)
			})
			// Cashy writes code 500 for its business refusals, but also for its own failures:
			// only a message naming a refusal says the order was not made.
			for _, body := range []string{
				`{"code":500,"msg":"Payin_Order_Error"}`,
				`{"code":500,"msg":"Payout_Order_Error"}`,
				`{"code":500,"msg":"sign_verify_error"}`,
			} {
				t.Run("refusal "+body, func(t *testing.T) {
					c, _ := setup(t, ok(body), nil)
					err := ep.call(context.Background(), c)
					var pe *paygate.ProviderError
					require.ErrorAs(t, err, &pe)
					require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown, "a refusal is definite")
				})
			}
			for _, body := range []string{
				`{"code":500,"msg":"Internal Server Error"}`,
				`{"code":500,"msg":"timeout"}`,
				`{"code":500,"msg":"System error, please query the order"}`,
				`{"code":500,"msg":"System_error"}`,
				`{"code":500}`,
				`{"code":400,"msg":"Payin_Order_Error"}`, // a code Cashy does not document
				`{"code":201,"msg":"SUCCESS"}`,
			} {
				t.Run("not a refusal "+body, func(t *testing.T) {
					c, _ := setup(t, ok(body), nil)
					err := ep.call(context.Background(), c)
					var pe *paygate.ProviderError
					require.ErrorAs(t, err, &pe)
					require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown), "on a create it may have been taken: %v", err)
					require.False(t, pe.Retryable)
				})
			}
			t.Run("system busy", func(t *testing.T) {
				c, _ := setup(t, ok(`{"code":500,"msg":"System_busy"}`), nil)
				err := ep.call(context.Background(), c)
				var pe *paygate.ProviderError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown), "busy on a create: it may have been taken")
				require.Equal(t, !ep.create, pe.Retryable)
			})
			t.Run("html 502", func(t *testing.T) {
				c, s := setup(t, answer(http.StatusBadGateway, "text/html", htmlPage), nil)
				err := ep.call(context.Background(), c)
				require.Error(t, err)
				var re *paygate.ResponseError
				require.ErrorAs(t, err, &re)
				require.Equal(t, http.StatusBadGateway, re.HTTPStatus)
				require.LessOrEqual(t, len(strings.TrimSuffix(re.Snippet, "…")), 256)
				require.True(t, strings.HasPrefix(htmlPage, strings.TrimSuffix(re.Snippet, "…")))
				require.NotContains(t, err.Error(), htmlPage[200:400], "at most 256 bytes quoted")
				if ep.create {
					require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
					require.Len(t, s.requests(), 1, "a create is never re-sent")
				} else {
					require.ErrorIs(t, err, paygate.ErrMalformedResponse)
					require.Len(t, s.requests(), 2, "a read is retried")
				}
			})
			for name, body := range map[string]string{
				"truncated json": `{"code":200,"msg":"SUCCESS","data":{"orderNo":"PAY`,
				"not json":       `SUCCESS`,
				"empty":          ``,
				"no data":        `{"code":200,"msg":"SUCCESS"}`,
				"null data":      `{"code":200,"msg":"SUCCESS","data":null}`,
				"data not obj":   `{"code":200,"msg":"SUCCESS","data":"x"}`,
				"no code":        `{"msg":"SUCCESS","data":{}}`,
			} {
				t.Run(name, func(t *testing.T) {
					c, s := setup(t, ok(body), nil)
					err := ep.call(context.Background(), c)
					require.ErrorIs(t, err, paygate.ErrMalformedResponse)
					require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown))
					require.Len(t, s.requests(), 1)
				})
			}
			t.Run("timeout", func(t *testing.T) {
				c, s := setup(t, hang, func(cfg *paygate.Config) { cfg.Timeout = 100 * time.Millisecond })
				err := ep.call(context.Background(), c)
				require.Error(t, err)
				if ep.create {
					require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
					var oe *paygate.OutcomeError
					require.ErrorAs(t, err, &oe)
					require.NotEmpty(t, oe.OrderID)
					require.Len(t, s.requests(), 1, "a create is never re-sent")
				} else {
					require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
					require.Len(t, s.requests(), 2, "a read is retried")
				}
			})
			t.Run("cancelled context", func(t *testing.T) {
				c, s := setup(t, ok(refused), nil)
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				err := ep.call(ctx, c)
				require.ErrorIs(t, err, context.Canceled)
				require.Empty(t, s.requests())
			})
		})
	}
}

func TestCreateAnswerForAnotherOrder(t *testing.T) {
	for name, body := range map[string]string{
		"other order":  `{"code":200,"msg":"SUCCESS","data":{"mchOrderNo":"other","orderNo":"PAYIN1"}}`,
		"other amount": `{"code":200,"msg":"SUCCESS","data":{"orderNo":"PAYIN1","amount":"1.00"}}`,
		"no orderNo":   `{"code":200,"msg":"SUCCESS","data":{"mchOrderNo":"order000000001"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := setup(t, ok(body), nil)
			_, err := c.PayIn(context.Background(), payInReq())
			require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
			require.ErrorIs(t, err, paygate.ErrMalformedResponse)
			_, err = c.PayOut(context.Background(), payOutReq())
			require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
		})
	}
}

// TestNoSecretsLeak runs every operation, failing and succeeding, with a debug logger, and
// checks that neither the log nor any error holds the secret, the API key or a signature.
func TestNoSecretsLeak(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var errs []string
	var signs []string
	for _, reply := range []func(http.ResponseWriter, *http.Request){
		ok(refused), answer(http.StatusBadGateway, "text/html", htmlPage), ok(`{"code":200`), hang,
		ok(payInOK), ok(payOutOK), ok(queryInOK), ok(balanceOK),
	} {
		c, s := setup(t, reply, func(cfg *paygate.Config) {
			cfg.Timeout = 50 * time.Millisecond
			cfg.Options = map[string]string{"previous_secrets": "old-secret-cashy-77"}
		}, paygate.WithLogger(logger))
		for _, ep := range endpoints {
			if err := ep.call(context.Background(), c); err != nil {
				errs = append(errs, err.Error())
			}
		}
		for _, r := range s.requests() {
			signs = append(signs, r.header.Get("Sign"))
		}
		for _, h := range []http.Header{{"Sign": {"0123456789ABCDEF0123456789ABCDEF"}}, {}} {
			if _, err := c.ParseCallback(h, []byte(`{"mchOrderNo":"x","amount":1}`)); err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	require.NotEmpty(t, errs)
	require.NotEmpty(t, signs)
	require.Contains(t, logs.String(), `"provider":"cashy"`, "the debug log was written")
	all := logs.String() + strings.Join(errs, "\n")
	for _, secret := range append([]string{testSecret, testAPIKey, "old-secret-cashy-77", "0123456789ABCDEF0123456789ABCDEF"}, signs...) {
		require.NotContains(t, all, secret)
	}
}

// TestConcurrent shares one client between goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	c, s := setup(t, ok(balanceOK), nil)
	done := make(chan error)
	for range 8 {
		go func() {
			_, err := c.Balance(context.Background())
			done <- err
		}()
	}
	for range 8 {
		require.NoError(t, <-done)
	}
	reqs := s.requests()
	require.Len(t, reqs, 8)
	for _, r := range reqs {
		requireSigned(t, r, "/api/getBalance")
	}
}

// TestQueryAnswerMustBeOurs: a query's answer must name the order asked for (mchOrderNo, or
// orderNo when asked by that) and, when it names a merchant, this one; anything else is
// malformed, never taken for our order.
func TestQueryAnswerMustBeOurs(t *testing.T) {
	byOurs := &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "MYORDER123"}
	for name, tc := range map[string]struct {
		req  *paygate.QueryRequest
		data string
	}{
		"only another orderNo": {byOurs, `{"merchantId":"1002001","orderNo":"PAYIN_SOMEONE_ELSES","amount":"20000","orderStatus":"SUCCESS"}`},
		"no order at all":      {byOurs, `{"merchantId":"1002001","amount":"20000","orderStatus":"SUCCESS"}`},
		"another merchantId":   {byOurs, `{"merchantId":"9999999","mchOrderNo":"MYORDER123","orderNo":"PAYIN1","amount":"20000","orderStatus":"SUCCESS"}`},
		"another merchantId, as a number": {byOurs,
			`{"merchantId":9999999,"mchOrderNo":"MYORDER123","orderNo":"PAYIN1","amount":"20000","orderStatus":"SUCCESS"}`},
		"by orderNo, only our mchOrderNo": {&paygate.QueryRequest{Kind: paygate.KindPayIn, ProviderOrderID: "PAYIN1"},
			`{"merchantId":"1002001","mchOrderNo":"MYORDER123","amount":"20000","orderStatus":"SUCCESS"}`},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := setup(t, ok(`{"msg":"SUCCESS","code":200,"data":`+tc.data+`}`), nil)
			o, err := c.Query(context.Background(), tc.req)
			require.Nil(t, o)
			require.ErrorIs(t, err, paygate.ErrMalformedResponse)
		})
	}
}

// TestCreateAnswerForAnotherMerchant: a create answered for another merchantId cannot be
// trusted either way.
func TestCreateAnswerForAnotherMerchant(t *testing.T) {
	body := `{"code":200,"msg":"SUCCESS","data":{"merchantId":"9999999","orderNo":"PAYIN1"}}`
	c, _ := setup(t, ok(body), nil)
	_, err := c.PayIn(context.Background(), payInReq())
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	require.ErrorIs(t, err, paygate.ErrMalformedResponse)
	_, err = c.PayOut(context.Background(), payOutReq())
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
}
