package caipay_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/caipay"
)

// The success answers of CaiPay's API document, verbatim.
const (
	docPayIn = `{
    "code": 0,
    "msg": null,
    "data": {
        "orderStatus": "PENDING",
        "customerOrderNo": "TEST123456789",
        "platOrderNo": "1928018154181656576",
        "orderAmount": "100",
        "url": "https://cai-pay.net/mobile/?trans=1928018154181656576"
    },
    "ok": true
}`
	docPayInH2H = `{
    "code": 0,
    "msg": null,
    "data": {
        "platOrderNo": "1930975505444503552",
        "orderStatus": "PENDING",
        "upi": "upi://pay?pn=",
        "orderAmount": 200,
        "expireTime": "2025-06-06 21:20:10",
        "paytm": "paytmmp://pay?",
        "customerOrderNo": "TEST98989898"
    },
    "ok": true
}`
	docPayOut = `{
    "code": 0,
    "msg": null,
    "data": {
        "orderStatus": "PENDING",
        "customerOrderNo": "TEST123456789",
        "platOrderNo": "1928018154181656576",
        "orderAmount": "100"
    },
    "ok": true
}`
	docSearch = `{
    "code": 0,
    "msg": null,
    "data": {
        "tenantId": "1919668884792586242",
        "customerOrderNo": "TEST98989898",
        "amount": "10",
        "actualAmount": "10",
        "status": "PENDING",
        "utr": "None"
    },
    "ok": true
}`
)

// TestCode200IsSuccess: CaiPay's code table lists 200 as "Success" while its examples answer
// 0: both, with ok true, are a success.
func TestCode200IsSuccess(t *testing.T) {
	for name, body := range map[string]string{"payin": docPayIn, "payin h2h": docPayInH2H, "payout": docPayOut} {
		t.Run(name, func(t *testing.T) {
			api := newAPI(t, answer(http.StatusOK, strings.Replace(body, `"code": 0`, `"code": 200`, 1)))
			c := newClient(t, api)
			var err error
			switch name {
			case "payin":
				_, err = c.PayIn(context.Background(), payInRequest("TEST123456789", "100", false))
			case "payin h2h":
				_, err = c.PayIn(context.Background(), payInRequest("TEST98989898", "200", true))
			default:
				_, err = c.PayOut(context.Background(), payOutRequest())
			}
			require.NoError(t, err)
		})
	}
	t.Run("search", func(t *testing.T) {
		api := newAPI(t, answer(http.StatusOK, strings.Replace(docSearch, `"code": 0`, `"code": "200"`, 1)))
		o, err := newClient(t, api).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "TEST98989898"})
		require.NoError(t, err)
		require.Equal(t, "TEST98989898", o.OrderID)
	})
}

func TestPayInHosted(t *testing.T) {
	api := newAPI(t, answer(http.StatusOK, docPayIn))
	c := newClient(t, api)
	res, err := c.PayIn(context.Background(), payInRequest("TEST123456789", "100", false))
	require.NoError(t, err)

	got := api.last(t)
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "/api/cai/out/v1/payIn", got.Path)
	require.Equal(t, "application/x-www-form-urlencoded", got.Header.Get("Content-Type"))
	require.Empty(t, got.Body)
	// Values in ASCII key order: amount, callbackUrl, customerOrderNo, rechargeEmail,
	// rechargeName, rechargePhone, tenantId, token; then the secret.
	sig := md5hex("100.00" + "https://merchant.example/cb" + "TEST123456789" + "asha.rao@gmail.com" + "Asha Rao" +
		"9876543210" + testTenant + testToken + testSecret)
	require.Equal(t, "amount=100.00&callbackUrl=https%3A%2F%2Fmerchant.example%2Fcb&customerOrderNo=TEST123456789"+
		"&rechargeEmail=asha.rao%40gmail.com&rechargeName=Asha+Rao&rechargePhone=9876543210"+
		"&signKey="+sig+"&tenantId="+testTenant+"&token="+testToken, got.RawQuery)

	require.Equal(t, "TEST123456789", res.OrderID)
	require.Equal(t, "1928018154181656576", res.ProviderOrderID)
	require.Equal(t, paygate.StatusPending, res.Status)
	require.Equal(t, "PENDING", res.RawStatus)
	require.True(t, res.Amount.Equal(inr("100.00")), "amount %s", res.Amount)
	require.Equal(t, "https://cai-pay.net/mobile/?trans=1928018154181656576", res.PaymentURL)
	require.Empty(t, res.UPIURL)
	require.True(t, res.ExpiresAt.IsZero())
	require.Empty(t, caipay.PaytmURL(res))
	require.JSONEq(t, docPayIn, string(res.Raw))
}

