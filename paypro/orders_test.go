package paypro_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paypro"
)

const payInData = `{"platFormTradeNo":"8h7kold1d6g8fbmm","status":"0015","desc":"CREATED","paymentLink":"https://www.kaixin199.info/payment/Maya/PHP60801Maya061484533"}`

func TestNewRequiresConfig(t *testing.T) {
	base := testConfig("https://paypro.example")
	for name, tc := range map[string]struct {
		mutate func(*paygate.Config)
		want   string
	}{
		"base url":      {func(c *paygate.Config) { c.BaseURL = "" }, "BaseURL"},
		"merchant":      {func(c *paygate.Config) { c.MerchantID = "" }, "MerchantID"},
		"secret":        {func(c *paygate.Config) { c.Secret = "" }, "Secret"},
		"server ip":     {func(c *paygate.Config) { c.Options = map[string]string{"server_ip": "nope"} }, "server_ip"},
		"callback kind": {func(c *paygate.Config) { c.Options = map[string]string{"callback_kind": "refund"} }, "callback_kind"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := base
			tc.mutate(&cfg)
			_, err := paypro.New(cfg)
			require.ErrorContains(t, err, tc.want)
		})
	}
	gw, err := paygate.New(base)
	require.NoError(t, err)
	require.Equal(t, "paypro", gw.Name())
	require.Equal(t, paygate.Capabilities{PayIn: true, PayInDirect: true, PayOut: true, QueryPayIn: true,
		QueryPayOut: true, Balance: true, Callbacks: true, Currency: paygate.INR, AmountStyle: paygate.Trimmed}, gw.Capabilities())
}

func TestPayIn(t *testing.T) {
	for name, tc := range map[string]struct {
		direct bool
		phone  string
		path   string
	}{
		"cashier, seed's 91 prefix": {false, "918234567890", paypro.PathPayIn},
		"cashier, +91 and spaces":   {false, "+91 82345-67890", paypro.PathPayIn},
		"direct, 10 digits":         {true, "8234567890", paypro.PathPayInDirect},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, ok(payInData))
			c := newClient(t, s, nil)
			req := payInRequest()
			req.Direct, req.Customer.Phone = tc.direct, tc.phone
			req.Extra = map[string]string{"channel": "UPI"}
			res, err := c.PayIn(context.Background(), req)
			require.NoError(t, err)
			requireSent(t, s.last(t), tc.path, map[string]string{
				"tradeNo": "00000007", "amount": "300", "name": "abc", "mobile": "8234567890",
				"email": "abc@gmail.com", "ipAddress": "14.155.28.59", "remark": "000000",
				"notifyUrl": "https://merchant.example/notify?a=1&b=2", "returnUrl": "http://abc.com/callback_page",
				"channel": "UPI",
			})
			require.Contains(t, string(s.last(t).Body), `"notifyUrl":"https://merchant.example/notify?a=1&b=2"`, "no HTML escaping")
			require.Equal(t, "00000007", res.OrderID)
			require.Equal(t, "8h7kold1d6g8fbmm", res.ProviderOrderID)
			require.Equal(t, paygate.StatusProcessing, res.Status)
			require.Equal(t, "0015", res.RawStatus)
			require.Equal(t, "https://www.kaixin199.info/payment/Maya/PHP60801Maya061484533", res.PaymentURL)
			require.Empty(t, res.UPIURL)
			require.Equal(t, "300.00 INR", res.Amount.String())
			require.Contains(t, string(res.Raw), "8h7kold1d6g8fbmm")
		})
	}
}

func TestPayInDirectUPILink(t *testing.T) {
	s := newServer(t, ok(`{"platFormTradeNo":"P1","status":"0015","desc":"CREATED","paymentLink":"upi://pay?pa=x@ybl&am=300"}`))
	req := payInRequest()
	req.Direct = true
	res, err := newClient(t, s, nil).PayIn(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, "upi://pay?pa=x@ybl&am=300", res.UPIURL)
	require.Equal(t, res.UPIURL, res.PaymentURL)
}

