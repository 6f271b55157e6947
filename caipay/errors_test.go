package caipay_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/caipay"
)

// endpoint is one call of the client, for the failure tables.
type endpoint struct {
	name   string
	create bool // moves money: never re-sent, an uncertain outcome is ErrOutcomeUnknown
	call   func(ctx context.Context, c *caipay.Client) error
}

func endpoints() []endpoint {
	return []endpoint{
		{"payin", true, func(ctx context.Context, c *caipay.Client) error {
			_, err := c.PayIn(ctx, payInRequest("TEST123456789", "100", false))
			return err
		}},
		{"payin h2h", true, func(ctx context.Context, c *caipay.Client) error {
			_, err := c.PayIn(ctx, payInRequest("TEST98989898", "200", true))
			return err
		}},
		{"payout", true, func(ctx context.Context, c *caipay.Client) error {
			_, err := c.PayOut(ctx, payOutRequest())
			return err
		}},
		{"search payin", false, func(ctx context.Context, c *caipay.Client) error {
			_, err := c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "TEST98989898"})
			return err
		}},
		{"search payout", false, func(ctx context.Context, c *caipay.Client) error {
			_, err := c.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: "TEST98989898"})
			return err
		}},
		{"submit utr", false, func(ctx context.Context, c *caipay.Client) error {
			_, err := c.SubmitUTR(ctx, "1930975505444503552", "412345678901")
			return err
		}},
	}
}

func TestProviderError(t *testing.T) {
	refusals := []struct {
		name, body     string
		status         int
		code, message  string
		uncertainWrite bool // a create refused this way may still have been taken
	}{
		{"code 400", `{"code":400,"msg":"customerOrderNo already exists","data":null,"ok":false}`, http.StatusOK,
			"400", "customerOrderNo already exists", false},
		{"HTTP 401", `{"code":401,"msg":"Unauthorized","data":null,"ok":false}`, http.StatusUnauthorized,
			"401", "Unauthorized", false},
		{"code as text, no msg", `{"code":"403","msg":null,"data":null,"ok":false}`, http.StatusOK,
			"403", "forbidden", false},
		{"code 500", `{"code":500,"msg":"system busy","data":null,"ok":false}`, http.StatusOK,
			"500", "system busy", true},
		// CaiPay documents 400, 401, 403 and 500 only: any other code does not say "not created".
		{"undocumented code", `{"code":1,"msg":"failed","data":null,"ok":false}`, http.StatusOK,
			"1", "failed", true},
		{"undocumented 4xx code", `{"code":409,"msg":"conflict","data":null,"ok":false}`, http.StatusOK,
			"409", "conflict", true},
	}
	for _, ep := range endpoints() {
		for _, rf := range refusals {
			t.Run(ep.name+"/"+rf.name, func(t *testing.T) {
				api := newAPI(t, answer(rf.status, rf.body))
				err := ep.call(context.Background(), newClient(t, api))
				var pe *paygate.ProviderError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, "caipay", pe.Provider)
				require.Equal(t, rf.code, pe.Code)
				require.Equal(t, rf.message, pe.Message)
				require.Equal(t, rf.status, pe.HTTPStatus)
				require.JSONEq(t, rf.body, string(pe.Raw))
				require.Equal(t, ep.create && rf.uncertainWrite, errors.Is(err, paygate.ErrOutcomeUnknown))
				require.Equal(t, 1, api.calls(), "a refusal is an answer: not retried")
			})
		}
		// Code 0 says success, ok says otherwise, or the other way round: neither a success nor
		// a refusal to trust.
		for _, body := range []string{
			`{"code":0,"msg":"rejected","data":null,"ok":false}`,
			`{"code":0,"msg":"rejected","data":{"platOrderNo":"1"}}`,
			`{"code":200,"msg":"rejected","data":null,"ok":false}`,
			`{"code":1,"msg":"created","data":{"platOrderNo":"1"},"ok":true}`,
			`{"code":400,"msg":"Bad request","data":null,"ok":true}`,
		} {
			t.Run(ep.name+"/contradictory", func(t *testing.T) {
				api := newAPI(t, answer(http.StatusOK, body))
				err := ep.call(context.Background(), newClient(t, api))
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
				require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown))
			})
		}
	}
}

