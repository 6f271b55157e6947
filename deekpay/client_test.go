package deekpay_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/deekpay"
	"github.com/paygate-go/paygate/signing"
	"github.com/paygate-go/paygate/webhook"
)

const (
	payInOK   = `{"code":"200","success":true,"msg":"成功","msgEn":"SUCCESS","data":{"cashierUrl":"https://cashier.deekpay.example/c/DKC1679724896223001","orderId":"DKC1679724896223001","externalOrderId":"716134866255702461","currency":"INR","amount":"40.2","tradeNote":"123"}}`
	payOutOK  = `{"code":200,"success":true,"msg":"成功","msgEn":"SUCCESS","data":{"orderId":"DKT1679724896223002","orderStatus":"1","externalOrderId":"687279463984441035","currencyType":"INR"}}`
	balanceOK = `{"code":"200","success":true,"msg":"成功","msgEn":"SUCCESS","data":{"accountBalance":"100000.50","accountFreezeAmount":"1200","accountStatusId":1,"accountWaitSettledAmount":"300.25","currencyType":"INR","accountStatus":"NORMAL"}}`
	pingOK    = `{"code":"200","success":true,"msg":"成功","msgEn":"SUCCESS","data":{"version":"v3.2.1","timestamp":1679724896}}`
	banksOK   = `{"code":"200","success":true,"msg":"成功","msgEn":"SUCCESS","data":[{"bankName":"Yes Bank","bankCode":"YESB","currencyType":"INR","channelBankId":"1005","channelId":11},{"bankName":"YesBank","bankCode":"YESB","currencyType":"INR","channelBankId":"1006","channelId":"12"}]}`
	emptyList = `{"code":"200","success":true,"msg":"成功","msgEn":"SUCCESS","data":[]}`
)

func queryOK(t testing.TB, order string) string {
	t.Helper()
	return `{"code":"200","success":true,"msg":"成功","msgEn":"SUCCESS","data":[` + order + `]}`
}

func payInRequest() *paygate.PayInRequest {
	return &paygate.PayInRequest{
		OrderID: "716134866255702461", Amount: paygate.MustParseMoney("40.20", paygate.INR),
		NotifyURL: "http://192.168.1.135:30001", ReturnURL: "http://192.168.1.135:30001/return", Remark: "123",
		Customer: paygate.Customer{Name: "Asha Rao", Phone: "9876543210"},
	}
}

func payOutRequest() *paygate.PayOutRequest {
	return &paygate.PayOutRequest{
		OrderID: "687279463984441035", Amount: paygate.MustParseMoney("40.20", paygate.INR),
		Beneficiary: paygate.Beneficiary{Name: "test", AccountNumber: "13178968584", IFSC: "YESB0000001", BankName: "YesBank"},
		NotifyURL:   "http://192.168.1.135:30001", Remark: "123",
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*paygate.Config)
		want string
	}{
		{"no base URL", func(c *paygate.Config) { c.BaseURL = "" }, "Config.BaseURL is required"},
		{"relative base URL", func(c *paygate.Config) { c.BaseURL = "api.deekpay.example" }, "Config.BaseURL must be an absolute"},
		{"no access key", func(c *paygate.Config) { c.APIKey = "" }, "Config.APIKey is required"},
		{"no secret", func(c *paygate.Config) { c.Secret = "" }, "Config.Secret is required"},
		{"bad tolerance", func(c *paygate.Config) { c.Options = map[string]string{"callback_tolerance": "five"} }, "callback_tolerance"},
		{"zero tolerance", func(c *paygate.Config) { c.Options = map[string]string{"callback_tolerance": "0s"} }, "callback_tolerance"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("https://api.deekpay.example")
			tc.edit(&cfg)
			_, err := deekpay.New(cfg)
			require.ErrorContains(t, err, tc.want)
			_, err = paygate.New(cfg)
			require.ErrorContains(t, err, tc.want, "registered under %q", deekpay.Name)
		})
	}

	gw, err := paygate.New(testConfig("https://api.deekpay.example/"))
	require.NoError(t, err)
	require.Equal(t, "deekpay", gw.Name())
	require.Equal(t, paygate.Capabilities{PayIn: true, PayOut: true, QueryPayIn: true, QueryPayOut: true,
		Balance: true, Callbacks: true, Currency: paygate.INR, AmountStyle: paygate.Trimmed}, gw.Capabilities())
	c := gw.(*deekpay.Client)
	require.Equal(t, deekpay.DefaultCallbackTolerance, c.CallbackTolerance())
	c.CloseIdleConnections()
}

// TestVectors checks the OpenSSL-computed vectors against this file's own HMAC and against
// the package's Headers.
func TestVectors(t *testing.T) {
	vs := vectors(t)
	require.Len(t, vs, 7)
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			require.Equal(t, v.Sign, hmacSHA1(v.Canonical, v.Key))
			fields := map[string]string{}
			for _, kv := range strings.Split(v.Canonical, "&") {
				k, val, ok := strings.Cut(kv, "=")
				require.True(t, ok)
				fields[k] = val
			}
			require.Equal(t, v.Sign, signing.HMACSHA1(fields, v.Key))
			params := map[string]string{"emptyIsNotSigned": ""}
			for k, val := range fields {
				if k != "access_key" && k != "timestamp" && k != "nonce" {
					params[k] = val
				}
			}
			h := deekpay.Headers(params, fields["access_key"], v.Key, fields["timestamp"], fields["nonce"])
			require.Equal(t, v.Sign, h.Get("sign"))
			require.Equal(t, "application/json;charset=utf-8", h.Get("Content-Type"))
			require.NotContains(t, params, "access_key", "Headers must not modify params")
		})
	}
}