func TestPayOut(t *testing.T) {
	want := map[string]string{
		"tradeNo": "123231222", "amount": "300", "name": "abc", "mobile": "8234567890", "email": "abc@gmail.com",
		"bankNumber": "10094038292", "bankCode": "IDFB0043121", "notifyUrl": "https://merchant.example/payout",
		"remark": "000000",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for k, v := range want {
			m[k] = v
		}
		return m
	}
	for name, tc := range map[string]struct {
		options map[string]string
		extra   map[string]string
		want    map[string]string
	}{
		"no ip":              {nil, nil, want},
		"server_ip option":   {map[string]string{"server_ip": "203.0.113.9"}, nil, with("ipAddress", "203.0.113.9")},
		"Extra wins":         {map[string]string{"server_ip": "203.0.113.9"}, map[string]string{"ipAddress": "198.51.100.4"}, with("ipAddress", "198.51.100.4")},
		"other Extra fields": {nil, map[string]string{"bankName": "IDFC"}, with("bankName", "IDFC")},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, ok(`{"platFormTradeNo":"PO8h7k","tradeNo":"123231222","status":"0015","desc":"PROCESSING"}`))
			c := newClient(t, s, func(cfg *paygate.Config) { cfg.Options = tc.options })
			req := payOutRequest()
			req.Extra = tc.extra
			res, err := c.PayOut(context.Background(), req)
			require.NoError(t, err)
			requireSent(t, s.last(t), paypro.PathPayOut, tc.want)
			require.Equal(t, "123231222", res.OrderID)
			require.Equal(t, "PO8h7k", res.ProviderOrderID)
			require.Equal(t, paygate.StatusProcessing, res.Status)
			require.Equal(t, "0015", res.RawStatus)
			require.Equal(t, "300.00 INR", res.Amount.String())
			require.NotEmpty(t, res.Raw)
		})
	}
}

func TestQuery(t *testing.T) {
	for name, tc := range map[string]struct {
		kind           paygate.Kind
		path           string
		data           string
		status         paygate.Status
		amount, actual string
		utr            string
		completed      time.Time
	}{
		"pay-in succeeded": {paygate.KindPayIn, paypro.PathQueryPayIn,
			`{"tradeNo":"T1","platFormTradeNo":"P1","amount":"300","status":"0000","desc":"SUCCESS","utr":"341200000001","successTime":"2024-08-20 13:50:41"}`,
			paygate.StatusSucceeded, "300", "300", "341200000001", time.Date(2024, 8, 20, 8, 20, 41, 0, time.UTC)},
		"pay-in partial, amount as a number": {paygate.KindPayIn, paypro.PathQueryPayIn,
			`{"tradeNo":"T1","platFormTradeNo":"P1","amount":250.00,"status":"0001","desc":"Partial payment"}`,
			paygate.StatusSucceeded, "250", "250", "", time.Time{}},
		"pay-out processing": {paygate.KindPayOut, paypro.PathQueryPayOut,
			`{"tradeNo":"T1","platFormTradeNo":"P1","amount":"300","status":"0015","desc":"CREDIT_INPROGRESS"}`,
			paygate.StatusProcessing, "300", "0", "", time.Time{}},
		"pay-out rejected": {paygate.KindPayOut, paypro.PathQueryPayOut,
			`{"tradeNo":"T1","platFormTradeNo":"P1","amount":"300","status":"00029","desc":"REJECTED_TRANSACTION"}`,
			paygate.StatusFailed, "300", "0", "", time.Time{}},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, ok(tc.data))
			o, err := newClient(t, s, nil).Query(context.Background(), &paygate.QueryRequest{Kind: tc.kind, OrderID: "T1", ProviderOrderID: "P1"})
			require.NoError(t, err)
			requireSent(t, s.last(t), tc.path, map[string]string{"tradeNo": "T1"})
			require.Equal(t, tc.kind, o.Kind)
			require.Equal(t, "T1", o.OrderID)
			require.Equal(t, "P1", o.ProviderOrderID)
			require.Equal(t, tc.status, o.Status)
			require.True(t, money(tc.amount).Equal(o.Amount), "amount %s", o.Amount)
			require.True(t, o.ActualAmount.Decimal().Equal(money(tc.actual).Decimal()), "actual %s", o.ActualAmount)
			require.Equal(t, tc.utr, o.UTR)
			require.True(t, tc.completed.Equal(o.CompletedAt), "completed %s", o.CompletedAt)
		})
	}
}

