package paygatetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/suitetest"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/signing"
)

// Gateways that each break one promise of paygate.Gateway, over a CashGit client talking to
// its fake. CashGit tells a pay-out callback from a pay-in one by its signed fields, so the
// wrappers need no ForKind of their own (one that has one is the suite's to check).
type (
	// unsignedCallbacks accepts a callback whatever its signature, as a hand-written handler
	// that forgot the check does: it signs the body afresh before parsing it.
	unsignedCallbacks struct {
		paygate.Gateway
		secret string
	}
	// roundsAmounts converts amounts through float64 to paise and truncates, the classic
	// float rounding bug: 512.05 becomes 512.04.
	roundsAmounts struct{ paygate.Gateway }
	// netPayOutCallbacks reports a pay-out callback's amount net of a fee.
	netPayOutCallbacks struct{ paygate.Gateway }
	// acceptsDuplicates answers a second create of the same order number with the first
	// order, as if the provider had made it.
	acceptsDuplicates struct {
		paygate.Gateway
		made map[string]*paygate.PayInResult
	}
	// everyCallbackPayIn reports every callback as a pay-in's.
	everyCallbackPayIn struct{ paygate.Gateway }
	// everyCallbackSucceeded reports every callback as a success.
	everyCallbackSucceeded struct{ paygate.Gateway }
	// validatesRemotely leaves the checks to the provider: an invalid request comes back as
	// the provider's refusal, after a round trip, instead of a ValidationError naming the field.
	validatesRemotely struct{ paygate.Gateway }
	// vagueUnsupported says it offers no balance, and fails Balance with an error of its own
	// instead of paygate.ErrUnsupported.
	vagueUnsupported struct{ paygate.Gateway }
	// staleQuery answers every query with the order as it was created: pending.
	staleQuery struct{ paygate.Gateway }
	// anonymousResults leaves Provider out of what a create returns.
	anonymousResults struct{ paygate.Gateway }
	// strictCurrency refuses an amount in no currency instead of taking it as its own.
	strictCurrency struct{ paygate.Gateway }
	// ignoresAddress offers ForKind but takes each callback as the kind it claims, whatever
	// address it arrived at.
	ignoresAddress struct{ paygate.Gateway }
)

func (g strictCurrency) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	if req.Amount.Currency() == "" {
		return nil, paygate.Invalid("Amount", "has no currency")
	}
	return g.Gateway.PayIn(ctx, req)
}

func (g ignoresAddress) ForKind(paygate.Kind) paygate.Gateway { return g }

func (g unsignedCallbacks) ParseCallback(h http.Header, body []byte) (*paygate.Callback, error) {
	fields, err := signing.Fields(body)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	m["sign"] = signing.KeyParamMD5(fields, g.secret)
	if body, err = json.Marshal(m); err != nil {
		return nil, err
	}
	return g.Gateway.ParseCallback(h, body)
}

// truncate is what a client converting m through float64 to whole paise keeps of it. This is
// paygate's one float64 near money, on purpose: it is the bug the suite must catch.
func truncate(m paygate.Money) paygate.Money {
	f, _ := m.Decimal().Float64()
	return paygate.NewMoney(decimal.New(int64(f*100), -2), m.Currency())
}

func (g roundsAmounts) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	r := *req
	r.Amount = truncate(req.Amount)
	return g.Gateway.PayIn(ctx, &r)
}

func (g roundsAmounts) PayOut(ctx context.Context, req *paygate.PayOutRequest) (*paygate.PayOutResult, error) {
	r := *req
	r.Amount = truncate(req.Amount)
	return g.Gateway.PayOut(ctx, &r)
}

func (g netPayOutCallbacks) ParseCallback(h http.Header, body []byte) (*paygate.Callback, error) {
	cb, err := g.Gateway.ParseCallback(h, body)
	if err == nil && cb.Kind == paygate.KindPayOut {
		cb.Amount = paygate.NewMoney(cb.Amount.Decimal().Sub(decimal.New(10, 0)), cb.Amount.Currency())
	}
	return cb, err
}

func (g *acceptsDuplicates) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	if res, ok := g.made[req.OrderID]; ok {
		return res, nil
	}
	res, err := g.Gateway.PayIn(ctx, req)
	if err == nil {
		g.made[req.OrderID] = res
	}
	return res, err
}

func (g everyCallbackPayIn) ParseCallback(h http.Header, body []byte) (*paygate.Callback, error) {
	cb, err := g.Gateway.ParseCallback(h, body)
	if err == nil {
		cb.Kind = paygate.KindPayIn
	}
	return cb, err
}