func TestPayIn(t *testing.T) {
	srv := newServer(t, jsonReply(payInOK))
	c := newClient(t, srv.URL)
	res, err := c.PayIn(context.Background(), payInRequest())
	require.NoError(t, err)

	reqs := srv.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, "/api/v3/ind/createCollectingOrder", r.Path)
	require.Equal(t, map[string]string{
		"amount": "40.2", "channelType": "UPI", "externalOrderId": "716134866255702461",
		"notifyUrl": "http://192.168.1.135:30001", "remark": "123", "returnUrl": "http://192.168.1.135:30001/return",
	}, r.bodyFields(t))
	requireSigned(t, r, "access_key=pFqV75X3&amount=40.2&channelType=UPI&externalOrderId=716134866255702461"+
		"&nonce=794c26b0-d33c-4394-b2bb-c485eca16d9e&notifyUrl=http://192.168.1.135:30001&remark=123"+
		"&returnUrl=http://192.168.1.135:30001/return&timestamp=1679724896223")
	require.Equal(t, vectors(t)["payin"].Sign, r.Header.Get("sign"), "OpenSSL agrees")
	require.NotContains(t, string(r.Body), `\u0026`, "no HTML escaping")

	require.Equal(t, "716134866255702461", res.OrderID)
	require.Equal(t, "DKC1679724896223001", res.ProviderOrderID)
	require.Equal(t, paygate.StatusPending, res.Status)
	require.Equal(t, "https://cashier.deekpay.example/c/DKC1679724896223001", res.PaymentURL)
	require.Equal(t, "40.20 INR", res.Amount.String())
	require.JSONEq(t, payInOK, string(res.Raw))
}

func TestPayInChannelAndExtra(t *testing.T) {
	srv := newServer(t, jsonReply(strings.Replace(payInOK, `"amount":"40.2"`, `"amount":"500"`, 1)))
	c := newClient(t, srv.URL)
	req := payInRequest()
	req.Channel, req.Extra = "IMPS", map[string]string{"userName": "Asha"}
	req.Amount = paygate.MustParseMoney("500.00", paygate.INR)
	_, err := c.PayIn(context.Background(), req)
	require.NoError(t, err)
	f := srv.requests()[0].bodyFields(t)
	require.Equal(t, "IMPS", f["channelType"])
	require.Equal(t, "500", f["amount"], "Trimmed style")
	require.Equal(t, "Asha", f["userName"])
}

func TestPayOut(t *testing.T) {
	srv := newServer(t, jsonReply(payOutOK))
	c := newClient(t, srv.URL)
	res, err := c.PayOut(context.Background(), payOutRequest())
	require.NoError(t, err)

	r := srv.requests()[0]
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, "/api/v3/ind/createTransferOrder", r.Path)
	require.Equal(t, map[string]string{
		"currencyAmount": "40.2", "channelType": "BANK", "externalOrderId": "687279463984441035",
		"accountId": "13178968584", "accountType": "INR", "ifSC": "YESB0000001", "bankName": "YesBank",
		"userInfoName": "test", "remark": "123", "notifyUrl": "http://192.168.1.135:30001",
	}, r.bodyFields(t))
	requireSigned(t, r, "access_key=pFqV75X3&accountId=13178968584&accountType=INR&bankName=YesBank"+
		"&channelType=BANK&currencyAmount=40.2&externalOrderId=687279463984441035&ifSC=YESB0000001"+
		"&nonce=794c26b0-d33c-4394-b2bb-c485eca16d9e&notifyUrl=http://192.168.1.135:30001&remark=123"+
		"&timestamp=1679724896223&userInfoName=test")
	require.Equal(t, vectors(t)["payout"].Sign, r.Header.Get("sign"), "OpenSSL agrees")

	require.Equal(t, "687279463984441035", res.OrderID)
	require.Equal(t, "DKT1679724896223002", res.ProviderOrderID)
	require.Equal(t, paygate.StatusPending, res.Status)
	require.Equal(t, "1", res.RawStatus)
	require.Equal(t, "40.20 INR", res.Amount.String())
	require.True(t, res.Fee.IsZero())
	require.JSONEq(t, payOutOK, string(res.Raw))
}

func TestPayOutVariants(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*paygate.PayOutRequest)
		want map[string]string
	}{
		{"UPI ID in IFSC", func(r *paygate.PayOutRequest) {
			r.Channel, r.Beneficiary.IFSC = "UPI", "asha@okaxis"
		}, map[string]string{"channelType": "UPI", "ifSC": "asha@okaxis", "accountId": "13178968584"}},
		{"UPI ID as account", func(r *paygate.PayOutRequest) {
			r.Channel, r.Beneficiary.IFSC, r.Beneficiary.AccountNumber = "UPI", "", "asha@okaxis"
		}, map[string]string{"ifSC": "asha@okaxis", "accountId": "asha@okaxis"}},
		{"bank code as in the document", func(r *paygate.PayOutRequest) { r.Beneficiary.IFSC = "YESB" },
			map[string]string{"ifSC": "YESB"}},
		{"account type", func(r *paygate.PayOutRequest) { r.Beneficiary.AccountType = "SAVINGS" },
			map[string]string{"accountType": "SAVINGS"}},
		{"optional fields left out", func(r *paygate.PayOutRequest) {
			r.Beneficiary.Name, r.Beneficiary.BankName, r.Remark, r.NotifyURL = "", "", "", ""
		}, map[string]string{"userInfoName": "", "bankName": "", "remark": "", "notifyUrl": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, jsonReply(payOutOK))
			req := payOutRequest()
			tc.edit(req)
			_, err := newClient(t, srv.URL).PayOut(context.Background(), req)
			require.NoError(t, err)
			got := srv.requests()[0].bodyFields(t)
			for k, v := range tc.want {
				if v == "" {
					require.NotContains(t, got, k)
				} else {
					require.Equal(t, v, got[k], k)
				}
			}
		})
	}
}