func TestQueryAnswerForAnotherOrder(t *testing.T) {
	s := newServer(t, ok(`{"tradeNo":"OTHER","platFormTradeNo":"P1","amount":"300","status":"0000"}`))
	_, err := newClient(t, s, nil).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "T1"})
	require.ErrorIs(t, err, paygate.ErrMalformedResponse)
}

// TestPayOutAnswerForAnotherOrder: a pay-out accepted for another tradeNo is not our pay-out's
// success; whether ours was taken is unknown.
func TestPayOutAnswerForAnotherOrder(t *testing.T) {
	s := newServer(t, ok(`{"platFormTradeNo":"PO8h7k","tradeNo":"OTHER","status":"0015","desc":"PROCESSING"}`))
	res, err := newClient(t, s, nil).PayOut(context.Background(), payOutRequest())
	require.Nil(t, res)
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	require.ErrorIs(t, err, paygate.ErrMalformedResponse)
}

func TestBalance(t *testing.T) {
	for name, data := range map[string]string{
		"strings, availableAmount": `{"availableAmount":"9998989.0000","unsettledAmount":"12.5000","freezeAmount":"100.0000"}`,
		"numbers, availablAmount":  `{"availablAmount":9998989.0000,"unsettledAmount":12.5000,"freezeAmount":100.0000}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, ok(data))
			b, err := newClient(t, s, nil).Balance(context.Background())
			require.NoError(t, err)
			requireSent(t, s.last(t), paypro.PathQueryBalance, map[string]string{})
			require.True(t, money("9998989").Equal(b.Available), "available %s", b.Available)
			require.True(t, money("100").Equal(b.Frozen), "frozen %s", b.Frozen)
			require.True(t, money("12.5").Equal(b.Pending), "pending %s", b.Pending)
			require.NotEmpty(t, b.Raw)
		})
	}
	s := newServer(t, ok(`{"freezeAmount":"0"}`))
	_, err := newClient(t, s, nil).Balance(context.Background())
	require.ErrorIs(t, err, paygate.ErrMalformedResponse, "no available balance is not a zero balance")
}

// endpoint is one operation, called the way a test needs.
type endpoint struct {
	name   string
	create bool
	call   func(*paypro.Client) error
}

var endpoints = []endpoint{
	{"payin", true, func(c *paypro.Client) error { _, err := c.PayIn(context.Background(), payInRequest()); return err }},
	{"payin direct", true, func(c *paypro.Client) error {
		r := payInRequest()
		r.Direct = true
		_, err := c.PayIn(context.Background(), r)
		return err
	}},
	{"payout", true, func(c *paypro.Client) error { _, err := c.PayOut(context.Background(), payOutRequest()); return err }},
	{"query payin", false, func(c *paypro.Client) error {
		_, err := c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "T1"})
		return err
	}},
	{"query payout", false, func(c *paypro.Client) error {
		_, err := c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "T1"})
		return err
	}},
	{"balance", false, func(c *paypro.Client) error { _, err := c.Balance(context.Background()); return err }},
}

func TestProviderError(t *testing.T) {
	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			s := newServer(t, jsonReply(`{"msg":"sign error","code":"1001","timestamp":1729945579983,"success":false,"data":null}`))
			err := ep.call(newClient(t, s, nil))
			var pe *paygate.ProviderError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "1001", pe.Code)
			require.Equal(t, "sign error", pe.Message)
			require.Equal(t, "paypro", pe.Provider)
			require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown, "a refusal is definite")
			require.Equal(t, 1, s.count())
		})
	}
}

// TestEnvelopeCodeNotARefusal: an envelope code that is not one of PayPro's error codes — a
// status that says the order exists (0001 paid, 0015 processing), 00032 (PayPro does not
// know), text — does not say "not created": a create is outcome-unknown, a read an error.
func TestEnvelopeCodeNotARefusal(t *testing.T) {
	for _, ep := range endpoints {
		for _, code := range []string{"0001", "0015", "00032", "FAIL"} {
			t.Run(ep.name+"/"+code, func(t *testing.T) {
				s := newServer(t, jsonReply(`{"msg":"x","code":"`+code+`","timestamp":1729945579983,"success":false,"data":null}`))
				err := ep.call(newClient(t, s, nil))
				var pe *paygate.ProviderError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown), "%v", err)
			})
		}
	}
}

// TestSuccessFlagUnderAnotherCode: success true under a code other than "0000" contradicts
// itself, as "0000" with success false does.
func TestSuccessFlagUnderAnotherCode(t *testing.T) {
	for _, ep := range endpoints {
		for _, code := range []string{"0001", "1001"} {
			t.Run(ep.name+"/"+code, func(t *testing.T) {
				s := newServer(t, jsonReply(`{"msg":"success","code":"`+code+`","timestamp":1729945579983,"success":true,"data":`+payInData+`}`))
				err := ep.call(newClient(t, s, nil))
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
				require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown), "%v", err)
			})
		}
	}
}

func TestCreateRefusedByDataStatus(t *testing.T) {
	for _, ep := range endpoints[:3] {
		t.Run(ep.name, func(t *testing.T) {
			s := newServer(t, ok(`{"platFormTradeNo":"P1","status":"00029","desc":"REJECTED_TRANSACTION"}`))
			err := ep.call(newClient(t, s, nil))
			var pe *paygate.ProviderError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "00029", pe.Code)
			require.Equal(t, "REJECTED_TRANSACTION", pe.Message)
			require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
		})
	}
	t.Run("unknown error is neither a refusal nor a creation", func(t *testing.T) {
		// 00032 (UNKNOWN_ERROR) in data.status of a create: PayPro itself does not know.
		s := newServer(t, ok(`{"platFormTradeNo":"P1","status":"00032","desc":"UNKNOWN_ERROR"}`))
		_, err := newClient(t, s, nil).PayOut(context.Background(), payOutRequest())
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
		var pe *paygate.ProviderError
		require.False(t, errors.As(err, &pe), "not a refusal")
	})
}

func TestBadInput(t *testing.T) {
	payIn := func(f func(*paygate.PayInRequest)) func(*paypro.Client) error {
		return func(c *paypro.Client) error {
			r := payInRequest()
			f(r)
			_, err := c.PayIn(context.Background(), r)
			return err
		}
	}
	payOut := func(f func(*paygate.PayOutRequest)) func(*paypro.Client) error {
		return func(c *paypro.Client) error {
			r := payOutRequest()
			f(r)
			_, err := c.PayOut(context.Background(), r)
			return err
		}
	}
	query := func(q *paygate.QueryRequest) func(*paypro.Client) error {
		return func(c *paypro.Client) error { _, err := c.Query(context.Background(), q); return err }
	}
	for name, tc := range map[string]struct {
		call  func(*paypro.Client) error
		field string
	}{
		"payin nil":              {func(c *paypro.Client) error { _, err := c.PayIn(context.Background(), nil); return err }, "PayInRequest"},
		"payin three places":     {payIn(func(r *paygate.PayInRequest) { r.Amount = money("300.505") }), "Amount"},
		"payin negative":         {payIn(func(r *paygate.PayInRequest) { r.Amount = money("-1") }), "Amount"},
		"payin PKR":              {payIn(func(r *paygate.PayInRequest) { r.Amount = paygate.MustParseMoney("300", paygate.PKR) }), "Amount"},
		"payin order id":         {payIn(func(r *paygate.PayInRequest) { r.OrderID = "" }), "OrderID"},
		"payin name":             {payIn(func(r *paygate.PayInRequest) { r.Customer.Name = "" }), "Customer.Name"},
		"payin phone missing":    {payIn(func(r *paygate.PayInRequest) { r.Customer.Phone = "" }), "Customer.Phone"},
		"payin phone starts 5":   {payIn(func(r *paygate.PayInRequest) { r.Customer.Phone = "5234567890" }), "Customer.Phone"},
		"payin phone 11 digits":  {payIn(func(r *paygate.PayInRequest) { r.Customer.Phone = "98765432101" }), "Customer.Phone"},
		"payin email":            {payIn(func(r *paygate.PayInRequest) { r.Customer.Email = "abc.gmail.com" }), "Customer.Email"},
		"payin ip missing":       {payIn(func(r *paygate.PayInRequest) { r.Customer.IP = "" }), "Customer.IP"},
		"payin ip invalid":       {payIn(func(r *paygate.PayInRequest) { r.Customer.IP = "14.155.28" }), "Customer.IP"},
		"payin notify missing":   {payIn(func(r *paygate.PayInRequest) { r.NotifyURL = "" }), "NotifyURL"},
		"payin return missing":   {payIn(func(r *paygate.PayInRequest) { r.ReturnURL = "" }), "ReturnURL"},
		"payin return relative":  {payIn(func(r *paygate.PayInRequest) { r.ReturnURL = "/back" }), "ReturnURL"},
		"payin Extra sign":       {payIn(func(r *paygate.PayInRequest) { r.Extra = map[string]string{"sign": "x"} }), "Extra.sign"},
		"payin Extra amount":     {payIn(func(r *paygate.PayInRequest) { r.Extra = map[string]string{"amount": "1"} }), "Extra.amount"},
		"payout nil":             {func(c *paypro.Client) error { _, err := c.PayOut(context.Background(), nil); return err }, "PayOutRequest"},
		"payout three places":    {payOut(func(r *paygate.PayOutRequest) { r.Amount = money("0.505") }), "Amount"},
		"payout ifsc":            {payOut(func(r *paygate.PayOutRequest) { r.Beneficiary.IFSC = "IDFB" }), "Beneficiary.IFSC"},
		"payout account":         {payOut(func(r *paygate.PayOutRequest) { r.Beneficiary.AccountNumber = "" }), "Beneficiary.AccountNumber"},
		"payout phone":           {payOut(func(r *paygate.PayOutRequest) { r.Beneficiary.Phone = "12345" }), "Beneficiary.Phone"},
		"payout email":           {payOut(func(r *paygate.PayOutRequest) { r.Beneficiary.Email = "" }), "Beneficiary.Email"},
		"payout notify":          {payOut(func(r *paygate.PayOutRequest) { r.NotifyURL = "" }), "NotifyURL"},
		"payout Extra ipAddress": {payOut(func(r *paygate.PayOutRequest) { r.Extra = map[string]string{"ipAddress": "x"} }), "Extra.ipAddress"},
		"payout Extra timestamp": {payOut(func(r *paygate.PayOutRequest) { r.Extra = map[string]string{"timestamp": "1"} }), "Extra.timestamp"},
		"query nil":              {query(nil), "QueryRequest"},
		"query kind":             {query(&paygate.QueryRequest{Kind: "refund", OrderID: "T1"}), "Kind"},
		"query provider id only": {query(&paygate.QueryRequest{Kind: paygate.KindPayIn, ProviderOrderID: "P1"}), "OrderID"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, ok(payInData))
			err := tc.call(newClient(t, s, nil))
			require.ErrorIs(t, err, paygate.ErrInvalidRequest)
			var ve *paygate.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tc.field, ve.Field)
			require.Equal(t, "paypro", ve.Provider)
			require.NotEmpty(t, ve.Op)
			require.Zero(t, s.count(), "no HTTP call after a validation failure")
		})
	}
}

func TestHTMLBadGateway(t *testing.T) {
	page := "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("<p>upstream unavailable</p>", 40) + "</body></html>"
	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			s := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte(page))
			})
			err := ep.call(newClient(t, s, nil))
			require.Error(t, err)
			var re *paygate.ResponseError
			require.ErrorAs(t, err, &re)
			require.LessOrEqual(t, len(re.Snippet), 256+len("…"))
			require.Contains(t, re.Snippet, "502 Bad Gateway")
			require.NotContains(t, err.Error(), page[:300])
			if ep.create {
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
				require.Equal(t, 1, s.count(), "a create is never re-sent")
			} else {
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
				require.Equal(t, 2, s.count(), "a read is retried")
			}
		})
	}
}

func TestMalformedJSON(t *testing.T) {
	for name, body := range map[string]string{
		"truncated":       `{"msg":"success","code":"0000","data":{"platFormTradeNo":"P1","status":"00`,
		"not json":        `OK`,
		"empty":           ``,
		"no code":         `{"msg":"success","data":{}}`,
		"data null":       `{"msg":"success","code":"0000","data":null}`,
		"data not object": `{"msg":"success","code":"0000","data":"yes"}`,
	} {
		for _, ep := range endpoints {
			t.Run(name+"/"+ep.name, func(t *testing.T) {
				s := newServer(t, jsonReply(body))
				err := ep.call(newClient(t, s, nil))
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
				if ep.create {
					require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
				}
			})
		}
	}
	t.Run("create without status", func(t *testing.T) {
		s := newServer(t, ok(`{"platFormTradeNo":"P1"}`))
		_, err := newClient(t, s, nil).PayIn(context.Background(), payInRequest())
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	})
	t.Run("create without platform order number", func(t *testing.T) {
		s := newServer(t, ok(`{"status":"0015"}`))
		_, err := newClient(t, s, nil).PayOut(context.Background(), payOutRequest())
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	})
	t.Run("query without status", func(t *testing.T) {
		s := newServer(t, ok(`{"tradeNo":"T1","amount":"1"}`))
		_, err := newClient(t, s, nil).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "T1"})
		require.ErrorIs(t, err, paygate.ErrMalformedResponse)
	})
}