func (g everyCallbackSucceeded) ParseCallback(h http.Header, body []byte) (*paygate.Callback, error) {
	cb, err := g.Gateway.ParseCallback(h, body)
	if err == nil {
		cb.Status = paygate.StatusSucceeded
	}
	return cb, err
}

func (g validatesRemotely) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	res, err := g.Gateway.PayIn(ctx, req)
	if ve := (*paygate.ValidationError)(nil); errors.As(err, &ve) {
		return nil, &paygate.ProviderError{Provider: g.Name(), Code: "400", Message: "bad request"}
	}
	return res, err
}

func (g vagueUnsupported) Capabilities() paygate.Capabilities {
	c := g.Gateway.Capabilities()
	c.Balance = false
	return c
}

func (vagueUnsupported) Balance(context.Context) (*paygate.Balance, error) {
	return nil, errors.New("balance: not offered")
}

func (g staleQuery) Query(ctx context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
	o, err := g.Gateway.Query(ctx, req)
	if err == nil {
		o.Status = paygate.StatusPending
	}
	return o, err
}

func (g anonymousResults) PayIn(ctx context.Context, req *paygate.PayInRequest) (*paygate.PayInResult, error) {
	res, err := g.Gateway.PayIn(ctx, req)
	if err == nil {
		res.Provider = ""
	}
	return res, err
}

// brokenGateways wrap a working Gateway whose secret is secret.
var brokenGateways = map[string]func(gw paygate.Gateway, secret string) paygate.Gateway{
	"unsigned-callbacks":   func(gw paygate.Gateway, s string) paygate.Gateway { return unsignedCallbacks{gw, s} },
	"rounds-amounts":       func(gw paygate.Gateway, _ string) paygate.Gateway { return roundsAmounts{gw} },
	"net-payout-callbacks": func(gw paygate.Gateway, _ string) paygate.Gateway { return netPayOutCallbacks{gw} },
	"accepts-duplicates": func(gw paygate.Gateway, _ string) paygate.Gateway {
		return &acceptsDuplicates{gw, map[string]*paygate.PayInResult{}}
	},
	"every-callback-payin":     func(gw paygate.Gateway, _ string) paygate.Gateway { return everyCallbackPayIn{gw} },
	"every-callback-succeeded": func(gw paygate.Gateway, _ string) paygate.Gateway { return everyCallbackSucceeded{gw} },
	"validates-remotely":       func(gw paygate.Gateway, _ string) paygate.Gateway { return validatesRemotely{gw} },
	"vague-unsupported":        func(gw paygate.Gateway, _ string) paygate.Gateway { return vagueUnsupported{gw} },
	"stale-query":              func(gw paygate.Gateway, _ string) paygate.Gateway { return staleQuery{gw} },
	"anonymous-results":        func(gw paygate.Gateway, _ string) paygate.Gateway { return anonymousResults{gw} },
	"ignores-address":          func(gw paygate.Gateway, _ string) paygate.Gateway { return ignoresAddress{gw} },
	"strict-currency":          func(gw paygate.Gateway, _ string) paygate.Gateway { return strictCurrency{gw} },
}

// TestBrokenGateway runs the suite against the broken Gateway suitetest.Broken names, in the
// child process TestRunFailsBrokenGateways starts.
func TestBrokenGateway(t *testing.T) {
	wrap, ok := brokenGateways[suitetest.Broken()]
	if !ok {
		return // run by TestRunFailsBrokenGateways
	}
	cfg := paygate.Config{Provider: "cashgit", MerchantID: "M10001", Secret: "test-secret-cashgit"}
	sb, err := sandbox.New(cfg.Provider, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	gw, err := paygate.New(sb.Config())
	if err != nil {
		t.Fatal(err)
	}
	paygatetest.Run(t, wrap(gw, cfg.Secret), sb)
}

// TestRunFailsBrokenGateways: the suite fails each broken Gateway, in the subtests that guard
// the promise it breaks.
func TestRunFailsBrokenGateways(t *testing.T) {
	suitetest.Check(t, "TestBrokenGateway", map[string][]string{
		"unsigned-callbacks":       {"payin/tampered_callback"},
		"rounds-amounts":           {"payin", "payout"},
		"net-payout-callbacks":     {"payout"},
		"accepts-duplicates":       {"payin"},
		"every-callback-payin":     {"payout"},
		"every-callback-succeeded": {"payin_failed"},
		"validates-remotely":       {"invalid_request"},
		"vague-unsupported":        {"balance"},
		"stale-query":              {"payin", "payout"},
		"anonymous-results":        {"payin"},
		"ignores-address":          {"payin/callback_at_the_pay-out_address"},
		"strict-currency":          {"amount_in_no_currency"},
	})
}