func TestQuery(t *testing.T) {
	payInOrder := string(testdata(t, "callback_payin.json"))
	payOutOrder := `{"orderId":"DKT1679724896223002","orderType":2,"orderStatus":8,"externalOrderId":"687279463984441035",` +
		`"orderAmount":"500.00","orderActualAmount":"490.00","orderFee":10,"orderPayTime":1679724890000,"currencyType":"INR",` +
		`"orderStatusCode":"Success"}`
	for _, tc := range []struct {
		name, path, body string
		req              paygate.QueryRequest
		wantBody         map[string]string
		canonical        string
		check            func(*testing.T, *paygate.Order)
	}{
		{
			name: "pay-in by both numbers", path: "/api/v3/ind/query/collectingOrder", body: queryOK(t, payInOrder),
			req:      paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "716134866255702461", ProviderOrderID: "DKC1679724896223001"},
			wantBody: map[string]string{"externalOrderId": "716134866255702461", "orderId": "DKC1679724896223001"},
			canonical: "access_key=pFqV75X3&externalOrderId=716134866255702461&nonce=794c26b0-d33c-4394-b2bb-c485eca16d9e" +
				"&orderId=DKC1679724896223001&timestamp=1679724896223",
			check: func(t *testing.T, o *paygate.Order) {
				require.Equal(t, paygate.KindPayIn, o.Kind)
				require.Equal(t, "716134866255702461", o.OrderID)
				require.Equal(t, "DKC1679724896223001", o.ProviderOrderID)
				require.Equal(t, paygate.StatusSucceeded, o.Status)
				require.Equal(t, "2 Payment successful", o.RawStatus)
				require.Equal(t, "40.20 INR", o.Amount.String())
				require.Equal(t, "40.20 INR", o.ActualAmount.String())
				require.True(t, o.Fee.IsZero())
				require.Equal(t, time.UnixMilli(1679724890000).UTC(), o.CompletedAt)
			},
		},
		{
			name: "pay-out by merchant number", path: "/api/v3/ind/query/transferOrder", body: queryOK(t, payOutOrder),
			req:      paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "687279463984441035"},
			wantBody: map[string]string{"externalOrderId": "687279463984441035", "orderId": ""},
			canonical: "access_key=pFqV75X3&externalOrderId=687279463984441035&nonce=794c26b0-d33c-4394-b2bb-c485eca16d9e" +
				"&timestamp=1679724896223",
			check: func(t *testing.T, o *paygate.Order) {
				require.Equal(t, paygate.KindPayOut, o.Kind)
				require.Equal(t, paygate.StatusSucceeded, o.Status)
				require.Equal(t, "8 Success", o.RawStatus)
				require.Equal(t, "500.00 INR", o.Amount.String())
				require.Equal(t, "490.00 INR", o.ActualAmount.String())
				require.Equal(t, "10.00 INR", o.Fee.String())
				require.Equal(t, time.UnixMilli(1679724890000).UTC(), o.CompletedAt, "orderPayTime without orderCompleteTime")
			},
		},
		{
			name: "pay-out by provider number", path: "/api/v3/ind/query/transferOrder", body: queryOK(t, payOutOrder),
			req:      paygate.QueryRequest{Kind: paygate.KindPayOut, ProviderOrderID: "DKT1679724896223002"},
			wantBody: map[string]string{"externalOrderId": "", "orderId": "DKT1679724896223002"},
			canonical: "access_key=pFqV75X3&nonce=794c26b0-d33c-4394-b2bb-c485eca16d9e&orderId=DKT1679724896223002" +
				"&timestamp=1679724896223",
			check: func(t *testing.T, o *paygate.Order) { require.Equal(t, "687279463984441035", o.OrderID) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, jsonReply(tc.body))
			o, err := newClient(t, srv.URL).Query(context.Background(), &tc.req)
			require.NoError(t, err)
			r := srv.requests()[0]
			require.Equal(t, http.MethodPost, r.Method)
			require.Equal(t, tc.path, r.Path)
			require.Equal(t, tc.wantBody, r.bodyFields(t))
			requireSigned(t, r, tc.canonical)
			require.JSONEq(t, tc.body, string(o.Raw))
			tc.check(t, o)
		})
	}
	require.Equal(t, vectors(t)["query"].Sign, hmacSHA1(
		"access_key=pFqV75X3&externalOrderId=716134866255702461&nonce=794c26b0-d33c-4394-b2bb-c485eca16d9e"+
			"&orderId=DKC1679724896223001&timestamp=1679724896223", testSecret))
}

func TestQueryNotFound(t *testing.T) {
	srv := newServer(t, jsonReply(emptyList))
	_, err := newClient(t, srv.URL).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "X1"})
	require.ErrorIs(t, err, paygate.ErrOrderNotFound)
	var pe *paygate.ProviderError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "deekpay", pe.Provider)
	require.Equal(t, "query", pe.Op)
	require.Len(t, srv.requests(), 1, "a definite answer is not retried")
}

func TestQueryMismatch(t *testing.T) {
	srv := newServer(t, jsonReply(queryOK(t, `{"orderId":"OTHER","externalOrderId":"OTHER","orderStatus":2,"orderAmount":"1"}`)))
	_, err := newClient(t, srv.URL).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "X1"})
	require.ErrorIs(t, err, paygate.ErrMalformedResponse)
}

// TestQueryAnswerOfAnotherKind: a pay-in query answered with a transfer order (orderType 2)
// is not read with the collecting table (status 2 would be "succeeded"): it is malformed, and
// so is a transfer query answered with a collecting order.
func TestQueryAnswerOfAnotherKind(t *testing.T) {
	for _, tc := range []struct {
		kind  paygate.Kind
		order string
	}{
		{paygate.KindPayIn, `{"orderId":"T1","orderType":2,"orderStatus":2,"externalOrderId":"MYORDER123","orderAmount":"500","currencyType":"INR","orderTypeCode":"payment"}`},
		{paygate.KindPayIn, `{"orderId":"T1","orderType":"3","orderStatus":2,"externalOrderId":"MYORDER123","orderAmount":"500"}`},
		{paygate.KindPayOut, `{"orderId":"C1","orderType":1,"orderStatus":8,"externalOrderId":"MYORDER123","orderAmount":"500"}`},
	} {
		srv := newServer(t, jsonReply(queryOK(t, tc.order)))
		o, err := newClient(t, srv.URL).Query(context.Background(), &paygate.QueryRequest{Kind: tc.kind, OrderID: "MYORDER123"})
		require.Nil(t, o, "%s", tc.order)
		require.ErrorIs(t, err, paygate.ErrMalformedResponse)
	}
}