func TestTimeout(t *testing.T) {
	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			s := newServer(t, func(_ http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			})
			// Long enough that the request is written even on a loaded machine (else it is not
			// sent at all, and nothing here would be tested).
			c := newClient(t, s, func(cfg *paygate.Config) { cfg.Timeout = 300 * time.Millisecond })
			err := ep.call(c)
			require.Error(t, err)
			if ep.create {
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
				var oe *paygate.OutcomeError
				require.ErrorAs(t, err, &oe)
				require.NotEmpty(t, oe.OrderID)
				require.Equal(t, 1, s.count(), "the server saw the create once")
			} else {
				require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
				require.Equal(t, 2, s.count(), "the read was retried")
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	s := newServer(t, ok(payInData))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(t, s, nil).PayIn(ctx, payInRequest())
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, s.count())
}

func TestMapStatus(t *testing.T) {
	for raw, want := range map[string]paygate.Status{
		"0000":    paygate.StatusSucceeded,  // success
		"0001":    paygate.StatusSucceeded,  // partial payment: paid, a different amount
		"0015":    paygate.StatusProcessing, // processing (CREDIT_INPROGRESS)
		"0100019": paygate.StatusFailed,     // PAYEE_DAILY_CUMULATIVE_AMT_REACHED
		"00029":   paygate.StatusFailed,     // REJECTED_TRANSACTION
		"00032":   paygate.StatusUnknown,    // UNKNOWN_ERROR: never taken as failed
		"9999":    paygate.StatusFailed,     // any other code: failed, as docs.paypro.tech says
		"":        paygate.StatusUnknown,
		"CREATED": paygate.StatusUnknown, // not a status code
		"0000 ":   paygate.StatusUnknown,
		// A status sent as a JSON number has lost its leading zeros (15 for 0015, 0 for 0000):
		// it could be any code, never a final failure (it was failed).
		"15": paygate.StatusUnknown,
		"0":  paygate.StatusUnknown,
		"32": paygate.StatusUnknown,
	} {
		require.Equal(t, want, paypro.MapStatus(raw), "status %q", raw)
	}
}

