package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/sandbox"
)

// orderPath is the dashboard page of an order.
func orderPath(provider string, kind paygate.Kind, orderID string) string {
	return "/orders/" + provider + "/" + string(kind) + "/" + url.PathEscape(orderID)
}

// TestCheckoutAtEveryPaymentURL: the payment link each fake hands out opens the hosted
// checkout (naming the order, its amount and the merchant); Pay moves the order and sends its
// callback, which the merchant's webhook.Handler verifies.
func TestCheckoutAtEveryPaymentURL(t *testing.T) {
	w := newWorld(t)
	for _, p := range sandbox.Providers() {
		t.Run(p, func(t *testing.T) {
			res := w.payIn(t, p)
			require.NotEmpty(t, res.PaymentURL)
			links := []string{res.PaymentURL}
			if strings.HasPrefix(res.QRCode, "http") {
				links = append(links, res.QRCode)
			}
			for _, link := range links {
				code, page := get(t, link)
				require.Equal(t, http.StatusOK, code, link)
				require.Contains(t, page, res.OrderID)
				require.Contains(t, page, "Sandbox Merchant")
				require.Contains(t, page, res.Amount.Decimal().StringFixed(2))
				require.Contains(t, page, `value="pay"`)
			}
			s := w.cluster.Server(p)
			o, err := s.OrderOf(paygate.KindPayIn, res.OrderID)
			require.NoError(t, err)
			resp, _ := post(t, s.CheckoutURL(o.ProviderOrderID), "", form("action", "pay"))
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			code, page := get(t, s.URL()+resp.Header.Get("Location"))
			require.Equal(t, http.StatusOK, code)
			require.Contains(t, page, "Payment successful. The merchant was notified.")
			require.NotContains(t, page, `value="pay"`, "a final order offers no buttons")
			require.Eventually(t, func() bool {
				for _, cb := range w.callbacks() {
					if cb.OrderID == res.OrderID && cb.Status == paygate.StatusSucceeded {
						return true
					}
				}
				return false
			}, 5*time.Second, 5*time.Millisecond, "the merchant verified the callback")

			// A second press changes nothing.
			resp, _ = post(t, s.CheckoutURL(o.ProviderOrderID), "", form("action", "fail"))
			require.Contains(t, resp.Header.Get("Location"), "already+succeeded")
		})
	}
}

func TestCheckoutRefusals(t *testing.T) {
	w := newWorld(t)
	s := w.cluster.Server("cashgit")
	code, page := get(t, s.CheckoutURL("NOPE"))
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, page, "Order not found")
	code, _ = get(t, s.URL()+"/pay/NOPE")
	require.Equal(t, http.StatusNotFound, code)

	res := w.payIn(t, "cashgit")
	o, err := s.OrderOf(paygate.KindPayIn, res.OrderID)
	require.NoError(t, err)
	resp, _ := post(t, s.CheckoutURL(o.ProviderOrderID), "", form("action", "steal"))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = post(t, s.CheckoutURL("NOPE"), "", form("action", "pay"))
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	out := w.payOut(t, "cashgit")
	po, err := s.OrderOf(paygate.KindPayOut, out.OrderID)
	require.NoError(t, err)
	code, _ = get(t, s.CheckoutURL(po.ProviderOrderID))
	require.Equal(t, http.StatusNotFound, code, "pay-outs have no checkout")

	code, css := get(t, s.URL()+"/sandbox/style.css")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, css, ".checkout")
}