// TestAnswerInAnotherCurrency: an answer in another currency is about another amount: on a
// create outcome-unknown, on a query malformed.
func TestAnswerInAnotherCurrency(t *testing.T) {
	t.Run("pay-in", func(t *testing.T) {
		srv := newServer(t, jsonReply(strings.Replace(payInOK, `"currency":"INR"`, `"currency":"USD"`, 1)))
		res, err := newClient(t, srv.URL).PayIn(context.Background(), payInRequest())
		require.Nil(t, res)
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	})
	t.Run("pay-out", func(t *testing.T) {
		srv := newServer(t, jsonReply(strings.Replace(payOutOK, `"currencyType":"INR"`, `"currencyType":"USD"`, 1)))
		res, err := newClient(t, srv.URL).PayOut(context.Background(), payOutRequest())
		require.Nil(t, res)
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	})
	t.Run("query", func(t *testing.T) {
		srv := newServer(t, jsonReply(queryOK(t, `{"orderId":"C1","orderType":1,"orderStatus":2,"externalOrderId":"X1","orderAmount":"500","currencyType":"USD"}`)))
		o, err := newClient(t, srv.URL).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "X1"})
		require.Nil(t, o)
		require.ErrorIs(t, err, paygate.ErrMalformedResponse)
	})
}

func TestBalance(t *testing.T) {
	srv := newServer(t, jsonReply(balanceOK))
	b, err := newClient(t, srv.URL).Balance(context.Background())
	require.NoError(t, err)
	r := srv.requests()[0]
	require.Equal(t, http.MethodGet, r.Method)
	require.Equal(t, "/api/v3/ind/query/balance", r.Path)
	require.Empty(t, r.RawQuery)
	require.Empty(t, r.Body)
	requireSigned(t, r, "access_key=pFqV75X3&nonce=794c26b0-d33c-4394-b2bb-c485eca16d9e&timestamp=1679724896223")
	require.Equal(t, vectors(t)[`headers only (balance, ping, banks with bankName "")`].Sign, r.Header.Get("sign"))
	require.Equal(t, "100000.50 INR", b.Available.String())
	require.Equal(t, "1200.00 INR", b.Frozen.String())
	require.Equal(t, "300.25 INR", b.Pending.String())
	require.JSONEq(t, balanceOK, string(b.Raw))
}

func TestBalanceList(t *testing.T) {
	srv := newServer(t, jsonReply(`{"code":"200","success":true,"data":[{"accountBalance":"5","currencyType":"USD"},{"accountBalance":"7.5","currencyType":"INR"}]}`))
	b, err := newClient(t, srv.URL).Balance(context.Background())
	require.NoError(t, err)
	require.Equal(t, "7.50 INR", b.Available.String())
}

// TestBalanceUnreadable: data that names no balance is a malformed answer, whichever shape.
func TestBalanceUnreadable(t *testing.T) {
	for _, data := range []string{`[]`, `{}`, `[{"currencyType":"INR"}]`, `"5"`, `[1]`} {
		t.Run(data, func(t *testing.T) {
			srv := newServer(t, jsonReply(`{"code":"200","success":true,"data":`+data+`}`))
			_, err := newClient(t, srv.URL).Balance(context.Background())
			var re *paygate.ResponseError
			require.ErrorAs(t, err, &re)
		})
	}
}

func TestPing(t *testing.T) {
	for _, body := range []string{pingOK, `{"version":"v3.2.1","timestamp":1679724896}`} {
		srv := newServer(t, jsonReply(body))
		v, err := newClient(t, srv.URL).Ping(context.Background())
		require.NoError(t, err)
		require.Equal(t, "v3.2.1", v)
		r := srv.requests()[0]
		require.Equal(t, http.MethodGet, r.Method)
		require.Equal(t, "/ping", r.Path)
		requireSigned(t, r, "access_key=pFqV75X3&nonce=794c26b0-d33c-4394-b2bb-c485eca16d9e&timestamp=1679724896223")
	}
	srv := newServer(t, jsonReply(`{"code":"200","success":true,"data":{}}`))
	_, err := newClient(t, srv.URL).Ping(context.Background())
	require.ErrorIs(t, err, paygate.ErrMalformedResponse)
}

func TestBanks(t *testing.T) {
	srv := newServer(t, jsonReply(banksOK))
	c := newClient(t, srv.URL)
	banks, err := c.Banks(context.Background(), "")
	require.NoError(t, err)
	r := srv.requests()[0]
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, "/api/v3/ind/query/bank", r.Path)
	require.JSONEq(t, `{"bankName":""}`, string(r.Body), "the empty name is sent")
	requireSigned(t, r, "access_key=pFqV75X3&nonce=794c26b0-d33c-4394-b2bb-c485eca16d9e&timestamp=1679724896223")
	require.Equal(t, []deekpay.Bank{
		{BankName: "Yes Bank", BankCode: "YESB", CurrencyType: "INR", ChannelBankID: "1005", ChannelID: "11"},
		{BankName: "YesBank", BankCode: "YESB", CurrencyType: "INR", ChannelBankID: "1006", ChannelID: "12"},
	}, banks)

	_, err = c.Banks(context.Background(), "Yes Bank")
	require.NoError(t, err)
	r = srv.requests()[1]
	require.JSONEq(t, `{"bankName":"Yes Bank"}`, string(r.Body))
	requireSigned(t, r, "access_key=pFqV75X3&bankName=Yes Bank&nonce=794c26b0-d33c-4394-b2bb-c485eca16d9e&timestamp=1679724896223")

	srv = newServer(t, jsonReply(emptyList))
	banks, err = newClient(t, srv.URL).Banks(context.Background(), "Nowhere")
	require.NoError(t, err)
	require.Empty(t, banks)
}

// endpoint is one operation, for the failure tables.
type endpoint struct {
	name   string
	create bool
	call   func(*deekpay.Client) error
}

func endpoints() []endpoint {
	ctx := context.Background()
	return []endpoint{
		{"payin", true, func(c *deekpay.Client) error { _, err := c.PayIn(ctx, payInRequest()); return err }},
		{"payout", true, func(c *deekpay.Client) error { _, err := c.PayOut(ctx, payOutRequest()); return err }},
		{"query payin", false, func(c *deekpay.Client) error {
			_, err := c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "716134866255702461"})
			return err
		}},
		{"query payout", false, func(c *deekpay.Client) error {
			_, err := c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "687279463984441035"})
			return err
		}},
		{"balance", false, func(c *deekpay.Client) error { _, err := c.Balance(ctx); return err }},
		{"ping", false, func(c *deekpay.Client) error { _, err := c.Ping(ctx); return err }},
		{"banks", false, func(c *deekpay.Client) error { _, err := c.Banks(ctx, ""); return err }},
	}
}

