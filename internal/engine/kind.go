package engine

import (
	"fmt"
	"net/http"

	"github.com/paygate-go/paygate"
)

// ForKind returns gw as a Gateway whose callbacks are all of kind: for a callback address
// that only orders of that kind name (a provider can be given one notify URL per kind).
// Where the provider signs something that tells the kind (signed is true), a callback of the
// other kind arriving there is refused as malformed; where it does not, the address decides.
func ForKind(gw paygate.Gateway, kind paygate.Kind, signed bool) paygate.Gateway {
	g := &kindGateway{Gateway: gw, kind: kind, signed: signed}
	if kind != paygate.KindPayIn && kind != paygate.KindPayOut {
		g.err = fmt.Errorf("paygate: %s callback: ForKind: kind must be %q or %q, got %q", gw.Name(), paygate.KindPayIn, paygate.KindPayOut, kind)
	}
	return g
}

type kindGateway struct {
	paygate.Gateway
	kind   paygate.Kind
	signed bool
	err    error // a ForKind with no valid kind refuses every callback
}

// ParseCallback verifies and normalizes a callback of g's kind.
func (g *kindGateway) ParseCallback(header http.Header, body []byte) (*paygate.Callback, error) {
	if g.err != nil {
		return nil, g.err
	}
	cb, err := g.Gateway.ParseCallback(header, body)
	if err != nil {
		return nil, err
	}
	if cb.Kind != g.kind {
		if g.signed {
			return nil, &paygate.CallbackError{Provider: g.Name(), Field: "kind",
				Err: fmt.Errorf("a %s callback at the address of %s callbacks", cb.Kind, g.kind)}
		}
		cb.Kind = g.kind
	}
	return cb, nil
}

// ConfirmCallbacks forwards the wrapped gateway's answer (webhook.Handler asks).
func (g *kindGateway) ConfirmCallbacks() bool {
	c, ok := g.Gateway.(interface{ ConfirmCallbacks() bool })
	return ok && c.ConfirmCallbacks()
}

// MerchantID forwards the wrapped gateway's merchant account (webhook.GatewayKey asks), or "".
func (g *kindGateway) MerchantID() string {
	if m, ok := g.Gateway.(interface{ MerchantID() string }); ok {
		return m.MerchantID()
	}
	return ""
}

// CloseIdleConnections forwards to the wrapped gateway.
func (g *kindGateway) CloseIdleConnections() {
	if c, ok := g.Gateway.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Unwrap returns the wrapped gateway, for its provider-specific methods.
func (g *kindGateway) Unwrap() paygate.Gateway { return g.Gateway }