// TestDashboardActions: every action of the order page, as a plain form POST.
func TestDashboardActions(t *testing.T) {
	type check func(t *testing.T, o sandbox.Order, ds []sandbox.Delivery)
	carried := func(want ...paygate.Status) check {
		return func(t *testing.T, _ sandbox.Order, ds []sandbox.Delivery) {
			var got []paygate.Status
			for _, d := range ds {
				got = append(got, d.Status)
			}
			require.Equal(t, want, got)
		}
	}
	tests := []struct {
		name    string
		before  []string // actions done first
		action  string
		extra   []string
		status  paygate.Status
		check   check
		message string
	}{
		{name: "succeed", action: "succeed", status: paygate.StatusSucceeded, check: carried(paygate.StatusSucceeded), message: "Moved to succeeded."},
		{name: "fail", action: "fail", status: paygate.StatusFailed, check: carried(paygate.StatusFailed)},
		{name: "cancel", action: "cancel", status: paygate.StatusCancelled, check: carried(paygate.StatusCancelled)},
		{name: "reverse after success", before: []string{"succeed"}, action: "reverse", status: paygate.StatusReversed,
			check: carried(paygate.StatusSucceeded, paygate.StatusReversed)},
		{name: "succeed late", action: "succeed_late", status: paygate.StatusSucceeded,
			check: carried(paygate.StatusFailed, paygate.StatusSucceeded), message: "Failed, then succeeded"},
		{name: "resend", before: []string{"succeed"}, action: "resend", status: paygate.StatusSucceeded,
			check: func(t *testing.T, _ sandbox.Order, ds []sandbox.Delivery) {
				require.Len(t, ds, 2)
				require.Equal(t, "resend", ds[1].Note)
				require.True(t, ds[1].Acked)
			}},
		{name: "send twice", before: []string{"fail"}, action: "send_twice", status: paygate.StatusFailed,
			check: func(t *testing.T, _ sandbox.Order, ds []sandbox.Delivery) {
				require.Len(t, ds, 3)
				require.Equal(t, []string{"", "duplicate", "duplicate"}, []string{ds[0].Note, ds[1].Note, ds[2].Note})
			}},
		{name: "drop next", action: "drop_next", status: paygate.StatusPending, message: "will be dropped",
			check: func(t *testing.T, o sandbox.Order, ds []sandbox.Delivery) { require.Empty(t, ds) }},
		{name: "drop next, then succeed", before: []string{"drop_next"}, action: "succeed", status: paygate.StatusSucceeded,
			check: func(t *testing.T, _ sandbox.Order, ds []sandbox.Delivery) {
				require.Len(t, ds, 1)
				require.True(t, ds[0].Dropped)
				require.Zero(t, ds[0].StatusCode)
			}},
		{name: "delay next", action: "delay_next", extra: []string{"delay", "150ms"}, status: paygate.StatusPending,
			message: "will wait 150ms"},
		{name: "bad delay", action: "delay_next", extra: []string{"delay", "soon"}, status: paygate.StatusPending,
			message: `delay "soon"`},
		{name: "unknown action", action: "explode", status: paygate.StatusPending, message: "unknown action"},
	}
	w := newWorld(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := w.payIn(t, "cashgit")
			page := w.dash.URL + orderPath("cashgit", paygate.KindPayIn, res.OrderID)
			for _, a := range tt.before {
				resp, _ := post(t, page, "", form("action", a))
				require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			}
			resp, _ := post(t, page, "", form(append([]string{"action", tt.action}, tt.extra...)...))
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			loc, err := url.Parse(resp.Header.Get("Location"))
			require.NoError(t, err)
			require.Equal(t, orderPath("cashgit", paygate.KindPayIn, res.OrderID), loc.Path)
			if tt.message != "" {
				require.Contains(t, loc.Query().Get("msg"), tt.message)
			}
			s := w.cluster.Server("cashgit")
			o, err := s.OrderOf(paygate.KindPayIn, res.OrderID)
			require.NoError(t, err)
			require.Equal(t, tt.status, o.Status)
			if tt.check != nil {
				tt.check(t, o, s.DeliveriesOf(paygate.KindPayIn, res.OrderID))
			}
			code, html := get(t, w.dash.URL+loc.String())
			require.Equal(t, http.StatusOK, code)
			require.Contains(t, html, res.OrderID)
		})
	}

	t.Run("delayed callback arrives later", func(t *testing.T) {
		res := w.payIn(t, "cashgit")
		page := w.dash.URL + orderPath("cashgit", paygate.KindPayIn, res.OrderID)
		post(t, page, "", form("action", "delay_next", "delay", "200ms"))
		_, html := get(t, page)
		require.Contains(t, html, "delayed 200ms")
		start := time.Now()
		post(t, page, "", form("action", "succeed"))
		s := w.cluster.Server("cashgit")
		require.Empty(t, s.DeliveriesOf(paygate.KindPayIn, res.OrderID), "held back")
		require.Eventually(t, func() bool { return len(s.DeliveriesOf(paygate.KindPayIn, res.OrderID)) == 1 }, 5*time.Second, 5*time.Millisecond)
		require.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
		d := s.DeliveriesOf(paygate.KindPayIn, res.OrderID)[0]
		require.Equal(t, "delayed 200ms", d.Note)
		require.Equal(t, http.StatusOK, d.StatusCode)
	})
	t.Run("unknown order", func(t *testing.T) {
		code, _ := get(t, w.dash.URL+orderPath("cashgit", paygate.KindPayIn, "NOPE"))
		require.Equal(t, http.StatusNotFound, code)
		resp, _ := post(t, w.dash.URL+orderPath("nopay", paygate.KindPayIn, "NOPE"), "", form("action", "succeed"))
		require.Equal(t, http.StatusNotFound, resp.StatusCode)
	})
}