func TestProviderError(t *testing.T) {
	for _, ep := range endpoints() {
		t.Run(ep.name, func(t *testing.T) {
			srv := newServer(t, jsonReply(`{"code":"401","success":false,"msg":"签名错误","msgEn":"sign verification failed","data":null}`))
			err := ep.call(newClient(t, srv.URL))
			var pe *paygate.ProviderError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "401", pe.Code)
			require.Equal(t, "sign verification failed", pe.Message)
			require.Equal(t, "deekpay", pe.Provider)
			require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown, "a definite refusal")
			require.Len(t, srv.requests(), 1)
		})
		// DeekPay publishes no code table: a code other than the HTTP-style refusals the
		// package lists does not say "not created".
		for _, code := range []string{`"1001"`, `"201"`, `"302"`, `"FAIL"`, `""`} {
			t.Run(ep.name+"/undocumented code "+code, func(t *testing.T) {
				srv := newServer(t, jsonReply(`{"code":`+code+`,"success":false,"msgEn":"failed","data":null}`))
				err := ep.call(newClient(t, srv.URL))
				var pe *paygate.ProviderError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown), "%v", err)
			})
		}
		// A true success flag under a code that is not the success code contradicts itself.
		for _, code := range []string{`"201"`, `"400"`, `500`} {
			t.Run(ep.name+"/success under code "+code, func(t *testing.T) {
				srv := newServer(t, jsonReply(`{"code":`+code+`,"success":true,"msgEn":"SUCCESS","data":{"orderId":"D1","externalOrderId":"716134866255702461"}}`))
				err := ep.call(newClient(t, srv.URL))
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
				require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown), "%v", err)
			})
		}
	}
	t.Run("msg when msgEn is empty, numeric code", func(t *testing.T) {
		srv := newServer(t, jsonReply(`{"code":400,"success":false,"msg":"参数错误"}`))
		_, err := newClient(t, srv.URL).Balance(context.Background())
		var pe *paygate.ProviderError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, "400", pe.Code)
		require.Equal(t, "参数错误", pe.Message)
	})
	t.Run("code 200 without success", func(t *testing.T) {
		// The envelope contradicts itself: neither a success nor a refusal to trust.
		srv := newServer(t, jsonReply(`{"code":"200","success":false,"msgEn":"FAIL"}`))
		_, err := newClient(t, srv.URL).Balance(context.Background())
		require.ErrorIs(t, err, paygate.ErrMalformedResponse)
		_, err = newClient(t, srv.URL).PayIn(context.Background(), payInRequest())
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	})
	t.Run("duplicate order", func(t *testing.T) {
		srv := newServer(t, jsonReply(`{"code":"400","success":false,"msg":"订单号重复","msgEn":"Duplicate externalOrderId: order already exists"}`))
		_, err := newClient(t, srv.URL).PayIn(context.Background(), payInRequest())
		require.ErrorIs(t, err, paygate.ErrDuplicateOrder)
		require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
	})
	t.Run("order does not exist", func(t *testing.T) {
		srv := newServer(t, jsonReply(`{"code":"400","success":false,"msgEn":"order does not exist"}`))
		_, err := newClient(t, srv.URL).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "X1"})
		require.ErrorIs(t, err, paygate.ErrOrderNotFound)
	})
	t.Run("create refused with a 5xx code is uncertain", func(t *testing.T) {
		srv := newServer(t, jsonReply(`{"code":"500","success":false,"msgEn":"system busy"}`))
		_, err := newClient(t, srv.URL).PayOut(context.Background(), payOutRequest())
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
		var pe *paygate.ProviderError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, "500", pe.Code)
	})
	t.Run("rate limited read is retryable", func(t *testing.T) {
		srv := newServer(t, jsonReply(`{"code":"429","success":false,"msgEn":"too many requests"}`))
		_, err := newClient(t, srv.URL).Balance(context.Background())
		var pe *paygate.ProviderError
		require.ErrorAs(t, err, &pe)
		require.True(t, pe.Retryable)
	})
	t.Run("success without data", func(t *testing.T) {
		srv := newServer(t, jsonReply(`{"code":"200","success":true,"msgEn":"SUCCESS","data":null}`))
		_, err := newClient(t, srv.URL).PayIn(context.Background(), payInRequest())
		require.ErrorIs(t, err, paygate.ErrMalformedResponse)
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	})
	t.Run("pay-in data without cashier link", func(t *testing.T) {
		srv := newServer(t, jsonReply(`{"code":"200","success":true,"data":{"orderId":"X"}}`))
		_, err := newClient(t, srv.URL).PayIn(context.Background(), payInRequest())
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	})
}

func TestUnreadableResponses(t *testing.T) {
	html := "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("<p>nginx</p>", 100) + "</body></html>"
	for _, rc := range []struct {
		name  string
		reply reply
	}{
		{"HTML 502", reply{status: http.StatusBadGateway, contentType: "text/html", body: html}},
		{"HTML 200", reply{status: http.StatusOK, contentType: "text/html", body: html}},
		{"malformed JSON", jsonReply(`{"code":"200","success":true,"data":{"orderId":`)},
		{"empty body", jsonReply("")},
		{"data of the wrong shape", jsonReply(`{"code":"200","success":true,"data":"nope"}`)},
	} {
		for _, ep := range endpoints() {
			t.Run(rc.name+"/"+ep.name, func(t *testing.T) {
				srv := newServer(t, rc.reply)
				err := ep.call(newClient(t, srv.URL))
				require.Error(t, err)
				if ep.create {
					require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
					require.Len(t, srv.requests(), 1, "a create is never re-sent")
				} else {
					require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
				}
				if rc.name != "data of the wrong shape" || ep.name != "banks" {
					require.ErrorIs(t, err, paygate.ErrMalformedResponse)
				}
				var re *paygate.ResponseError
				if errors.As(err, &re) {
					require.LessOrEqual(t, len(re.Snippet), 256+len("…"))
				}
				require.NotContains(t, err.Error(), strings.Repeat("<p>nginx</p>", 30), "at most 256 bytes quoted")
			})
		}
	}
}

