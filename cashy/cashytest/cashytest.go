// Package cashytest is an in-process fake of Cashy's API (docs.cashypro.com: MerchantId and Sign headers over the raw body), for tests: it listens on 127.0.0.1,
// checks signatures, required fields and limits as the provider documents them, answers with
// the provider's envelopes, keeps orders, serves a hosted checkout at each pay-in's payment
// link, and delivers the provider's signed callbacks. It sits beside package cashy as
// net/http/httptest sits beside net/http, and it is written independently of that client (it
// never imports it), so the two check each other.
//
// Package sandbox offers every provider's fake by name and a dashboard over them.
package cashytest

import (
	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/fakeserver"
)

// Provider is the registered name of the provider this package fakes.
const Provider = "cashy"

// Server is a running fake; it is sandbox.Server.
type Server = fakeserver.Server

// Option configures a Server; the options are sandbox's (sandbox.WithAddr, sandbox.WithMinute, ...).
type Option = fakeserver.Option

// New starts a fake Cashy whose merchant credentials are cfg's: requests must be signed with
// them, and callbacks are signed with them. Point Config.BaseURL at Server.URL.
func New(cfg paygate.Config, opts ...Option) (*Server, error) {
	return fakeserver.New(spec, cfg, opts...)
}