// TestOrderPageShowsDeliveries: time, attempt, HTTP status, the merchant's answer, latency.
func TestOrderPageShowsDeliveries(t *testing.T) {
	w := newWorld(t)
	res := w.payIn(t, "cashgit")
	s := w.cluster.Server("cashgit")
	require.NoError(t, s.Settle(res.OrderID, paygate.StatusSucceeded))
	code, html := get(t, w.dash.URL+orderPath("cashgit", paygate.KindPayIn, res.OrderID))
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, html, `class="badge http b-ok">200<`)
	require.Contains(t, html, `<code class="answer">success</code>`, "CashGit's acknowledgement, as the merchant answered")
	require.Regexp(t, `\d\d:\d\d:\d\d\.\d{3}`, html)
	require.Regexp(t, `\d+ ms`, html)
	require.Contains(t, html, "Open the hosted checkout")
}

// TestFaults: each switch makes the provider's next create misbehave, once.
func TestFaults(t *testing.T) {
	w := newWorld(t)
	s := w.cluster.Server("cashgit")
	arm := func(f string) {
		resp, _ := post(t, w.dash.URL+"/faults/cashgit", "", form("fault", f))
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	}

	arm("answer_lost")
	_, html := get(t, w.dash.URL+"/")
	require.Contains(t, html, `<option value="answer_lost" selected>`)
	res, err := w.tryPayIn(t, "cashgit")
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	o, err := s.OrderOf(paygate.KindPayIn, res.OrderID)
	require.NoError(t, err, "the order was created")
	require.Equal(t, paygate.StatusPending, o.Status)
	require.Equal(t, sandbox.FaultNone, s.Fault(), "one create only")
	w.payIn(t, "cashgit")

	arm("bad_gateway")
	res, err = w.tryPayIn(t, "cashgit")
	require.Error(t, err)
	_, err = s.OrderOf(paygate.KindPayIn, res.OrderID)
	require.ErrorIs(t, err, sandbox.ErrNoOrder, "a proxy's 502: nothing created")

	arm("slow")
	start := time.Now()
	res, err = w.tryPayIn(t, "cashgit")
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	require.Less(t, time.Since(start), 30*time.Second, "the client gave up at its timeout")
	_, err = s.OrderOf(paygate.KindPayIn, res.OrderID)
	require.NoError(t, err, "the order was created")

	arm("none")
	require.Equal(t, sandbox.FaultNone, s.Fault())
	resp, _ := post(t, w.dash.URL+"/faults/cashgit", "", form("fault", "meteor"))
	require.Contains(t, resp.Header.Get("Location"), "err=1")
	resp, _ = post(t, w.dash.URL+"/faults/nopay", "", form("fault", "slow"))
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = post(t, w.dash.URL+"/faults/cashgit", "", form("fault", "slow", "back", "//evil.example/", "order", "//evil.example/"))
	require.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/?"), "no open redirect")
	resp, _ = post(t, w.dash.URL+"/faults/cashgit", "", form("fault", "none", "kind", "payin", "order", res.OrderID))
	require.True(t, strings.HasPrefix(resp.Header.Get("Location"), orderPath("cashgit", paygate.KindPayIn, res.OrderID)+"?"), "back to the order's page")
	require.NoError(t, s.SetFault(sandbox.FaultNone))
}