func TestNormalizeMobile(t *testing.T) {
	for in, want := range map[string]string{
		"9876543210": "9876543210", "+919876543210": "9876543210", "919876543210": "9876543210",
		"+91 98765 43210": "9876543210", "9198765432": "9198765432", "6000000000": "6000000000",
	} {
		got, err := paypro.NormalizeMobile("Phone", in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "5876543210", "98765", "+9298765432100", "98765x3210", "0919876543210", "+91"} {
		_, err := paypro.NormalizeMobile("Phone", in)
		var ve *paygate.ValidationError
		require.True(t, errors.As(err, &ve), "%q must be refused", in)
		require.Equal(t, "Phone", ve.Field)
	}
}

// TestQueryAnswerNamingNoOrder: PayPro looks orders up by tradeNo; an answer without it (a
// platFormTradeNo alone names someone's order, not the one asked for) is malformed.
func TestQueryAnswerNamingNoOrder(t *testing.T) {
	for name, data := range map[string]string{
		"platFormTradeNo only": `{"platFormTradeNo":"OTHER","amount":"999","status":"0000"}`,
		"no number at all":     `{"amount":"999","status":"0000"}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, ok(data))
			o, err := newClient(t, s, nil).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "T1"})
			require.Nil(t, o)
			require.ErrorIs(t, err, paygate.ErrMalformedResponse)
		})
	}
}

// With payout_prefix (and no callback_kind), the prefix is how a callback's kind is told, so
// creates hold their order numbers to it: a pay-in whose number starts with it, or a pay-out
// whose number does not, would have its callbacks read as the other kind's. Nothing is sent.
func TestPayoutPrefixHeldOnCreates(t *testing.T) {
	s := newServer(t, ok(`{}`))
	prefixed := func(c *paygate.Config) { c.Options = map[string]string{"payout_prefix": "PO"} }
	both := func(c *paygate.Config) {
		c.Options = map[string]string{"payout_prefix": "PO", "callback_kind": "payin"}
	}
	for _, tt := range []struct {
		name   string
		mutate func(*paygate.Config)
		payIn  bool
		id     string
		refuse bool
	}{
		{"pay-in with the prefix", prefixed, true, "POS20240501", true},
		{"pay-out without it", prefixed, false, "W20240501", true},
		{"callback_kind decides instead", both, true, "POS20240501", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, s, tt.mutate)
			var err error
			if tt.payIn {
				req := payInRequest()
				req.OrderID = tt.id
				_, err = c.PayIn(context.Background(), req)
			} else {
				req := payOutRequest()
				req.OrderID = tt.id
				_, err = c.PayOut(context.Background(), req)
			}
			if !tt.refuse {
				require.NotErrorIs(t, err, paygate.ErrInvalidRequest)
				return
			}
			var ve *paygate.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, "OrderID", ve.Field)
			require.Contains(t, ve.Reason, "payout_prefix")
		})
	}
	require.Equal(t, 1, s.count(), "only the create callback_kind allows was sent")
}