func TestTimeout(t *testing.T) {
	for _, ep := range endpoints() {
		t.Run(ep.name, func(t *testing.T) {
			srv := newServer(t, reply{block: true})
			cfg := testConfig(srv.URL)
			// Long enough that the request is written even on a loaded machine (else it is not
			// sent at all, and nothing here would be tested).
			cfg.Timeout = 300 * time.Millisecond
			err := ep.call(newClientWith(t, cfg))
			require.Error(t, err)
			if ep.create {
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
				var oe *paygate.OutcomeError
				require.ErrorAs(t, err, &oe)
				require.NotEmpty(t, oe.OrderID)
				require.Len(t, srv.requests(), 1, "a create is sent at most once")
			} else {
				require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
				require.Len(t, srv.requests(), 2, "a read is retried per the policy")
			}
		})
	}
	t.Run("context deadline on a pay-out", func(t *testing.T) {
		srv := newServer(t, reply{block: true})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := newClient(t, srv.URL).PayOut(ctx, payOutRequest())
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
		require.LessOrEqual(t, len(srv.requests()), 1)
	})
	t.Run("cancelled context stops at once", func(t *testing.T) {
		srv := newServer(t, jsonReply(balanceOK))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := newClient(t, srv.URL).Balance(ctx)
		require.ErrorIs(t, err, context.Canceled)
		require.Empty(t, srv.requests())
	})
}

// TestRetrySignsAfresh: a retried read carries a new nonce, timestamp and sign.
func TestRetrySignsAfresh(t *testing.T) {
	srv := newServer(t, reply{status: http.StatusServiceUnavailable, body: "busy"}, jsonReply(balanceOK))
	var n atomic.Int64
	nonces := []string{testNonce, "0b7d0a35-2c1e-4e8a-9d55-1f0f1b8f6e11"}
	var tick atomic.Int64
	c := newClient(t, srv.URL,
		paygate.WithNonce(func() string { return nonces[n.Add(1)-1] }),
		paygate.WithClock(func() time.Time { return testNow.Add(time.Duration(tick.Add(1)-1) * time.Millisecond) }))
	_, err := c.Balance(context.Background())
	require.NoError(t, err)
	reqs := srv.requests()
	require.Len(t, reqs, 2)
	require.NotEqual(t, reqs[0].Header.Get("nonce"), reqs[1].Header.Get("nonce"))
	require.Equal(t, "1679724896224", reqs[1].Header.Get("timestamp"))
	require.Equal(t, hmacSHA1("access_key=pFqV75X3&nonce="+nonces[1]+"&timestamp=1679724896224", testSecret), reqs[1].Header.Get("sign"))
}

func TestDefaultNonce(t *testing.T) {
	srv := newServer(t, jsonReply(balanceOK))
	c, err := deekpay.New(testConfig(srv.URL))
	require.NoError(t, err)
	for range 2 {
		_, err = c.Balance(context.Background())
		require.NoError(t, err)
	}
	reqs := srv.requests()
	for _, r := range reqs {
		nonce := r.Header.Get("nonce")
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, nonce)
		require.Regexp(t, `^\d{13}$`, r.Header.Get("timestamp"))
		require.Equal(t, hmacSHA1("access_key=pFqV75X3&nonce="+nonce+"&timestamp="+r.Header.Get("timestamp"), testSecret), r.Header.Get("sign"))
	}
	require.NotEqual(t, reqs[0].Header.Get("nonce"), reqs[1].Header.Get("nonce"))
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	in := func(edit func(*paygate.PayInRequest)) func(*deekpay.Client) error {
		return func(c *deekpay.Client) error {
			r := payInRequest()
			edit(r)
			_, err := c.PayIn(ctx, r)
			return err
		}
	}
	out := func(edit func(*paygate.PayOutRequest)) func(*deekpay.Client) error {
		return func(c *deekpay.Client) error {
			r := payOutRequest()
			edit(r)
			_, err := c.PayOut(ctx, r)
			return err
		}
	}
	query := func(q *paygate.QueryRequest) func(*deekpay.Client) error {
		return func(c *deekpay.Client) error { _, err := c.Query(ctx, q); return err }
	}
	for _, tc := range []struct {
		name, field string
		call        func(*deekpay.Client) error
	}{
		{"payin nil", "PayInRequest", func(c *deekpay.Client) error { _, err := c.PayIn(ctx, nil); return err }},
		{"payin negative amount", "Amount", in(func(r *paygate.PayInRequest) { r.Amount = paygate.MustParseMoney("-1", paygate.INR) })},
		{"payin zero amount", "Amount", in(func(r *paygate.PayInRequest) { r.Amount = paygate.Money{} })},
		{"payin three places", "Amount", in(func(r *paygate.PayInRequest) { r.Amount = paygate.MustParseMoney("40.205", paygate.INR) })},
		{"payin PKR", "Amount", in(func(r *paygate.PayInRequest) { r.Amount = paygate.MustParseMoney("40", paygate.PKR) })},
		{"payin no order id", "OrderID", in(func(r *paygate.PayInRequest) { r.OrderID = "" })},
		{"payin order id of 65", "OrderID", in(func(r *paygate.PayInRequest) { r.OrderID = strings.Repeat("1", 65) })},
		{"payin order id carrying a member", "OrderID", in(func(r *paygate.PayInRequest) { r.OrderID = "ORD1&markStatus=0" })},
		{"payin remark of 256", "Remark", in(func(r *paygate.PayInRequest) { r.Remark = strings.Repeat("r", 256) })},
		{"payin bad notify URL", "NotifyURL", in(func(r *paygate.PayInRequest) { r.NotifyURL = "notify" })},
		{"payin bad return URL", "ReturnURL", in(func(r *paygate.PayInRequest) { r.ReturnURL = "ftp://x" })},
		{"payin extra overrides", "Extra.amount", in(func(r *paygate.PayInRequest) { r.Extra = map[string]string{"amount": "1"} })},
		{"payin extra nonce", "Extra.nonce", in(func(r *paygate.PayInRequest) { r.Extra = map[string]string{"nonce": "1"} })},
		{"payout nil", "PayOutRequest", func(c *deekpay.Client) error { _, err := c.PayOut(ctx, nil); return err }},
		{"payout three places", "Amount", out(func(r *paygate.PayOutRequest) { r.Amount = paygate.MustParseMoney("1.001", paygate.INR) })},
		{"payout no account", "Beneficiary.AccountNumber", out(func(r *paygate.PayOutRequest) { r.Beneficiary.AccountNumber = "" })},
		{"payout bad IFSC", "Beneficiary.IFSC", out(func(r *paygate.PayOutRequest) { r.Beneficiary.IFSC = "YESB000001" })},
		{"payout no IFSC", "Beneficiary.IFSC", out(func(r *paygate.PayOutRequest) { r.Beneficiary.IFSC = "" })},
		{"payout UPI without UPI ID", "Beneficiary.IFSC", out(func(r *paygate.PayOutRequest) { r.Channel = "UPI" })},
		{"payout UPI no ID at all", "Beneficiary.AccountNumber", out(func(r *paygate.PayOutRequest) {
			r.Channel, r.Beneficiary.IFSC = "UPI", ""
		})},
		{"payout order id of 65", "OrderID", out(func(r *paygate.PayOutRequest) { r.OrderID = strings.Repeat("1", 65) })},
		{"payout remark of 256", "Remark", out(func(r *paygate.PayOutRequest) { r.Remark = strings.Repeat("r", 256) })},
		{"payout bad notify URL", "NotifyURL", out(func(r *paygate.PayOutRequest) { r.NotifyURL = "/notify" })},
		{"query nil", "QueryRequest", query(nil)},
		{"query no numbers", "OrderID", query(&paygate.QueryRequest{Kind: paygate.KindPayIn})},
		{"query bad kind", "Kind", query(&paygate.QueryRequest{Kind: "refund", OrderID: "1"})},
		{"query order id of 65", "OrderID", query(&paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: strings.Repeat("1", 65)})},
		{"banks long name", "name", func(c *deekpay.Client) error { _, err := c.Banks(ctx, strings.Repeat("b", 129)); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, jsonReply(payInOK))
			err := tc.call(newClient(t, srv.URL))
			require.ErrorIs(t, err, paygate.ErrInvalidRequest)
			var ve *paygate.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tc.field, ve.Field)
			require.Equal(t, "deekpay", ve.Provider)
			require.Empty(t, srv.requests(), "no HTTP call")
		})
	}
	t.Run("direct pay-in is unsupported", func(t *testing.T) {
		srv := newServer(t, jsonReply(payInOK))
		r := payInRequest()
		r.Direct = true
		_, err := newClient(t, srv.URL).PayIn(ctx, r)
		require.ErrorIs(t, err, paygate.ErrUnsupported)
		require.Empty(t, srv.requests())
	})
}

