package sandbox

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
)

//go:embed ui
var ui embed.FS

// Dashboard serves the sandbox's web pages and JSON API over a set of running fakes: every
// order of every provider with its callback deliveries, actions that move an order or
// misdeliver its callback, and fault switches for each provider's next create. Every action
// is a plain form POST (no JavaScript needed); the JSON API under /api/ offers the same. It
// also keeps the admin routes of earlier versions: POST /settle?order_id=…&status=… and
// GET /orders/{order_id} (which answers as GET /api/orders/{provider}/{kind}/{order_id}).
// No page or answer shows a secret, an API key or a request's signature.
//
// A POST that a browser marks as coming from another origin (Sec-Fetch-Site other than
// same-origin or none, or an Origin whose host is not the dashboard's) is refused with 403
// (net/http's CrossOriginProtection); clients that send neither header, such as curl, are
// served. A JSON API body must be sent with Content-Type application/json (415 otherwise); an
// action without a body needs none.
//
// Pages and API:
//
//	GET  /                                           orders, filterable (?provider= &kind= &status= &q=), providers, faults
//	GET  /orders/{provider}/{kind}/{order_id}        one order, its deliveries, its actions
//	POST /orders/{provider}/{kind}/{order_id}        form: action=succeed|fail|cancel|reverse|succeed_late|resend|send_twice|drop_next|delay_next [delay=10s]
//	POST /faults/{provider}                          form: fault=answer_lost|bad_gateway|slow|none
//	GET  /api                                        this list, as JSON
//	GET  /api/providers                              the providers, their URLs and armed faults (secrets masked)
//	GET  /api/orders                                 the orders, filtered as the page is
//	GET  /api/orders/{provider}/{kind}/{order_id}    one order with its deliveries
//	POST /api/orders/{provider}/{kind}/{order_id}/{action}   body (optional): {"delay":"10s"}
//	POST /api/faults/{provider}                      body: {"fault":"answer_lost"} ("" or "none" disarms)
type Dashboard struct {
	servers []*Server
	mux     *http.ServeMux
	handler http.Handler // mux behind cross-origin protection
}

// Actions are the things the dashboard and its JSON API can do to an order.
var Actions = []string{"succeed", "fail", "cancel", "reverse", "succeed_late", "resend", "send_twice", "drop_next", "delay_next"}

// defaultDelay is how long delay_next holds a callback back when no delay is given.
const defaultDelay = 10 * time.Second

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"money": func(o Order) string { return paygate.NewMoney(o.Amount, o.Currency).String() },
	"age":   age,
	"faultLabel": func(f Fault) string {
		return map[Fault]string{FaultAnswerLost: "answer lost", FaultBadGateway: "HTML 502", FaultSlow: "slow answer"}[f]
	},
	"path":  url.PathEscape,
	"ms":    func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) },
	"clock": func(t time.Time) string { return t.Format("15:04:05.000") },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.Format("2006-01-02 15:04:05")
	},
}).ParseFS(ui, "ui/*.html"))

// NewDashboard returns the dashboard over servers (at most one per provider).
func NewDashboard(servers ...*Server) *Dashboard {
	d := &Dashboard{servers: servers, mux: http.NewServeMux()}
	m := d.mux
	m.HandleFunc("GET /{$}", d.home)
	m.HandleFunc("GET /orders/{provider}/{kind}/{id}", d.orderPage)
	m.HandleFunc("POST /orders/{provider}/{kind}/{id}", d.orderAction)
	m.HandleFunc("POST /faults/{provider}", d.faultForm)
	m.HandleFunc("GET /static/style.css", static("text/css; charset=utf-8", fakeserver.CSS))
	m.HandleFunc("GET /static/app.js", static("text/javascript; charset=utf-8", mustRead("ui/app.js")))
	m.HandleFunc("GET /api", d.apiIndex)
	m.HandleFunc("GET /api/providers", d.apiProviders)
	m.HandleFunc("GET /api/orders", d.apiOrders)
	m.HandleFunc("GET /api/orders/{provider}/{kind}/{id}", d.apiOrder)
	m.HandleFunc("POST /api/orders/{provider}/{kind}/{id}/{action}", d.apiAction)
	m.HandleFunc("POST /api/faults/{provider}", d.apiFault)
	// The admin routes of earlier versions.
	m.HandleFunc("POST /settle", d.legacySettle)
	m.HandleFunc("GET /orders/{id}", d.legacyOrder)
	// A page of another site open in the tester's browser must not move orders or arm faults:
	// a POST from a browser that says it comes from another origin (Sec-Fetch-Site, or an
	// Origin other than the dashboard's host) is refused with 403. Clients that send neither
	// header (curl, the paygate command, tests) are served as before.
	d.handler = http.NewCrossOriginProtection().Handler(m)
	return d
}