// TestHomeFilters: the orders list filters by provider, kind, status and number.
func TestHomeFilters(t *testing.T) {
	w := newWorld(t)
	in := w.payIn(t, "cashgit")
	out := w.payOut(t, "paypro")
	require.NoError(t, w.cluster.Server("cashgit").Settle(in.OrderID, paygate.StatusSucceeded))
	for _, tt := range []struct {
		query     string
		in, out   bool
		emptyText bool
	}{
		{"", true, true, false},
		{"provider=cashgit", true, false, false},
		{"provider=paypro", false, true, false},
		{"kind=payout", false, true, false},
		{"status=succeeded", true, false, false},
		{"status=failed", false, false, true},
		{"q=" + strings.ToLower(in.OrderID[2:]), true, false, false},
	} {
		code, html := get(t, w.dash.URL+"/?"+tt.query)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, tt.in, strings.Contains(html, in.OrderID), tt.query)
		require.Equal(t, tt.out, strings.Contains(html, out.OrderID), tt.query)
		require.Equal(t, tt.emptyText, strings.Contains(html, "No orders yet"), tt.query)
	}
	_, html := get(t, w.dash.URL+"/")
	for _, s := range w.cluster.Servers() {
		require.Contains(t, html, s.URL())
		require.NotContains(t, html, s.Config().Secret, "secrets are masked")
		if key := s.Config().APIKey; key != "" {
			require.NotContains(t, html, key)
		}
	}
	code, js := get(t, w.dash.URL+"/static/app.js")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, js, "data-refresh")
	code, _ = get(t, w.dash.URL+"/static/style.css")
	require.Equal(t, http.StatusOK, code)
}

