package fakeserver

import (
	"crypto/sha256"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/paygate-go/paygate"
)

//go:embed ui
var ui embed.FS

// CSS is the stylesheet the hosted checkout and the sandbox dashboard share.
var CSS = mustRead("ui/style.css")

func mustRead(name string) []byte {
	b, err := ui.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

var checkoutTmpl = template.Must(template.New("checkout.html").Funcs(template.FuncMap{
	"money": func(o Order) string { return paygate.NewMoney(o.Amount, o.Currency).String() },
	"add":   func(a, b int) int { return a + b },
}).ParseFS(ui, "ui/checkout.html"))

// checkoutPath is the hosted checkout of the order with provider order number id, on every
// fake whatever its own payment links look like.
func checkoutPath(id string) string { return "/sandbox/checkout/" + url.PathEscape(id) }

// CheckoutURL is the hosted checkout page of the order with provider order number id.
func (s *Server) CheckoutURL(id string) string { return s.URL() + checkoutPath(id) }

// checkoutRoutes serves the generic checkout page and its form.
func (s *Server) checkoutRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /sandbox/checkout/{id}", s.checkoutPage(func(r *http.Request) string { return r.PathValue("id") }))
	// Its buttons settle a pay-in: a form on another site must not press them (403 for a
	// browser's cross-origin POST, net/http's CrossOriginProtection; curl is served).
	mux.Handle("POST /sandbox/checkout/{id}", http.NewCrossOriginProtection().Handler(http.HandlerFunc(s.checkoutAction)))
	mux.HandleFunc("GET /sandbox/style.css", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		_, _ = w.Write(CSS)
	})
}

// checkoutView is what the checkout template shows.
type checkoutView struct {
	Order    Order
	Merchant string
	Provider string       // the provider's name as its brand writes it
	Action   string       // where the buttons post
	UPI      template.URL // a upi:// intent for the order (upiIntent)
	QR       [][]bool
	Message  string // the outcome of the last button
	Error    bool
}

// checkoutPage renders the checkout of the order whose provider number id(r) names.
func (s *Server) checkoutPage(id func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		o, ok := s.books.byProviderID(id(r))
		if !ok || o.Kind != paygate.KindPayIn {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_ = checkoutTmpl.Execute(w, checkoutView{Merchant: s.merchant, Provider: s.Title()})
			return
		}
		v := checkoutView{
			Order: o, Merchant: s.merchant, Provider: s.Title(), Action: checkoutPath(o.ProviderOrderID),
			UPI:     upiIntent(s.merchant, o.Amount.StringFixed(2), o.ProviderOrderID, string(o.Currency)),
			QR:      pattern(o.ProviderOrderID),
			Message: r.URL.Query().Get("msg"), Error: r.URL.Query().Get("err") != "",
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := checkoutTmpl.Execute(w, v); err != nil {
			s.log.Error("sandbox checkout", "err", err)
		}
	}
}

// upiIntent is the upi:// intent that pays the sandbox's VPA. html/template allows only
// http, https and mailto URLs in href and shows any other as "#ZgotmplZ", so the intent is a
// template.URL: trusted because it is built only from a fixed scheme and path and a query that
// url.Values.Encode escapes whole (every byte of a key or value other than A-Z a-z 0-9 - _ . ~
// is percent-encoded), so no value can end the query, add a parameter or change the scheme.
func upiIntent(merchant, amount, ref, currency string) template.URL {
	q := url.Values{"pa": {"sandbox@upi"}, "pn": {merchant}, "am": {amount}, "tr": {ref}, "cu": {currency}}
	return template.URL("upi://pay?" + q.Encode()) //nolint:gosec // fixed parts and an escaped query, see above
}

// checkoutStatuses are the checkout's buttons.
var checkoutStatuses = map[string]paygate.Status{
	"pay": paygate.StatusSucceeded, "fail": paygate.StatusFailed, "cancel": paygate.StatusCancelled,
}

// checkoutAction moves the order as the button says, sends its callback and shows the page again.
func (s *Server) checkoutAction(w http.ResponseWriter, r *http.Request) {
	o, ok := s.books.byProviderID(r.PathValue("id"))
	st, known := checkoutStatuses[r.FormValue("action")]
	switch {
	case !ok || o.Kind != paygate.KindPayIn:
		http.Error(w, "no such pay-in", http.StatusNotFound)
		return
	case !known:
		http.Error(w, "action must be pay, fail or cancel", http.StatusBadRequest)
		return
	case o.Status.Final():
		s.back(w, r, o, "This order is already "+string(o.Status)+".", true)
		return
	}
	err := s.SettleOf(o.Kind, o.Key(), st)
	msg := map[paygate.Status]string{paygate.StatusSucceeded: "Payment successful.",
		paygate.StatusFailed: "Payment failed.", paygate.StatusCancelled: "Payment cancelled."}[st]
	switch {
	case err == nil:
		msg += " The merchant was notified."
	case errors.Is(err, ErrNotAcknowledged):
		msg += " The merchant did not acknowledge the notification; it will be retried."
	case errors.Is(err, ErrNoNotifyURL):
		msg += " The order has no notify URL, so no notification was sent."
	default:
		s.back(w, r, o, err.Error(), true)
		return
	}
	s.back(w, r, o, msg, false)
}

// back redirects to the checkout page with a message (post, redirect, get).
func (s *Server) back(w http.ResponseWriter, r *http.Request, o Order, msg string, isErr bool) {
	q := url.Values{"msg": {msg}}
	if isErr {
		q.Set("err", "1")
	}
	http.Redirect(w, r, checkoutPath(o.ProviderOrderID)+"?"+q.Encode(), http.StatusSeeOther)
}

// pattern is a QR-like 21x21 picture derived from s: a placeholder a tester recognises, not a
// code any app can scan.
func pattern(s string) [][]bool {
	const n = 21
	seed := sha256.Sum256([]byte(s))
	bits := make([]byte, 0, n*n)
	for len(bits) < n*n {
		for _, b := range seed {
			for i := range 8 {
				bits = append(bits, b>>i&1)
			}
		}
		seed = sha256.Sum256(seed[:])
	}
	finder := func(r, c int) (bool, bool) {
		for _, o := range [][2]int{{0, 0}, {0, n - 7}, {n - 7, 0}} {
			rr, cc := r-o[0], c-o[1]
			if rr >= -1 && rr <= 7 && cc >= -1 && cc <= 7 {
				if rr < 0 || rr > 6 || cc < 0 || cc > 6 {
					return false, true
				}
				ring := rr == 0 || rr == 6 || cc == 0 || cc == 6
				core := rr >= 2 && rr <= 4 && cc >= 2 && cc <= 4
				return ring || core, true
			}
		}
		return false, false
	}
	out := make([][]bool, n)
	for r := range n {
		out[r] = make([]bool, n)
		for c := range n {
			if v, ok := finder(r, c); ok {
				out[r][c] = v
				continue
			}
			out[r][c] = bits[r*n+c] == 1
		}
	}
	return out
}