// ServeHTTP serves the dashboard.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.handler.ServeHTTP(w, r) }

func mustRead(name string) []byte {
	b, err := ui.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

func static(contentType string, b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	}
}

// server returns the fake of provider.
func (d *Dashboard) server(provider string) *Server {
	for _, s := range d.servers {
		if s.Provider() == provider {
			return s
		}
	}
	return nil
}

// filter is the orders list's query.
type filter struct {
	Provider, Kind, Status, Q string
}

func filterOf(r *http.Request) filter {
	q := r.URL.Query()
	return filter{Provider: q.Get("provider"), Kind: q.Get("kind"), Status: q.Get("status"), Q: strings.TrimSpace(q.Get("q"))}
}

func (f filter) match(o Order) bool {
	return (f.Provider == "" || o.Provider == f.Provider) && (f.Kind == "" || string(o.Kind) == f.Kind) &&
		(f.Status == "" || string(o.Status) == f.Status) &&
		(f.Q == "" || strings.Contains(strings.ToLower(o.OrderID+" "+o.ProviderOrderID), strings.ToLower(f.Q)))
}

// orders returns every order matching f, newest first.
func (d *Dashboard) orders(f filter) []Order {
	var out []Order
	for _, s := range d.servers {
		for _, o := range s.Orders() {
			if f.match(o) {
				out = append(out, o)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Order) int { return b.Created.Compare(a.Created) })
	return out
}

// statuses are the order statuses the filter offers.
var statuses = []paygate.Status{paygate.StatusPending, paygate.StatusProcessing, paygate.StatusSucceeded,
	paygate.StatusFailed, paygate.StatusCancelled, paygate.StatusReversed}

type homeView struct {
	Servers  []*Server
	Titles   map[string]string // provider name to its brand's spelling
	Orders   []Order
	Filter   filter
	Statuses []paygate.Status
	Faults   []Fault
	Message  string
	Error    bool
}

func (d *Dashboard) home(w http.ResponseWriter, r *http.Request) {
	f := filterOf(r)
	titles := map[string]string{}
	for _, s := range d.servers {
		titles[s.Provider()] = s.Title()
	}
	d.render(w, "home.html", homeView{Servers: d.servers, Titles: titles, Orders: d.orders(f), Filter: f, Statuses: statuses,
		Faults: Faults(), Message: r.URL.Query().Get("msg"), Error: r.URL.Query().Get("err") != ""})
}

type orderView struct {
	Server      *Server
	Order       Order
	Deliveries  []Delivery
	Held        string
	CheckoutURL string
	Message     string
	Error       bool
}

// find returns the server and order a path names, or answers 404.
func (d *Dashboard) find(w http.ResponseWriter, r *http.Request, asJSON bool) (*Server, Order, bool) {
	s := d.server(r.PathValue("provider"))
	var o Order
	err := fmt.Errorf("no %s sandbox here", r.PathValue("provider"))
	if s != nil {
		o, err = s.OrderOf(paygate.Kind(r.PathValue("kind")), r.PathValue("id"))
	}
	if err != nil {
		if asJSON {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		} else {
			http.Error(w, err.Error(), http.StatusNotFound)
		}
		return nil, Order{}, false
	}
	return s, o, true
}

func (d *Dashboard) orderView(s *Server, o Order) orderView {
	v := orderView{Server: s, Order: o, Deliveries: s.DeliveriesOf(o.Kind, o.Key()), Held: s.Held(o.Kind, o.Key())}
	slices.Reverse(v.Deliveries) // newest first
	if o.Kind == paygate.KindPayIn {
		v.CheckoutURL = s.CheckoutURL(o.ProviderOrderID)
	}
	return v
}

func (d *Dashboard) orderPage(w http.ResponseWriter, r *http.Request) {
	s, o, ok := d.find(w, r, false)
	if !ok {
		return
	}
	v := d.orderView(s, o)
	v.Message, v.Error = r.URL.Query().Get("msg"), r.URL.Query().Get("err") != ""
	d.render(w, "order.html", v)
}

// orderLink is the dashboard page of o.
func orderLink(o Order) string {
	return "/orders/" + url.PathEscape(o.Provider) + "/" + url.PathEscape(string(o.Kind)) + "/" + url.PathEscape(o.Key())
}

func (d *Dashboard) orderAction(w http.ResponseWriter, r *http.Request) {
	s, o, ok := d.find(w, r, false)
	if !ok {
		return
	}
	msg, err := act(s, o, r.FormValue("action"), r.FormValue("delay"))
	redirect(w, r, orderLink(o), msg, err)
}

func (d *Dashboard) faultForm(w http.ResponseWriter, r *http.Request) {
	s := d.server(r.PathValue("provider"))
	if s == nil {
		http.Error(w, "no such provider", http.StatusNotFound)
		return
	}
	f := Fault(r.FormValue("fault"))
	if f == "none" {
		f = FaultNone
	}
	err := s.SetFault(f)
	msg := fmt.Sprintf("%s: the next create will %s.", s.Title(), faultText(f))
	back := "/" // or the page of the order the form was on
	if id := r.FormValue("order"); id != "" {
		if o, lookErr := s.OrderOf(paygate.Kind(r.FormValue("kind")), id); lookErr == nil {
			back = orderLink(o)
		}
	}
	redirect(w, r, back, msg, err)
}

// faultText says what a fault does to the next create.
func faultText(f Fault) string {
	switch f {
	case FaultAnswerLost:
		return "create the order and lose the answer"
	case FaultBadGateway:
		return "get an HTML 502 page (no order)"
	case FaultSlow:
		return "create the order and answer too late"
	}
	return "behave"
}

// redirect sends the browser back to path with a message (post, redirect, get). path is
// always built by the dashboard (a fixed page or orderLink), never taken from the request.
func redirect(w http.ResponseWriter, r *http.Request, path, msg string, err error) {
	q := url.Values{"msg": {msg}}
	if err != nil {
		q.Set("msg", err.Error())
		q.Set("err", "1")
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(w, r, path+sep+q.Encode(), http.StatusSeeOther) //nolint:gosec // path is the dashboard's own, see above

}

// The caller's mistakes (400): an action the dashboard does not know, a delay it cannot take.
var (
	errUnknownAction = errors.New("unknown action")
	errBadDelay      = errors.New("want a duration such as 10s, at most 1h")
)

// act does action to o and says what happened. ErrNotAcknowledged and ErrNoNotifyURL are
// outcomes, not failures: the message says them.
func act(s *Server, o Order, action, delay string) (string, error) {
	id := o.Key()
	var err error
	var done string
	switch action {
	case "succeed", "fail", "cancel", "reverse":
		st := map[string]paygate.Status{"succeed": paygate.StatusSucceeded, "fail": paygate.StatusFailed,
			"cancel": paygate.StatusCancelled, "reverse": paygate.StatusReversed}[action]
		err, done = s.SettleOf(o.Kind, id, st), "Moved to "+string(st)+"."
	case "succeed_late":
		err, done = s.SucceedLate(o.Kind, id), "Failed, then succeeded: two callbacks."
	case "resend":
		err, done = s.Resend(o.Kind, id), "Callback sent again."
	case "send_twice":
		err, done = s.SendTwice(o.Kind, id), "Callback sent twice."
	case "drop_next":
		err, done = s.DropNext(o.Kind, id), "The next callback will be dropped."
	case "delay_next":
		d := defaultDelay
		if delay != "" {
			if d, err = parseDelay(delay); err != nil {
				return "", err
			}
		}
		err, done = s.DelayNext(o.Kind, id, d), "The next callback will wait "+d.String()+"."
	default:
		return "", fmt.Errorf("%w %q (known: %s)", errUnknownAction, action, strings.Join(Actions, ", "))
	}
	switch {
	case err == nil:
		return done, nil
	case errors.Is(err, ErrNotAcknowledged):
		return done + " The merchant did not acknowledge the callback; retrying on the provider's schedule.", nil
	case errors.Is(err, ErrNoNotifyURL):
		return done + " The order has no notify URL, so no callback was sent.", nil
	}
	return "", err
}

// parseDelay reads "10s", "1m" or a bare number of seconds.
func parseDelay(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if n, nerr := strconv.Atoi(v); err != nil && nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d <= 0 || d > time.Hour {
		return 0, fmt.Errorf("delay %q: %w", v, errBadDelay)
	}
	return d, nil
}

func (d *Dashboard) render(w http.ResponseWriter, name string, v any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages.ExecuteTemplate(w, name, v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// mask hides a credential: its length shows, its characters do not.
func mask(secret string) string {
	if secret == "" {
		return "—"
	}
	return strings.Repeat("•", min(len(secret), 12)) + fmt.Sprintf(" (%d characters)", len(secret))
}

// age is how long ago t was, coarsely.
func age(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// The JSON API's shapes.

// apiProvider is one fake as the JSON API shows it.
type apiProvider struct {
	Provider   string `json:"provider"`
	Title      string `json:"title"`
	URL        string `json:"url"`
	MerchantID string `json:"merchant_id"`
	APIKey     string `json:"api_key,omitempty"` // masked
	Secret     string `json:"secret"`            // masked
	Fault      Fault  `json:"fault"`
}

// apiOrder is one order as the JSON API shows it.
type apiOrder struct {
	Provider        string            `json:"provider"`
	Kind            paygate.Kind      `json:"kind"`
	OrderID         string            `json:"order_id"`
	ProviderOrderID string            `json:"provider_order_id"`
	Amount          string            `json:"amount"`
	Currency        paygate.Currency  `json:"currency"`
	Fee             string            `json:"fee"`
	Status          paygate.Status    `json:"status"`
	UTR             string            `json:"utr,omitempty"`
	NotifyURL       string            `json:"notify_url,omitempty"`
	CheckoutURL     string            `json:"checkout_url,omitempty"`
	NextCallback    string            `json:"next_callback,omitempty"` // "dropped" or "delayed 10s"
	Created         time.Time         `json:"created"`
	Completed       *time.Time        `json:"completed,omitempty"`
	Page            string            `json:"page"` // the order's dashboard page, relative to the dashboard
	Deliveries      []apiDelivery     `json:"deliveries,omitempty"`
	Request         map[string]string `json:"-"`
}

// apiDelivery is one callback delivery attempt.
type apiDelivery struct {
	At         time.Time      `json:"at"`
	Attempt    int            `json:"attempt"`
	Status     paygate.Status `json:"status"` // the order status the callback carried
	HTTPStatus int            `json:"http_status"`
	Acked      bool           `json:"acked"`
	Answer     string         `json:"answer"`
	LatencyMS  float64        `json:"latency_ms"`
	Note       string         `json:"note,omitempty"`
	Dropped    bool           `json:"dropped,omitempty"`
	Error      string         `json:"error,omitempty"`
}

func toAPIOrder(s *Server, o Order, withDeliveries bool) apiOrder {
	a := apiOrder{Provider: o.Provider, Kind: o.Kind, OrderID: o.OrderID, ProviderOrderID: o.ProviderOrderID,
		Amount: o.Amount.StringFixed(2), Currency: o.Currency, Fee: o.Fee.String(), Status: o.Status, UTR: o.UTR,
		NotifyURL: o.NotifyURL, NextCallback: s.Held(o.Kind, o.Key()), Created: o.Created, Page: orderLink(o)}
	if o.Kind == paygate.KindPayIn {
		a.CheckoutURL = s.CheckoutURL(o.ProviderOrderID)
	}
	if !o.Completed.IsZero() {
		c := o.Completed
		a.Completed = &c
	}
	if withDeliveries {
		a.Deliveries = []apiDelivery{}
		for _, d := range s.DeliveriesOf(o.Kind, o.Key()) {
			ad := apiDelivery{At: d.At, Attempt: d.Attempt, Status: d.Status, HTTPStatus: d.StatusCode, Acked: d.Acked,
				Answer: d.Answer, LatencyMS: float64(d.Latency.Microseconds()) / 1000, Note: d.Note, Dropped: d.Dropped}
			if d.Err != nil {
				ad.Error = d.Err.Error()
			}
			a.Deliveries = append(a.Deliveries, ad)
		}
	}
	return a
}

// apiRoutes describes the JSON API, for GET /api.
var apiRoutes = []map[string]string{
	{"route": "GET /api/providers", "does": "each fake: provider, URL, merchant id, masked credentials, the fault armed for its next create"},
	{"route": "GET /api/orders?provider=&kind=&status=&q=", "does": "orders of every fake, newest first, filtered"},
	{"route": "GET /api/orders/{provider}/{kind}/{order_id}", "does": "one order with its callback deliveries"},
	{"route": "POST /api/orders/{provider}/{kind}/{order_id}/{action}", "does": "action: " + strings.Join(Actions, ", ") + `; body (optional): {"delay":"10s"} for delay_next`},
	{"route": "POST /api/faults/{provider}", "does": `body: {"fault":"answer_lost"|"bad_gateway"|"slow"|"none"}: what the provider's next create does`},
}

func (d *Dashboard) apiIndex(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"routes": apiRoutes})
}

func (d *Dashboard) apiProviders(w http.ResponseWriter, _ *http.Request) {
	out := []apiProvider{}
	for _, s := range d.servers {
		c := s.Config()
		p := apiProvider{Provider: s.Provider(), Title: s.Title(), URL: s.URL(), MerchantID: c.MerchantID,
			Secret: mask(c.Secret), Fault: s.Fault()}
		if s.UsesAPIKey() {
			p.APIKey = mask(c.APIKey)
		}
		out = append(out, p)
	}
	writeJSON(w, http.StatusOK, out)
}

func (d *Dashboard) apiOrders(w http.ResponseWriter, r *http.Request) {
	out := []apiOrder{}
	for _, o := range d.orders(filterOf(r)) {
		out = append(out, toAPIOrder(d.server(o.Provider), o, false))
	}
	writeJSON(w, http.StatusOK, out)
}

func (d *Dashboard) apiOrder(w http.ResponseWriter, r *http.Request) {
	s, o, ok := d.find(w, r, true)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, toAPIOrder(s, o, true))
}

func (d *Dashboard) apiAction(w http.ResponseWriter, r *http.Request) {
	s, o, ok := d.find(w, r, true)
	if !ok {
		return
	}
	var body struct {
		Delay string `json:"delay"`
	}
	if err := decodeOptional(r, &body); err != nil {
		writeJSON(w, decodeStatus(err), map[string]string{"error": err.Error()})
		return
	}
	msg, err := act(s, o, r.PathValue("action"), body.Delay)
	if err != nil {
		code := http.StatusConflict
		if errors.Is(err, errUnknownAction) || errors.Is(err, errBadDelay) {
			code = http.StatusBadRequest
		}
		writeJSON(w, code, map[string]string{"error": err.Error()})
		return
	}
	o, _ = s.OrderOf(o.Kind, o.Key())
	writeJSON(w, http.StatusOK, map[string]any{"message": msg, "order": toAPIOrder(s, o, true)})
}

func (d *Dashboard) apiFault(w http.ResponseWriter, r *http.Request) {
	s := d.server(r.PathValue("provider"))
	if s == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such provider"})
		return
	}
	var body struct {
		Fault Fault `json:"fault"`
	}
	if err := decodeOptional(r, &body); err != nil {
		writeJSON(w, decodeStatus(err), map[string]string{"error": err.Error()})
		return
	}
	if body.Fault == "none" {
		body.Fault = FaultNone
	}
	if err := s.SetFault(body.Fault); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"provider": s.Provider(), "fault": s.Fault()})
}