// TestJSONAPI: the dashboard's actions for teams that test from other languages.
func TestJSONAPI(t *testing.T) {
	w := newWorld(t)
	api := w.dash.URL + "/api"
	decode := func(body string, v any) { require.NoError(t, json.Unmarshal([]byte(body), v), body) }

	code, body := get(t, api)
	require.Equal(t, http.StatusOK, code)
	for _, a := range sandbox.Actions {
		require.Contains(t, body, a, "the index documents every action")
	}

	code, body = get(t, api+"/providers")
	require.Equal(t, http.StatusOK, code)
	var providers []map[string]any
	decode(body, &providers)
	require.Len(t, providers, 5)
	for i, s := range w.cluster.Servers() {
		require.Equal(t, s.Provider(), providers[i]["provider"])
		require.Equal(t, s.URL(), providers[i]["url"])
		require.NotContains(t, body, s.Config().Secret)
	}

	res := w.payIn(t, "cashy")
	code, body = get(t, api+"/orders?provider=cashy")
	require.Equal(t, http.StatusOK, code)
	var orders []map[string]any
	decode(body, &orders)
	require.Len(t, orders, 1)
	require.Equal(t, res.OrderID, orders[0]["order_id"])
	require.Equal(t, "PKR", orders[0]["currency"])
	require.Equal(t, "512.05", orders[0]["amount"])
	require.NotEmpty(t, orders[0]["checkout_url"])

	one := api + "/orders/cashy/payin/" + res.OrderID
	resp, body := post(t, one+"/drop_next", "application/json", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	resp, body = post(t, one+"/succeed", "application/json", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	resp, body = post(t, one+"/resend", "application/json", "{}")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var answer struct {
		Message string
		Order   struct {
			Status     paygate.Status `json:"status"`
			Deliveries []struct {
				HTTPStatus int     `json:"http_status"`
				Acked      bool    `json:"acked"`
				Dropped    bool    `json:"dropped"`
				Note       string  `json:"note"`
				LatencyMS  float64 `json:"latency_ms"`
			} `json:"deliveries"`
		}
	}
	decode(body, &answer)
	require.Equal(t, "Callback sent again.", answer.Message)
	require.Equal(t, paygate.StatusSucceeded, answer.Order.Status)
	require.Len(t, answer.Order.Deliveries, 2)
	require.True(t, answer.Order.Deliveries[0].Dropped)
	require.Equal(t, 200, answer.Order.Deliveries[1].HTTPStatus)
	require.True(t, answer.Order.Deliveries[1].Acked)
	require.Equal(t, "resend", answer.Order.Deliveries[1].Note)

	code, body = get(t, one)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `"deliveries"`)

	resp, body = post(t, one+"/delay_next", "application/json", `{"delay":"2s"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `"next_callback": "delayed 2s"`)
	resp, body = post(t, one+"/delay_next", "application/json", `{"delay":"3"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `"next_callback": "delayed 3s"`, "a bare number is seconds")

	for _, tt := range []struct {
		path, body string
		code       int
	}{
		{one + "/explode", "", http.StatusBadRequest},
		{one + "/delay_next", `{"delay":"forever"}`, http.StatusBadRequest},
		{one + "/delay_next", `{"delay":"2h"}`, http.StatusBadRequest},
		{one + "/delay_next", `{"delay":"-3"}`, http.StatusBadRequest},
		{one + "/succeed", `{"unknown":1}`, http.StatusBadRequest},
		{api + "/orders/cashy/payin/NOPE/succeed", "", http.StatusNotFound},
		{api + "/orders/nopay/payin/NOPE/succeed", "", http.StatusNotFound},
		{api + "/faults/cashy", `{"fault":"meteor"}`, http.StatusBadRequest},
		{api + "/faults/nopay", `{"fault":"slow"}`, http.StatusNotFound},
		{api + "/faults/cashy", `{"fault":"bad_gateway"}`, http.StatusOK},
	} {
		resp, body := post(t, tt.path, "application/json", tt.body)
		require.Equal(t, tt.code, resp.StatusCode, "%s %s: %s", tt.path, tt.body, body)
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	}
	require.Equal(t, sandbox.FaultBadGateway, w.cluster.Server("cashy").Fault())
	_, err := w.tryPayIn(t, "cashy")
	require.Error(t, err)
	resp, _ = post(t, api+"/faults/cashy", "application/json", `{"fault":"none"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestLegacyAdmin: the admin routes of earlier versions keep working over several fakes.
func TestLegacyAdmin(t *testing.T) {
	w := newWorld(t)
	res := w.payIn(t, "deekpay")
	resp, body := post(t, w.dash.URL+"/settle?order_id="+res.OrderID+"&status=succeeded", "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "order "+res.OrderID+" is succeeded\n", body)

	code, body := get(t, w.dash.URL+"/orders/"+res.OrderID)
	require.Equal(t, http.StatusOK, code)
	var o struct {
		Provider string         `json:"provider"`
		OrderID  string         `json:"order_id"`
		Status   paygate.Status `json:"status"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &o))
	require.Equal(t, paygate.StatusSucceeded, o.Status)
	require.Equal(t, "deekpay", o.Provider)
	require.Equal(t, res.OrderID, o.OrderID)

	for q, want := range map[string]int{
		"order_id=NOPE&status=succeeded":                            http.StatusNotFound,
		"order_id=" + res.OrderID + "&status=done":                  http.StatusBadRequest,
		"order_id=" + res.OrderID + "&status=failed&provider=cashy": http.StatusNotFound,
	} {
		resp, _ := post(t, w.dash.URL+"/settle?"+q, "", "")
		require.Equal(t, want, resp.StatusCode, q)
	}
	code, _ = get(t, w.dash.URL+"/orders/NOPE")
	require.Equal(t, http.StatusNotFound, code)
}

// TestSettleWithoutNotifyURL: an order created without a notify URL is moved, and Settle says
// that no callback could be sent.
func TestSettleWithoutNotifyURL(t *testing.T) {
	w := newWorld(t)
	gw := w.gws["cashgit"]
	_, err := gw.PayIn(context.Background(), &paygate.PayInRequest{OrderID: "NO_NOTIFY_1", Amount: paygate.MustParseMoney("100", paygate.INR)})
	require.NoError(t, err)
	s := w.cluster.Server("cashgit")
	err = s.Settle("NO_NOTIFY_1", paygate.StatusSucceeded)
	require.ErrorIs(t, err, sandbox.ErrNoNotifyURL)
	require.Contains(t, err.Error(), "no notify URL")
	require.False(t, errors.Is(err, sandbox.ErrNotAcknowledged))
	o, err := s.Order("NO_NOTIFY_1")
	require.NoError(t, err)
	require.Equal(t, paygate.StatusSucceeded, o.Status, "moved all the same")

	_, err = gw.PayIn(context.Background(), &paygate.PayInRequest{OrderID: "NO_NOTIFY_2", Amount: paygate.MustParseMoney("100", paygate.INR)})
	require.NoError(t, err)
	resp, body := post(t, w.dash.URL+"/settle?order_id=NO_NOTIFY_2&status=failed", "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "no notify URL")
	resp, _ = post(t, w.dash.URL+orderPath("cashgit", paygate.KindPayIn, "NO_NOTIFY_2"), "", form("action", "resend"))
	require.Contains(t, resp.Header.Get("Location"), "no+notify+URL")
}

// TestDashboardRefusesCrossSiteRequests: a page on another site the tester has open could arm
// a fault or settle an order with a plain cross-site form post (nothing checked Origin or
// Sec-Fetch-Site), and the JSON API read text/plain bodies, which a cross-site form can send.
// Cross-origin browser requests are now refused (net/http's CrossOriginProtection) and JSON
// bodies need a JSON Content-Type; same-origin browsers and clients without those headers
// (curl, the command, tests) work as before.
func TestDashboardRefusesCrossSiteRequests(t *testing.T) {
	w := newWorld(t)
	res := w.payIn(t, "cashgit")
	order := orderPath("cashgit", paygate.KindPayIn, res.OrderID)
	send := func(t *testing.T, path, contentType, body string, header map[string]string) int {
		t.Helper()
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, w.dash.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", contentType)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := noRedirect.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	const formType = "application/x-www-form-urlencoded"
	crossSite := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	for _, tt := range []struct {
		name, path, contentType, body string
	}{
		{"fault form", "/faults/cashgit", formType, form("fault", "answer_lost")},
		{"order form", order, formType, form("action", "succeed")},
		{"legacy settle", "/settle?order_id=" + res.OrderID + "&status=succeeded", formType, ""},
		{"JSON API fault", "/api/faults/cashgit", "text/plain", `{"fault":"answer_lost"}`},
		{"JSON API action", "/api" + order + "/succeed", "text/plain", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for name, header := range map[string]map[string]string{
				"cross-site":        crossSite,
				"Origin only":       {"Origin": "https://evil.example"},
				"same-site subhost": {"Sec-Fetch-Site": "same-site"},
			} {
				require.Equal(t, http.StatusForbidden, send(t, tt.path, tt.contentType, tt.body, header), name)
			}
			require.Equal(t, sandbox.FaultNone, w.cluster.Server("cashgit").Fault(), "nothing was armed")
			o, err := w.cluster.Server("cashgit").Order(res.OrderID)
			require.NoError(t, err)
			require.False(t, o.Status.Final(), "nothing was settled")
		})
	}

	// A JSON body must say it is JSON, whoever sends it.
	for _, ct := range []string{"text/plain", formType, "multipart/form-data; boundary=x", ""} {
		require.Equal(t, http.StatusUnsupportedMediaType, send(t, "/api/faults/cashgit", ct, `{"fault":"answer_lost"}`, nil), ct)
	}
	require.Equal(t, sandbox.FaultNone, w.cluster.Server("cashgit").Fault())

	// Same-origin browsers and clients without browser headers keep working.
	sameOrigin := map[string]string{"Origin": w.dash.URL, "Sec-Fetch-Site": "same-origin"}
	require.Equal(t, http.StatusSeeOther, send(t, "/faults/cashgit", formType, form("fault", "slow"), sameOrigin))
	require.Equal(t, sandbox.FaultSlow, w.cluster.Server("cashgit").Fault())
	require.Equal(t, http.StatusOK, send(t, "/api/faults/cashgit", "application/json; charset=utf-8", `{"fault":"none"}`, nil))
	require.Equal(t, http.StatusOK, send(t, "/api/faults/cashgit", "application/json", `{"fault":"none"}`, map[string]string{"Sec-Fetch-Site": "none"}))
	require.Equal(t, http.StatusOK, send(t, "/api"+order+"/drop_next", "", "", nil), "an action without a body needs no Content-Type")
	require.Equal(t, http.StatusOK, send(t, "/settle?order_id="+res.OrderID+"&status=succeeded", "", "", nil))
}

// TestCheckoutUPILink: the checkout's "Open in a UPI app" button linked to "#ZgotmplZ":
// html/template refuses a upi: URL in href unless it is a template.URL.
func TestCheckoutUPILink(t *testing.T) {
	w := newWorld(t)
	res := w.payIn(t, "cashgit")
	require.NotEmpty(t, res.PaymentURL)
	code, body := get(t, res.PaymentURL)
	require.Equal(t, http.StatusOK, code)
	i := strings.Index(body, `id="upi"`)
	require.GreaterOrEqual(t, i, 0, body)
	link := body[i : i+strings.Index(body[i:], ">")]
	require.NotContains(t, link, "ZgotmplZ", link)
	require.Contains(t, link, `href="upi://pay?`, link)
	require.Contains(t, link, "am=512.05", link)
}

// TestCheckoutRefusesCrossSiteRequests: the hosted checkout's buttons settle a pay-in, so a
// form on another site a tester has open must not press them; the page's own form still does.
func TestCheckoutRefusesCrossSiteRequests(t *testing.T) {
	w := newWorld(t)
	s := w.cluster.Server("cashgit")
	res := w.payIn(t, "cashgit")
	o, err := s.OrderOf(paygate.KindPayIn, res.OrderID)
	require.NoError(t, err)
	for name, header := range map[string]map[string]string{
		"cross-site":  {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
		"Origin only": {"Origin": "https://evil.example"},
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.CheckoutURL(o.ProviderOrderID), strings.NewReader(form("action", "pay")))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := noRedirect.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusForbidden, resp.StatusCode, name)
	}
	got, err := s.OrderOf(paygate.KindPayIn, res.OrderID)
	require.NoError(t, err)
	require.False(t, got.Status.Final(), "nothing was settled")

	resp, _ := post(t, s.CheckoutURL(o.ProviderOrderID), "", form("action", "pay"))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "a request without browser origin headers is served")
}