func TestPayInH2H(t *testing.T) {
	api := newAPI(t, answer(http.StatusOK, docPayInH2H))
	c := newClient(t, api)
	res, err := c.PayIn(context.Background(), payInRequest("TEST98989898", "200", true))
	require.NoError(t, err)

	got := api.last(t)
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "/api/cai/out/v1/payIn-H2H", got.Path)
	sig := md5hex("200.00" + "https://merchant.example/cb" + "TEST98989898" + "asha.rao@gmail.com" + "Asha Rao" +
		"9876543210" + testTenant + testToken + testSecret)
	require.Equal(t, "amount=200.00&callbackUrl=https%3A%2F%2Fmerchant.example%2Fcb&customerOrderNo=TEST98989898"+
		"&rechargeEmail=asha.rao%40gmail.com&rechargeName=Asha+Rao&rechargePhone=9876543210"+
		"&signKey="+sig+"&tenantId="+testTenant+"&token="+testToken, got.RawQuery)

	require.Equal(t, "TEST98989898", res.OrderID)
	require.Equal(t, "1930975505444503552", res.ProviderOrderID)
	require.Equal(t, paygate.StatusPending, res.Status)
	require.True(t, res.Amount.Equal(inr("200")), "orderAmount as a JSON number: %s", res.Amount)
	require.Equal(t, "upi://pay?pn=", res.UPIURL)
	require.Empty(t, res.PaymentURL)
	require.Equal(t, "paytmmp://pay?", caipay.PaytmURL(res))
	require.True(t, res.ExpiresAt.Equal(time.Date(2025, 6, 6, 15, 50, 10, 0, time.UTC)), "expireTime is IST: %s", res.ExpiresAt)
	_, offset := res.ExpiresAt.Zone()
	require.Equal(t, 5*3600+30*60, offset)
}

func TestPaytmURLWithoutRaw(t *testing.T) {
	require.Empty(t, caipay.PaytmURL(nil))
	require.Empty(t, caipay.PaytmURL(&paygate.PayInResult{}))
	require.Empty(t, caipay.PaytmURL(&paygate.PayInResult{Raw: json.RawMessage(`{"data":"x"}`)}))
}

func TestPayInExtraIsSignedAndSent(t *testing.T) {
	api := newAPI(t, answer(http.StatusOK, docPayIn))
	c := newClient(t, api)
	req := payInRequest("TEST123456789", "100", false)
	req.Extra = map[string]string{"channel": "UPI"}
	_, err := c.PayIn(context.Background(), req)
	require.NoError(t, err)
	sig := md5hex("100.00" + "https://merchant.example/cb" + "UPI" + "TEST123456789" + "asha.rao@gmail.com" + "Asha Rao" +
		"9876543210" + testTenant + testToken + testSecret)
	require.Contains(t, api.last(t).RawQuery, "channel=UPI&")
	require.Contains(t, api.last(t).RawQuery, "&signKey="+sig+"&")
}

func TestPayOut(t *testing.T) {
	api := newAPI(t, answer(http.StatusOK, docPayOut))
	c := newClient(t, api)
	res, err := c.PayOut(context.Background(), payOutRequest())
	require.NoError(t, err)

	got := api.last(t)
	require.Equal(t, http.MethodPost, got.Method)
	require.Equal(t, "/api/cai/out/v1/payOut", got.Path)
	require.Equal(t, "application/json", got.Header.Get("Content-Type"))
	require.Empty(t, got.RawQuery)
	// bankAccountName, bankAccountNumber, callbackUrl, customerOrderNo, orderAmount, payEmail,
	// payIfsc, payPhone, tenantId, token.
	sig := md5hex("Asha Rao" + "123456789012" + "https://merchant.example/cb" + "TEST123456789" + "100.00" +
		"asha.rao@gmail.com" + "SBIN0001234" + "9876543210" + testTenant + testToken + testSecret)
	require.Equal(t, `{"bankAccountName":"Asha Rao","bankAccountNumber":"123456789012",`+
		`"callbackUrl":"https://merchant.example/cb","customerOrderNo":"TEST123456789","orderAmount":"100.00",`+
		`"payEmail":"asha.rao@gmail.com","payIfsc":"SBIN0001234","payPhone":"9876543210",`+
		`"signKey":"`+sig+`","tenantId":"`+testTenant+`","token":"`+testToken+`"}`, string(got.Body))

	require.Equal(t, "TEST123456789", res.OrderID)
	require.Equal(t, "1928018154181656576", res.ProviderOrderID)
	require.Equal(t, paygate.StatusPending, res.Status)
	require.Equal(t, "PENDING", res.RawStatus)
	require.True(t, res.Amount.Equal(inr("100")))
	require.JSONEq(t, docPayOut, string(res.Raw))
}

