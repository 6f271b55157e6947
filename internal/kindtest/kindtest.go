// Package kindtest checks, for a provider whose callbacks tell their kind by signed bytes
// (DeekPay's orderType, CashGit's pay-out fields, Cashy's order numbers), that its ForKind
// refuses a callback of the other kind: a signed pay-out SUCCESS taken as a pay-in would
// credit a customer with money that went out. CaiPay and PayPro sign nothing that tells the
// kind; there the address decides, and paygatetest.Run checks what every Gateway must do.
package kindtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// ForKinder is a Gateway whose callbacks can be taken as one kind (every paygate client).
type ForKinder interface {
	ForKind(paygate.Kind) paygate.Gateway
}

// Callback is a genuine callback as it arrives: its header and body.
type Callback struct {
	Header http.Header
	Body   []byte
}

// RefusesOtherKind checks that gw takes payIn and payOut at their own kind's address, as
// that kind and with status want, and refuses each at the other's as malformed, naming the
// field "kind".
func RefusesOtherKind(t *testing.T, gw ForKinder, payIn, payOut Callback, want paygate.Status) {
	t.Helper()
	for _, tc := range []struct {
		name string
		at   paygate.Kind
		cb   Callback
		own  bool
	}{
		{"pay-in at pay-in address", paygate.KindPayIn, payIn, true},
		{"pay-out at pay-out address", paygate.KindPayOut, payOut, true},
		{"pay-out at pay-in address", paygate.KindPayIn, payOut, false},
		{"pay-in at pay-out address", paygate.KindPayOut, payIn, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb, err := gw.ForKind(tc.at).ParseCallback(tc.cb.Header, tc.cb.Body)
			if !tc.own {
				require.ErrorIs(t, err, paygate.ErrMalformedCallback)
				require.Nil(t, cb)
				var ce *paygate.CallbackError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, "kind", ce.Field)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.at, cb.Kind)
			require.Equal(t, want, cb.Status)
		})
	}
}