// htmlPage is a gateway's error page, longer than the 256 bytes an error may quote.
var htmlPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>" +
	strings.Repeat("<p>upstream connect error or disconnect/reset before headers</p>", 10) + "</body></html>"

func TestHTML502(t *testing.T) {
	for _, ep := range endpoints() {
		t.Run(ep.name, func(t *testing.T) {
			api := newAPI(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte(htmlPage))
			})
			err := ep.call(context.Background(), newClient(t, api))
			require.Error(t, err)
			var re *paygate.ResponseError
			require.ErrorAs(t, err, &re)
			require.Equal(t, http.StatusBadGateway, re.HTTPStatus)
			require.LessOrEqual(t, len(re.Snippet), 256+len("…"))
			require.True(t, strings.HasPrefix(htmlPage, strings.TrimSuffix(re.Snippet, "…")))
			require.NotContains(t, err.Error(), htmlPage[200:])
			if ep.create {
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
				require.Equal(t, 1, api.calls(), "a create is never re-sent")
			} else {
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
				require.Equal(t, 2, api.calls(), "a read is retried on 5xx")
			}
		})
	}
}

func TestMalformedResponse(t *testing.T) {
	bodies := map[string]string{
		"truncated":     `{"code":0,"msg":null,"data":{"platOrderNo":"19`,
		"not JSON":      `Service Unavailable`,
		"empty":         ``,
		"no code":       `{"msg":null,"data":{},"ok":true}`,
		"code object":   `{"code":{},"msg":null,"data":{},"ok":true}`,
		"array":         `[{"code":0}]`,
		"data bad type": `{"code":0,"msg":null,"data":"x","ok":true}`,
	}
	for _, ep := range endpoints() {
		for name, body := range bodies {
			if ep.name == "submit utr" && name == "data bad type" {
				continue // submitUtr documents no data: whatever comes is kept in Raw
			}
			t.Run(ep.name+"/"+name, func(t *testing.T) {
				api := newAPI(t, answer(http.StatusOK, body))
				err := ep.call(context.Background(), newClient(t, api))
				require.ErrorIs(t, err, paygate.ErrMalformedResponse)
				require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown), "creates: outcome unknown")
				require.Equal(t, 1, api.calls())
			})
		}
	}
}

func TestSuccessThatIsNot(t *testing.T) {
	tests := []struct {
		name, body string
		ep         int // index into endpoints()
	}{
		{"payin without data", `{"code":0,"msg":null,"data":null,"ok":true}`, 0},
		{"payin without platOrderNo", `{"code":0,"msg":null,"data":{"orderStatus":"PENDING","url":"https://x"},"ok":true}`, 0},
		{"payin without url", `{"code":0,"msg":null,"data":{"platOrderNo":"1","orderStatus":"PENDING"},"ok":true}`, 0},
		{"payin for another order", `{"code":0,"msg":null,"data":{"platOrderNo":"1","customerOrderNo":"OTHER","url":"https://x"},"ok":true}`, 0},
		{"payin bad amount", `{"code":0,"msg":null,"data":{"platOrderNo":"1","orderAmount":"1e9","url":"https://x"},"ok":true}`, 0},
		{"h2h without upi or paytm", `{"code":0,"msg":null,"data":{"platOrderNo":"1","orderStatus":"PENDING"},"ok":true}`, 1},
		{"payout without data", `{"code":0,"msg":null,"ok":true}`, 2},
		{"payout without platOrderNo", `{"code":0,"msg":null,"data":{"orderStatus":"PENDING"},"ok":true}`, 2},
		{"payout for another order", `{"code":0,"msg":null,"data":{"platOrderNo":"1","customerOrderNo":"OTHER"},"ok":true}`, 2},
		{"search without data", `{"code":0,"msg":null,"data":null,"ok":true}`, 3},
		{"search without status", `{"code":0,"msg":null,"data":{"amount":"10"},"ok":true}`, 3},
		{"search for another tenant", `{"code":0,"msg":null,"data":{"tenantId":"1","status":"SUCCESS"},"ok":true}`, 3},
		{"search for another order", `{"code":0,"msg":null,"data":{"customerOrderNo":"OTHER","status":"SUCCESS"},"ok":true}`, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ep := endpoints()[tc.ep]
			api := newAPI(t, answer(http.StatusOK, tc.body))
			err := ep.call(context.Background(), newClient(t, api))
			require.ErrorIs(t, err, paygate.ErrMalformedResponse)
			require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown))
		})
	}
}