func TestQuery(t *testing.T) {
	for _, tc := range []struct {
		kind paygate.Kind
		path string
	}{
		{paygate.KindPayIn, "/api/cai/out/v1/searchPayInResult"},
		{paygate.KindPayOut, "/api/cai/out/v1/searchPayOutResult"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			api := newAPI(t, answer(http.StatusOK, docSearch))
			c := newClient(t, api)
			o, err := c.Query(context.Background(), &paygate.QueryRequest{Kind: tc.kind, OrderID: "TEST98989898", ProviderOrderID: "ignored"})
			require.NoError(t, err)

			got := api.last(t)
			require.Equal(t, http.MethodGet, got.Method)
			require.Equal(t, tc.path, got.Path)
			sig := md5hex("TEST98989898" + testTenant + testToken + testSecret)
			require.Equal(t, "customerOrderNo=TEST98989898&signKey="+sig+"&tenantId="+testTenant+"&token="+testToken, got.RawQuery)

			require.Equal(t, tc.kind, o.Kind)
			require.Equal(t, "TEST98989898", o.OrderID)
			require.Equal(t, paygate.StatusPending, o.Status)
			require.Equal(t, "PENDING", o.RawStatus)
			require.True(t, o.Amount.Equal(inr("10")))
			require.True(t, o.ActualAmount.Equal(inr("10")))
			require.Empty(t, o.UTR, `utr "None" is no UTR`)
			require.JSONEq(t, docSearch, string(o.Raw))
		})
	}
}

func TestQueryDecoding(t *testing.T) {
	tests := []struct {
		name, data          string
		status              paygate.Status
		amount, actual, utr string
	}{
		{"numbers", `{"tenantId":1919668884792586242,"customerOrderNo":"TEST98989898","amount":10.50,"actualAmount":10,"status":"SUCCESS","utr":"412345678901"}`,
			paygate.StatusSucceeded, "10.5", "10", "412345678901"},
		{"strings", `{"customerOrderNo":"TEST98989898","amount":"10.00","actualAmount":"0","status":"FAILED","utr":""}`,
			paygate.StatusFailed, "10", "0", ""},
		{"reversed", `{"customerOrderNo":"TEST98989898","amount":"10","actualAmount":"None","status":"REVERSED","utr":"None"}`,
			paygate.StatusReversed, "10", "0", ""},
		{"unknown status", `{"customerOrderNo":"TEST98989898","amount":"10","status":"ARRIVED"}`, paygate.StatusUnknown, "10", "0", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newAPI(t, answer(http.StatusOK, `{"code":0,"msg":null,"data":`+tc.data+`,"ok":true}`))
			o, err := newClient(t, api).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "TEST98989898"})
			require.NoError(t, err)
			require.Equal(t, tc.status, o.Status)
			require.True(t, o.Amount.Equal(inr(tc.amount)), "amount %s", o.Amount)
			require.True(t, o.ActualAmount.Decimal().Equal(inr(tc.actual).Decimal()), "actualAmount %s", o.ActualAmount)
			require.Equal(t, tc.utr, o.UTR)
		})
	}
}