// errNotJSON is a JSON API body sent without a JSON Content-Type.
var errNotJSON = errors.New(`body: send it with "Content-Type: application/json"`)

// decodeStatus is the HTTP status of a decodeOptional error.
func decodeStatus(err error) int {
	if errors.Is(err, errNotJSON) {
		return http.StatusUnsupportedMediaType
	}
	return http.StatusBadRequest
}

// decodeOptional reads a small JSON body into v; an empty body leaves v as it is. A body
// must be sent as application/json: a cross-site HTML form can send text/plain that reads as
// JSON, but never a JSON Content-Type.
func decodeOptional(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(b)) == "" {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errNotJSON
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// legacySettle is the admin route of earlier versions: POST /settle?order_id=…&status=…
// (&provider=… when several fakes run). 200: acknowledged, or no notify URL; 202: not
// acknowledged, retrying; 404: unknown order; 409: the number is known to several providers.
func (d *Dashboard) legacySettle(w http.ResponseWriter, r *http.Request) {
	orderID, st := r.FormValue("order_id"), paygate.Status(r.FormValue("status"))
	if orderID == "" || !slices.Contains(statuses, st) {
		http.Error(w, "want order_id and status (pending, processing, succeeded, failed, cancelled, reversed)", http.StatusBadRequest)
		return
	}
	s, code, err := d.holder(r.FormValue("provider"), orderID)
	if err != nil {
		http.Error(w, err.Error(), code)
		return
	}
	err = s.Settle(orderID, st)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// The answers below are plain text (nosniff): an order number in them is never HTML.
	switch {
	case err == nil:
		fmt.Fprintf(w, "order %s is %s\n", orderID, st) //nolint:gosec // text/plain, see above
	case errors.Is(err, ErrNoNotifyURL):
		fmt.Fprintf(w, "order %s is %s; it has no notify URL, so no callback was sent\n", orderID, st) //nolint:gosec // text/plain
	case errors.Is(err, ErrNoOrder):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, ErrNotAcknowledged):
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, "order %s is %s; %v\n", orderID, st, err) //nolint:gosec // text/plain
	default:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// holder finds the one fake (of provider, when given) holding orderID.
func (d *Dashboard) holder(provider, orderID string) (*Server, int, error) {
	var found []*Server
	for _, s := range d.servers {
		if provider != "" && s.Provider() != provider {
			continue
		}
		if _, err := s.Order(orderID); err == nil || !errors.Is(err, ErrNoOrder) {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 0:
		return nil, http.StatusNotFound, fmt.Errorf("%w: %q", ErrNoOrder, orderID)
	case 1:
		return found[0], 0, nil
	}
	return nil, http.StatusConflict, fmt.Errorf("sandbox: order %q is known to several providers; add provider=", orderID)
}

// legacyOrder is GET /orders/{order_id}: the order as JSON, as the JSON API shows it (never
// the request's fields, which may hold a credential or a signature).
func (d *Dashboard) legacyOrder(w http.ResponseWriter, r *http.Request) {
	s, code, err := d.holder(r.URL.Query().Get("provider"), r.PathValue("id"))
	if err != nil {
		http.Error(w, err.Error(), code)
		return
	}
	o, err := s.Order(r.PathValue("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, toAPIOrder(s, o, true))
}
