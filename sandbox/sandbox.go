// Package sandbox runs in-process fakes of the providers' HTTP APIs, for evaluating paygate
// without an account and for merchants' own test suites. A Server listens on 127.0.0.1,
// checks signatures, required fields and limits as the provider documents them, answers with
// the provider's envelopes and error codes, keeps orders (a duplicate order number is the
// provider's error), serves a hosted checkout at each pay-in's payment link (its buttons
// refuse a browser's cross-origin POST, as the dashboard does), and on Settle
// delivers the provider's signed callback to the order's notify URL, retrying on the
// provider's documented schedule.
//
// Each provider's fake lives beside its client (package caipay/caipaytest and its siblings,
// as net/http/httptest sits beside net/http); this package offers them all by name, needing no
// other import, runs them together (Cluster) and serves the dashboard over them (Dashboard):
// every order and callback delivery, buttons that move orders and misdeliver callbacks, fault
// switches for a provider's next create, and a JSON API with the same actions.
//
// No page, JSON answer or fmt output shows a merchant's secret, API key or a request's
// signature: an order keeps its request's fields without them, Server and Cluster print their
// providers, URLs and merchant ids only, and credentials on the dashboard are masked. The
// dashboard refuses a POST a browser marks as cross-site (403), so a page of another site
// cannot move orders or arm faults, and its JSON API reads a body only when it is sent as
// application/json (415 otherwise).
package sandbox

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/caipay/caipaytest"   // registers its fake
	_ "github.com/paygate-go/paygate/cashgit/cashgittest" // registers its fake
	_ "github.com/paygate-go/paygate/cashy/cashytest"     // registers its fake
	_ "github.com/paygate-go/paygate/deekpay/deekpaytest" // registers its fake
	"github.com/paygate-go/paygate/internal/fakeserver"
	_ "github.com/paygate-go/paygate/paypro/payprotest" // registers its fake
)

// Server is a running fake of one provider (the type every <provider>test package returns).
// Its methods: URL, Provider, Title, Config, Close; Order, OrderOf, Orders; Settle, SettleOf,
// SucceedLate, Resend, SendTwice, DropNext, DelayNext, Held; Deliveries, DeliveriesOf;
// SetFault, Fault; CheckoutURL; CashyPatch.
type Server = fakeserver.Server

// Order is an order a fake keeps.
type Order = fakeserver.Order

// Delivery is one attempt to deliver a callback.
type Delivery = fakeserver.Delivery

// Option configures a Server.
type Option = fakeserver.Option

// Fault is a misbehaviour armed for a provider's next create request (Server.SetFault).
type Fault = fakeserver.Fault

// The faults Server.SetFault arms for the next create.
const (
	FaultNone       = fakeserver.FaultNone
	FaultAnswerLost = fakeserver.FaultAnswerLost // the order is created, the connection closed without an answer
	FaultBadGateway = fakeserver.FaultBadGateway // an HTML 502 page from a proxy; no order
	FaultSlow       = fakeserver.FaultSlow       // the order is created, the answer held until the client hangs up
)

// Faults lists the faults Server.SetFault accepts, FaultNone excepted.
func Faults() []Fault { return fakeserver.Faults() }

// ErrNoOrder is returned by Settle and Order for an order number the sandbox does not have.
var ErrNoOrder = fakeserver.ErrNoOrder

// ErrNotAcknowledged is returned by Settle when the first delivery was not acknowledged;
// the sandbox goes on retrying on the provider's schedule.
var ErrNotAcknowledged = fakeserver.ErrNotAcknowledged

// ErrNoNotifyURL is returned by Settle for an order created without a notify URL: the order
// is moved, but no callback can be sent.
var ErrNoNotifyURL = fakeserver.ErrNoNotifyURL

// WithAddr listens on addr (default "127.0.0.1:0", a random port).
func WithAddr(addr string) Option { return fakeserver.WithAddr(addr) }

// WithMinute sets how long one provider minute of the callback retry schedule lasts (default
// one second, so a whole schedule stays short; tests set milliseconds).
func WithMinute(d time.Duration) Option { return fakeserver.WithMinute(d) }

// WithLogger logs requests and deliveries.
func WithLogger(l *slog.Logger) Option { return fakeserver.WithLogger(l) }

// WithBalance sets the starting available balance (default 100000.00).
func WithBalance(d decimal.Decimal) Option { return fakeserver.WithBalance(d) }

// WithMerchantName sets the merchant name the hosted checkout shows (default "Sandbox Merchant").
func WithMerchantName(name string) Option { return fakeserver.WithMerchantName(name) }

// WithSlowAnswer sets how long FaultSlow holds a create's answer back when the client does not
// hang up first (default two minutes).
func WithSlowAnswer(d time.Duration) Option { return fakeserver.WithSlowAnswer(d) }

// Providers returns the names the sandbox can fake.
func Providers() []string { return fakeserver.Providers() }

// UsesAPIKey reports whether provider's requests carry Config.APIKey (false for an unknown
// provider).
func UsesAPIKey(provider string) bool {
	spec, _ := fakeserver.Lookup(provider)
	return spec.APIKey
}

// New starts a fake of provider whose merchant credentials are cfg's (MerchantID, APIKey,
// Secret): requests must be signed with them, and callbacks are signed with them.
func New(provider string, cfg paygate.Config, opts ...Option) (*Server, error) {
	spec, ok := fakeserver.Lookup(provider)
	if !ok {
		return nil, fmt.Errorf("sandbox: unknown provider %q (known: %v)", provider, Providers())
	}
	return fakeserver.New(spec, cfg, opts...)
}