// TestQueryAnswerMustBeOurs: CaiPay's search answer always names customerOrderNo; one that
// names no order, another order or another tenantId is malformed, never taken for ours.
func TestQueryAnswerMustBeOurs(t *testing.T) {
	for name, data := range map[string]string{
		"no customerOrderNo":     `{"amount":"999.00","actualAmount":"999.00","status":"SUCCESS","utr":"1234"}`,
		"another order":          `{"customerOrderNo":"OTHER","amount":"999.00","status":"SUCCESS"}`,
		"another tenantId":       `{"tenantId":"42","customerOrderNo":"TEST98989898","amount":"999.00","status":"SUCCESS"}`,
		"another numeric tenant": `{"tenantId":42,"customerOrderNo":"TEST98989898","amount":"999.00","status":"SUCCESS"}`,
	} {
		t.Run(name, func(t *testing.T) {
			api := newAPI(t, answer(http.StatusOK, `{"code":0,"msg":null,"data":`+data+`,"ok":true}`))
			o, err := newClient(t, api).Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "TEST98989898"})
			require.Nil(t, o)
			require.ErrorIs(t, err, paygate.ErrMalformedResponse)
		})
	}
}

func TestSubmitUTR(t *testing.T) {
	const body = `{"code":0,"msg":null,"data":null,"ok":true}`
	api := newAPI(t, answer(http.StatusOK, body))
	c := newClient(t, api)
	res, err := c.SubmitUTR(context.Background(), "1930975505444503552", "412345678901")
	require.NoError(t, err)

	got := api.last(t)
	require.Equal(t, http.MethodPost, got.Method)
	require.Equal(t, "/api/cai/out/v1/submitUtr", got.Path)
	require.Equal(t, "application/json", got.Header.Get("Content-Type"))
	// "UTR" sorts before the lower-case keys: UTR, tenantId, token, transId.
	sig := md5hex("412345678901" + testTenant + testToken + "1930975505444503552" + testSecret)
	require.Equal(t, `{"UTR":"412345678901","signKey":"`+sig+`","tenantId":"`+testTenant+`","token":"`+testToken+
		`","transId":"1930975505444503552"}`, string(got.Body))
	require.Equal(t, &caipay.UTRResult{ProviderOrderID: "1930975505444503552", UTR: "412345678901", Raw: json.RawMessage(body)}, res)
}

func TestBalanceUnsupported(t *testing.T) {
	api := newAPI(t, answer(http.StatusOK, `{}`))
	c := newClient(t, api)
	require.False(t, c.Capabilities().Balance)
	_, err := c.Balance(context.Background())
	require.ErrorIs(t, err, paygate.ErrUnsupported)
	require.Zero(t, api.calls())
}

func TestCapabilitiesAndRegistration(t *testing.T) {
	gw, err := paygate.New(testConfig(""))
	require.NoError(t, err)
	require.Equal(t, "caipay", gw.Name())
	require.Equal(t, paygate.Capabilities{PayIn: true, PayInDirect: true, PayOut: true, QueryPayIn: true,
		QueryPayOut: true, Callbacks: true, Currency: paygate.INR, AmountStyle: paygate.Fixed2}, gw.Capabilities())
	gw.(*caipay.Client).CloseIdleConnections()
}

func TestNewRequiresCredentials(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		mutate     func(*paygate.Config)
	}{
		{"tenantId", "MerchantID", func(c *paygate.Config) { c.MerchantID = "" }},
		{"token", "APIKey", func(c *paygate.Config) { c.APIKey = "" }},
		{"secret", "Secret", func(c *paygate.Config) { c.Secret = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("")
			tc.mutate(&cfg)
			_, err := caipay.New(cfg)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestDefaultBaseURL(t *testing.T) {
	var host string
	hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		host = r.URL.Scheme + "://" + r.URL.Host
		return respond(http.StatusOK, docSearch), nil
	})}
	c, err := caipay.New(testConfig(""), paygate.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c.Query(context.Background(), &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "TEST98989898"})
	require.NoError(t, err)
	require.Equal(t, caipay.ProductionURL, host)
	require.Equal(t, "https://cai-pay.net", caipay.ProductionURL)
}

func TestMapStatus(t *testing.T) {
	for raw, want := range map[string]paygate.Status{
		"PENDING":    paygate.StatusPending,
		"PROCESSING": paygate.StatusProcessing,
		"SUCCESS":    paygate.StatusSucceeded,
		"FAILED":     paygate.StatusFailed,
		"REVERSED":   paygate.StatusReversed,
		"success":    paygate.StatusUnknown, // the document writes statuses in capitals only
		"ARRIVED":    paygate.StatusUnknown,
		"":           paygate.StatusUnknown,
	} {
		require.Equal(t, want, caipay.MapStatus(raw), raw)
	}
}