func TestStatusTables(t *testing.T) {
	for _, tc := range []struct {
		kind paygate.Kind
		raw  string
		want paygate.Status
	}{
		{paygate.KindPayIn, "1", paygate.StatusPending},
		{paygate.KindPayIn, "2", paygate.StatusSucceeded},
		{paygate.KindPayIn, "4", paygate.StatusUnknown},
		{paygate.KindPayIn, "8", paygate.StatusUnknown},
		{paygate.KindPayIn, "0", paygate.StatusUnknown},
		{paygate.KindPayOut, "1", paygate.StatusPending},
		{paygate.KindPayOut, "2", paygate.StatusProcessing},
		{paygate.KindPayOut, "4", paygate.StatusFailed},
		{paygate.KindPayOut, "8", paygate.StatusSucceeded},
		{paygate.KindPayOut, "16", paygate.StatusFailed},
		{paygate.KindPayOut, "3", paygate.StatusUnknown},
		{paygate.KindPayOut, "32", paygate.StatusUnknown},
		{paygate.KindPayOut, "", paygate.StatusUnknown},
		{paygate.KindPayIn, "Completed", paygate.StatusSucceeded},
		{paygate.KindPayOut, "COMPLETED", paygate.StatusSucceeded},
		{paygate.KindPayIn, "Payment successful", paygate.StatusSucceeded},
		{paygate.KindPayIn, "to be paid", paygate.StatusPending},
		{paygate.KindPayOut, "Accepted", paygate.StatusPending},
		{paygate.KindPayOut, "Bank processing in progress", paygate.StatusProcessing},
		{paygate.KindPayOut, "Failure (not accepted by banks)", paygate.StatusFailed},
		{paygate.KindPayOut, "Failed", paygate.StatusFailed},
		{paygate.KindPayIn, "Cancelled", paygate.StatusCancelled},
		{paygate.KindPayIn, "Expired", paygate.StatusCancelled},
		{paygate.KindPayIn, "Timeout", paygate.StatusCancelled},
		{paygate.KindPayOut, "Cancelled", paygate.StatusCancelled},
		// A transfer that timed out may still be paid: never a final status (it was Cancelled).
		{paygate.KindPayOut, "Timeout", paygate.StatusUnknown},
		{paygate.KindPayOut, "time_out", paygate.StatusUnknown},
		{paygate.KindPayOut, "Expired", paygate.StatusUnknown},
		{paygate.KindPayOut, "CLOSED ", paygate.StatusUnknown},
		{paygate.KindPayOut, "Reversed", paygate.StatusReversed},
		{paygate.KindPayIn, "Successish", paygate.StatusUnknown},
	} {
		require.Equal(t, tc.want, deekpay.MapStatus(tc.kind, tc.raw), "%s %q", tc.kind, tc.raw)
	}
	require.Equal(t, paygate.StatusSucceeded, deekpay.MapPayInStatus("2"))
	require.Equal(t, paygate.StatusUnknown, deekpay.MapPayInStatus("16"))
	require.Equal(t, paygate.StatusFailed, deekpay.MapPayOutStatus("16"))
	require.Equal(t, paygate.StatusUnknown, deekpay.MapStatusName("8"))

	for raw, want := range map[string][2]string{
		"8 Success": {"8", "Success"}, "2 Payment successful": {"2", "Payment successful"},
		"1": {"1", ""}, "Completed": {"Completed", ""}, "Bank processing": {"Bank processing", ""},
	} {
		s, code := deekpay.SplitRawStatus(raw)
		require.Equal(t, want, [2]string{s, code}, raw)
	}
}