func TestTimeout(t *testing.T) {
	for _, ep := range endpoints() {
		t.Run(ep.name, func(t *testing.T) {
			api := newAPI(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
			cfg := testConfig(api.URL)
			cfg.Timeout = 100 * time.Millisecond
			c, err := caipay.New(cfg, fastRetry)
			require.NoError(t, err)
			err = ep.call(context.Background(), c)
			require.Error(t, err)
			require.NotContains(t, err.Error(), testToken, "a GET's URL carries the token: never quoted")
			require.NotContains(t, err.Error(), "signKey=")
			if ep.create {
				require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
				require.LessOrEqual(t, api.calls(), 1, "a create is sent at most once")
			} else {
				require.NotErrorIs(t, err, paygate.ErrOutcomeUnknown)
				require.Equal(t, 2, api.calls(), "a read is retried")
			}
		})
	}
}

func TestContextDeadline(t *testing.T) {
	for _, ep := range endpoints() {
		t.Run(ep.name, func(t *testing.T) {
			api := newAPI(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			err := ep.call(ctx, newClient(t, api))
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.NotContains(t, err.Error(), testToken)
			require.Equal(t, ep.create, errors.Is(err, paygate.ErrOutcomeUnknown))
			require.LessOrEqual(t, api.calls(), 1, "a cancelled context stops retries")
		})
	}
}

func TestCancelledContextSendsNothing(t *testing.T) {
	for _, ep := range endpoints() {
		t.Run(ep.name, func(t *testing.T) {
			api := newAPI(t, answer(http.StatusOK, docSearch))
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := ep.call(ctx, newClient(t, api))
			require.ErrorIs(t, err, context.Canceled)
			require.Zero(t, api.calls())
		})
	}
}

func TestValidation(t *testing.T) {
	payIn := func(f func(*paygate.PayInRequest)) func(context.Context, *caipay.Client) error {
		return func(ctx context.Context, c *caipay.Client) error {
			req := payInRequest("TEST123456789", "100", false)
			f(req)
			_, err := c.PayIn(ctx, req)
			return err
		}
	}
	payOut := func(f func(*paygate.PayOutRequest)) func(context.Context, *caipay.Client) error {
		return func(ctx context.Context, c *caipay.Client) error {
			req := payOutRequest()
			f(req)
			_, err := c.PayOut(ctx, req)
			return err
		}
	}
	query := func(req *paygate.QueryRequest) func(context.Context, *caipay.Client) error {
		return func(ctx context.Context, c *caipay.Client) error {
			_, err := c.Query(ctx, req)
			return err
		}
	}
	utr := func(id, utr string) func(context.Context, *caipay.Client) error {
		return func(ctx context.Context, c *caipay.Client) error {
			_, err := c.SubmitUTR(ctx, id, utr)
			return err
		}
	}
	tests := []struct {
		name, op, field string
		call            func(context.Context, *caipay.Client) error
	}{
		{"payin nil", "payin", "PayInRequest", func(ctx context.Context, c *caipay.Client) error {
			_, err := c.PayIn(ctx, nil)
			return err
		}},
		{"payin order", "payin", "OrderID", payIn(func(r *paygate.PayInRequest) { r.OrderID = "" })},
		{"payin zero amount", "payin", "Amount", payIn(func(r *paygate.PayInRequest) { r.Amount = inr("0") })},
		{"payin negative amount", "payin", "Amount", payIn(func(r *paygate.PayInRequest) { r.Amount = inr("-1") })},
		{"payin three places", "payin", "Amount", payIn(func(r *paygate.PayInRequest) { r.Amount = inr("10.005") })},
		{"payin PKR", "payin", "Amount", payIn(func(r *paygate.PayInRequest) { r.Amount = paygate.MustParseMoney("10", paygate.PKR) })},
		{"payin callbackUrl", "payin", "NotifyURL", payIn(func(r *paygate.PayInRequest) { r.NotifyURL = "" })},
		{"payin callbackUrl scheme", "payin", "NotifyURL", payIn(func(r *paygate.PayInRequest) { r.NotifyURL = "ftp://merchant.example/cb" })},
		{"payin rechargeName", "payin", "Customer.Name", payIn(func(r *paygate.PayInRequest) { r.Customer.Name = "" })},
		{"payin rechargeEmail", "payin", "Customer.Email", payIn(func(r *paygate.PayInRequest) { r.Customer.Email = "" })},
		{"payin rechargePhone", "payin", "Customer.Phone", payIn(func(r *paygate.PayInRequest) { r.Customer.Phone = "" })},
		{"payin extra token", "payin", "Extra.token", payIn(func(r *paygate.PayInRequest) { r.Extra = map[string]string{"token": "x"} })},
		{"payin extra signKey", "payin", "Extra.signKey", payIn(func(r *paygate.PayInRequest) { r.Extra = map[string]string{"signKey": "x"} })},
		{"payin extra amount", "payin", "Extra.amount", payIn(func(r *paygate.PayInRequest) { r.Extra = map[string]string{"amount": "1.00"} })},
		{"payout nil", "payout", "PayOutRequest", func(ctx context.Context, c *caipay.Client) error {
			_, err := c.PayOut(ctx, nil)
			return err
		}},
		{"payout order", "payout", "OrderID", payOut(func(r *paygate.PayOutRequest) { r.OrderID = "" })},
		{"payout amount", "payout", "Amount", payOut(func(r *paygate.PayOutRequest) { r.Amount = paygate.Money{} })},
		{"payout bankAccountName", "payout", "Beneficiary.Name", payOut(func(r *paygate.PayOutRequest) { r.Beneficiary.Name = "" })},
		{"payout bankAccountNumber", "payout", "Beneficiary.AccountNumber", payOut(func(r *paygate.PayOutRequest) { r.Beneficiary.AccountNumber = "" })},
		{"payout payIfsc", "payout", "Beneficiary.IFSC", payOut(func(r *paygate.PayOutRequest) { r.Beneficiary.IFSC = "" })},
		{"payout payIfsc format", "payout", "Beneficiary.IFSC", payOut(func(r *paygate.PayOutRequest) { r.Beneficiary.IFSC = "sbin0001234" })},
		{"payout payEmail", "payout", "Beneficiary.Email", payOut(func(r *paygate.PayOutRequest) { r.Beneficiary.Email = "" })},
		{"payout payPhone", "payout", "Beneficiary.Phone", payOut(func(r *paygate.PayOutRequest) { r.Beneficiary.Phone = "" })},
		{"payout callbackUrl", "payout", "NotifyURL", payOut(func(r *paygate.PayOutRequest) { r.NotifyURL = "" })},
		{"payout extra tenantId", "payout", "Extra.tenantId", payOut(func(r *paygate.PayOutRequest) { r.Extra = map[string]string{"tenantId": "x"} })},
		{"query nil", "query", "QueryRequest", query(nil)},
		{"query kind", "query", "Kind", query(&paygate.QueryRequest{Kind: "refund", OrderID: "TEST98989898"})},
		{"query no order", "query", "OrderID", query(&paygate.QueryRequest{Kind: paygate.KindPayIn})},
		{"query provider order only", "query", "OrderID", query(&paygate.QueryRequest{Kind: paygate.KindPayOut, ProviderOrderID: "1928018154181656576"})},
		{"utr transId", "submit_utr", "platformOrderID", utr("", "412345678901")},
		{"utr empty", "submit_utr", "utr", utr("1930975505444503552", "")},
		{"utr short", "submit_utr", "utr", utr("1930975505444503552", "41234567890")},
		{"utr long", "submit_utr", "utr", utr("1930975505444503552", "4123456789012")},
		{"utr letters", "submit_utr", "utr", utr("1930975505444503552", "41234567890A")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newAPI(t, answer(http.StatusOK, docSearch))
			err := tc.call(context.Background(), newClient(t, api))
			require.ErrorIs(t, err, paygate.ErrInvalidRequest)
			var ve *paygate.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tc.field, ve.Field)
			require.Equal(t, "caipay", ve.Provider)
			require.Equal(t, tc.op, ve.Op)
			require.Zero(t, api.calls(), "validation happens before any I/O")
		})
	}
}
