package kindtest_test

import (
	"net/http"
	"testing"

	"go.uber.org/goleak"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/engine"
	"github.com/paygate-go/paygate/internal/kindtest"
	"github.com/paygate-go/paygate/internal/suitetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// bodyKind is a Gateway whose callback body is its kind ("payin" or "payout"), as if signed.
type bodyKind struct{ paygate.Gateway }

func (bodyKind) Name() string { return "bodykind" }

func (bodyKind) ParseCallback(_ http.Header, body []byte) (*paygate.Callback, error) {
	return &paygate.Callback{Kind: paygate.Kind(body), Status: paygate.StatusSucceeded}, nil
}

// forKind is bodyKind with engine.ForKind, signed as the providers that sign the kind, or not.
type forKind struct {
	bodyKind
	signed bool
}

func (g forKind) ForKind(k paygate.Kind) paygate.Gateway {
	return engine.ForKind(g.bodyKind, k, g.signed)
}

var (
	payIn  = kindtest.Callback{Body: []byte(paygate.KindPayIn)}
	payOut = kindtest.Callback{Body: []byte(paygate.KindPayOut)}
)

func TestRefusesOtherKind(t *testing.T) {
	kindtest.RefusesOtherKind(t, forKind{signed: true}, payIn, payOut, paygate.StatusSucceeded)
}

// TestBrokenForKind runs the check against a ForKind that relabels a signed kind, in the child
// process TestRefusesOtherKindFailsRelabelling starts.
func TestBrokenForKind(t *testing.T) {
	if suitetest.Broken() != "relabels" {
		return
	}
	kindtest.RefusesOtherKind(t, forKind{signed: false}, payIn, payOut, paygate.StatusSucceeded)
}

// TestRefusesOtherKindFailsRelabelling: the check fails a ForKind that takes a callback of the
// other kind as its address's kind, in both directions.
func TestRefusesOtherKindFailsRelabelling(t *testing.T) {
	suitetest.Check(t, "TestBrokenForKind", map[string][]string{
		"relabels": {"pay-out_at_pay-in_address", "pay-in_at_pay-out_address"},
	})
}