// TestNoSecretsLeak drives every operation to success and to failure with a debug logger and
// checks that neither the log nor any error names the secret or the access key.
func TestNoSecretsLeak(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var errs []string
	for _, rp := range []reply{
		jsonReply(`{"code":"1001","success":false,"msg":"签名错误","msgEn":"sign verification failed"}`),
		{status: http.StatusBadGateway, body: "<html>bad gateway</html>"},
		jsonReply(`{"code":"200"`),
		{block: true},
	} {
		srv := newServer(t, rp)
		cfg := testConfig(srv.URL)
		cfg.Timeout = 30 * time.Millisecond
		c := newClientWith(t, cfg, paygate.WithLogger(logger))
		for _, ep := range endpoints() {
			if err := ep.call(c); err != nil {
				errs = append(errs, err.Error())
			}
		}
		_, err := c.ParseCallback(signCallback(t, testdata(t, "callback_payin.json"), testAccessKey, testTimestamp, testNonce, "wrong"), testdata(t, "callback_payin.json"))
		require.Error(t, err)
		errs = append(errs, err.Error())
	}
	require.NotEmpty(t, buf.String(), "the transport logs at debug level")
	for _, s := range append(errs, buf.String()) {
		require.NotContains(t, s, testSecret)
		require.NotContains(t, s, testAccessKey)
		require.NotContains(t, s, vectors(t)["payin"].Sign)
	}
}

// TestCreateNeverConnected: a create whose connection was refused cannot have reached
// DeekPay: it is retried, freshly signed, and the error is not outcome-unknown.
func TestCreateNeverConnected(t *testing.T) {
	srv := newServer(t, jsonReply(payInOK))
	url := srv.URL
	srv.Close()
	var nonces atomic.Int64
	c := newClient(t, url, paygate.WithNonce(func() string { nonces.Add(1); return testNonce }))
	_, err := c.PayIn(context.Background(), payInRequest())
	require.Error(t, err)
	require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
	require.ErrorIs(t, err, paygate.ErrNotSent, "provably never left: safe to send elsewhere")
	require.Equal(t, int64(2), nonces.Load(), "two attempts, each signed")
}

// DeekPay's callback repeats notifyUrl, tradeNote (the remark) and the beneficiary's account
// fields, and its signature joins "k=v&k=v": a value carrying "&name=" there makes every
// callback of the order read as a re-split, refused. So such a value is refused on the create,
// naming the field, before the order exists and nothing is sent.
func TestEchoedFieldsCarryOneMember(t *testing.T) {
	s := newServer(t)
	c := newClient(t, s.URL)
	const carries = "a&ref=42"
	for _, tt := range []struct {
		field string
		payIn func(*paygate.PayInRequest)
		out   func(*paygate.PayOutRequest)
	}{
		{"NotifyURL", func(r *paygate.PayInRequest) { r.NotifyURL = "https://m.example/notify?shop=7&tenant=3" }, nil},
		{"Remark", func(r *paygate.PayInRequest) { r.Remark = "gift&ref=42" }, nil},
		{"NotifyURL", nil, func(r *paygate.PayOutRequest) { r.NotifyURL = "https://m.example/po?shop=7&tenant=3" }},
		{"Remark", nil, func(r *paygate.PayOutRequest) { r.Remark = carries }},
		{"Beneficiary.Name", nil, func(r *paygate.PayOutRequest) { r.Beneficiary.Name = carries }},
		{"Beneficiary.AccountNumber", nil, func(r *paygate.PayOutRequest) { r.Beneficiary.AccountNumber = "12345&x=1" }},
		{"Beneficiary.AccountType", nil, func(r *paygate.PayOutRequest) { r.Beneficiary.AccountType = "INR&x=1" }},
	} {
		var err error
		if tt.payIn != nil {
			req := payInRequest()
			tt.payIn(req)
			_, err = c.PayIn(context.Background(), req)
		} else {
			req := payOutRequest()
			tt.out(req)
			_, err = c.PayOut(context.Background(), req)
		}
		var ve *paygate.ValidationError
		require.ErrorAs(t, err, &ve, tt.field)
		require.Equal(t, tt.field, ve.Field)
	}
	require.Empty(t, s.requests(), "nothing was sent")
}

// DeekPay names the merchant by its access_key alone (Config.MerchantID is not used), so the
// account the dedupe key and the rate limiter tell apart is a digest of the access_key: two
// accounts never share one, and the key itself appears nowhere.
func TestAccountFromAccessKey(t *testing.T) {
	account := func(apiKey, merchantID string) string {
		cfg := testConfig("http://127.0.0.1:9")
		cfg.APIKey, cfg.MerchantID = apiKey, merchantID
		return newClientWith(t, cfg).MerchantID()
	}
	a, b := account("ak-account-a", ""), account("ak-account-b", "")
	require.NotEmpty(t, a)
	require.NotEqual(t, a, b, "two access keys are two accounts")
	require.Equal(t, a, account("ak-account-a", ""), "stable")
	require.NotContains(t, a, "ak-account-a", "the access key itself is not the account's name")
	require.Equal(t, "M7", account("ak-account-a", "M7"), "a MerchantID given names the account")

	cb := &paygate.Callback{Kind: paygate.KindPayIn, OrderID: "ORDER_SAME_0001", Status: paygate.StatusSucceeded}
	cfgA, cfgB := testConfig("http://127.0.0.1:9"), testConfig("http://127.0.0.1:9")
	cfgA.APIKey, cfgB.APIKey = "ak-account-a", "ak-account-b"
	require.NotEqual(t, webhook.GatewayKey(newClientWith(t, cfgA), cb), webhook.GatewayKey(newClientWith(t, cfgB), cb))
}
