// Package paygatetest is the conformance suite every paygate.Gateway must pass, knowing no
// implementation (as testing/fstest.TestFS knows no file system). Run checks that:
//   - a pay-in is created, settled, called back with a verified callback, and found by a
//     query, all agreeing to the paisa on an amount binary floating point cannot hold (512.05);
//   - a pay-out likewise, its callback carrying the order's amount, not one net of a fee;
//   - a duplicate order number is refused;
//   - a callback whose order number or amount was changed is refused with
//     paygate.ErrInvalidSignature, and a pay-in's callback at the pay-out address (ForKind) is
//     never taken as a pay-in's;
//   - an amount in no currency is taken in the provider's;
//   - an operation Capabilities leaves out is paygate.ErrUnsupported;
//   - an invalid request is refused before any I/O.
//
// Each provider package runs it against its own fake; a merchant can run it against a
// provider's test host, settling orders by hand or through the host's own tools (a Settler).
package paygatetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// Settler moves an order to a final status and has the provider send its callback: a
// sandbox does so at once; against a provider's test host it is the merchant's own step.
type Settler interface {
	Settle(orderID string, st paygate.Status) error
}

// SettleFunc adapts a function to Settler.
type SettleFunc func(orderID string, st paygate.Status) error

// Settle calls f.
func (f SettleFunc) Settle(orderID string, st paygate.Status) error { return f(orderID, st) }

// Fixture is what the suite needs to know about one provider.
type Fixture struct {
	Currency paygate.Currency
	// PayIn and PayOut return valid requests for the provider; the suite fills OrderID,
	// NotifyURL and Amount.
	PayIn  func() *paygate.PayInRequest
	PayOut func() *paygate.PayOutRequest
	// Amount is a valid order amount for the provider. Fixtures' has paise that binary
	// floating point cannot hold: 512.05 × 100 is 51204.99… there, so a client that reaches
	// paise through it sends 512.04.
	Amount string
}

// Fixtures returns a Fixture with requests every provider of currency c accepts: Indian
// customers and beneficiaries for INR, Pakistani ones for PKR. Pass gw.Capabilities().Currency.
func Fixtures(c paygate.Currency) Fixture {
	f := Fixture{Currency: paygate.INR, Amount: "512.05"}
	f.PayIn = func() *paygate.PayInRequest {
		return &paygate.PayInRequest{
			Customer: paygate.Customer{Name: "Asha Rao", Email: "asha.rao@gmail.com", Phone: "9876543210",
				IP: "203.0.113.7", IDNumber: "1234567890123", IDType: "CNIC"},
			ReturnURL: "https://merchant.example/return", Remark: "order", ExpiresIn: time.Hour,
		}
	}
	f.PayOut = func() *paygate.PayOutRequest {
		return &paygate.PayOutRequest{
			Beneficiary: paygate.Beneficiary{Name: "Asha Rao", AccountNumber: "123456789012", IFSC: "SBIN0001234",
				BankName: "State Bank of India", BankCode: "SBIN", AccountType: "INR", Email: "asha.rao@gmail.com", Phone: "9876543210"},
			Remark: "payout",
		}
	}
	if c == paygate.PKR {
		f.Currency = paygate.PKR
		in, out := f.PayIn, f.PayOut
		f.PayIn = func() *paygate.PayInRequest {
			r := in()
			r.Customer.Phone = "3001234567"
			return r
		}
		f.PayOut = func() *paygate.PayOutRequest {
			r := out()
			r.Beneficiary = paygate.Beneficiary{Name: "Ali Khan", AccountNumber: "03001234567", BankCode: "1",
				AccountType: "EASYPAISA", Phone: "3001234567"}
			return r
		}
	}
	return f
}

// Receiver is a loopback HTTP server that takes a gateway's callbacks, verifies them with
// ParseCallback and answers with their Ack.
type Receiver struct {
	URL       string
	Callbacks chan *paygate.Callback
	Rejected  atomic.Int64
	srv       *httptest.Server

	mu        sync.Mutex
	delivered map[*paygate.Callback]Delivery
}

// Delivery is a callback request as it arrived.
type Delivery struct {
	Header http.Header
	Body   []byte
}

// NewReceiver starts a Receiver for gw; Close stops it.
func NewReceiver(gw paygate.Gateway) *Receiver {
	r := &Receiver{Callbacks: make(chan *paygate.Callback, 16), delivered: map[*paygate.Callback]Delivery{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
		if err != nil {
			http.Error(w, "unreadable", http.StatusBadRequest)
			return
		}
		cb, err := gw.ParseCallback(req.Header, body)
		if err != nil {
			r.Rejected.Add(1)
			code := http.StatusBadRequest
			if errors.Is(err, paygate.ErrInvalidSignature) {
				code = http.StatusUnauthorized
			}
			http.Error(w, "rejected", code)
			return
		}
		r.mu.Lock()
		r.delivered[cb] = Delivery{Header: req.Header.Clone(), Body: body}
		r.mu.Unlock()
		r.Callbacks <- cb
		cb.Ack.Write(w)
	}))
	r.URL = r.srv.URL + "/callback"
	return r
}

// Close stops the receiver.
func (r *Receiver) Close() { r.srv.Close() }

// Delivered returns the request that carried cb, a callback from Next or Callbacks: to replay
// it, or a tampered copy, through ParseCallback.
func (r *Receiver) Delivered(cb *paygate.Callback) (Delivery, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.delivered[cb]
	return d, ok
}

// Next waits for the next callback.
func (r *Receiver) Next(t testing.TB) *paygate.Callback {
	t.Helper()
	select {
	case cb := <-r.Callbacks:
		return cb
	case <-time.After(10 * time.Second):
		t.Fatal("no callback arrived within 10s")
		return nil
	}
}

var seq atomic.Int64

// OrderID returns a fresh order number valid for every provider (6–32 characters).
func OrderID(prefix string) string {
	return fmt.Sprintf("%s%d%04d", prefix, time.Now().UnixMilli()%1e10, seq.Add(1)%10000)
}

// ForKind returns gw as a Gateway whose callbacks are all of kind, when gw offers ForKind
// (every paygate provider does), and gw itself otherwise. A merchant gives the provider one
// callback address per kind; the suite does the same.
func ForKind(gw paygate.Gateway, kind paygate.Kind) paygate.Gateway {
	if k, ok := gw.(interface {
		ForKind(paygate.Kind) paygate.Gateway
	}); ok {
		return k.ForKind(kind)
	}
	return gw
}

// Run runs the conformance suite for gw; s settles its orders.
func Run(t *testing.T, gw paygate.Gateway, s Settler) {
	t.Helper()
	caps := gw.Capabilities()
	fx := Fixtures(caps.Currency)
	rcv := NewReceiver(ForKind(gw, paygate.KindPayIn))
	t.Cleanup(rcv.Close)
	rcvOut := NewReceiver(ForKind(gw, paygate.KindPayOut))
	t.Cleanup(rcvOut.Close)
	sb := s
	amount := paygate.MustParseMoney(fx.Amount, fx.Currency)
	ctx := t.Context()

	t.Run("payin", func(t *testing.T) {
		require.True(t, caps.PayIn, "every provider collects")
		req := fx.PayIn()
		req.OrderID, req.NotifyURL, req.Amount = OrderID("IN"), rcv.URL, amount
		res, err := gw.PayIn(ctx, req)
		require.NoError(t, err)
		require.Equal(t, req.OrderID, res.OrderID)
		require.Equal(t, gw.Name(), res.Provider, "the result names its provider")
		require.NotEmpty(t, res.ProviderOrderID)
		require.True(t, amount.Decimal().Equal(res.Amount.Decimal()), "pay-in amount %s", res.Amount)
		require.Equal(t, caps.Currency, res.Amount.Currency())
		require.False(t, res.Status.Final(), "a new pay-in is not final: %s", res.Status)
		require.NotEmpty(t, res.Raw)

		_, err = gw.PayIn(ctx, req)
		require.Error(t, err, "a duplicate order number is refused")
		var pe *paygate.ProviderError
		require.ErrorAs(t, err, &pe)

		cb := settled(t, sb, rcv, paygate.KindPayIn, req.OrderID, paygate.StatusSucceeded)
		require.True(t, amount.Decimal().Equal(cb.Amount.Decimal()), "callback amount %s", cb.Amount)
		require.NotZero(t, cb.Ack.StatusCode)
		t.Run("tampered callback", func(t *testing.T) { tampered(t, ForKind(gw, paygate.KindPayIn), rcv, cb, fx.Amount) })
		t.Run("callback at the pay-out address", func(t *testing.T) { otherAddress(t, gw, rcv, cb) })

		if caps.QueryPayIn {
			o, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: req.OrderID, ProviderOrderID: res.ProviderOrderID})
			require.NoError(t, err)
			require.Equal(t, gw.Name(), o.Provider)
			require.Equal(t, paygate.StatusSucceeded, o.Status)
			require.True(t, amount.Decimal().Equal(o.Amount.Decimal()), "query amount %s", o.Amount)
		}
	})

	t.Run("payout", func(t *testing.T) {
		req := fx.PayOut()
		req.OrderID, req.NotifyURL, req.Amount = OrderID("OUT"), rcvOut.URL, amount
		res, err := gw.PayOut(ctx, req)
		if !caps.PayOut {
			require.ErrorIs(t, err, paygate.ErrUnsupported)
			return
		}
		require.NoError(t, err)
		require.Equal(t, req.OrderID, res.OrderID)
		require.Equal(t, gw.Name(), res.Provider)
		require.False(t, res.Status.Final(), "a new pay-out is not final: %s", res.Status)

		cb := settled(t, sb, rcvOut, paygate.KindPayOut, req.OrderID, paygate.StatusSucceeded)
		require.True(t, amount.Decimal().Equal(cb.Amount.Decimal()), "a pay-out callback's amount is the order's, not net of a fee: %s", cb.Amount)

		if caps.QueryPayOut {
			o, err := gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayOut, OrderID: req.OrderID, ProviderOrderID: res.ProviderOrderID})
			require.NoError(t, err)
			require.Equal(t, paygate.StatusSucceeded, o.Status)
			require.True(t, amount.Decimal().Equal(o.Amount.Decimal()))
		}
	})

	t.Run("payin failed", func(t *testing.T) {
		req := fx.PayIn()
		req.OrderID, req.NotifyURL, req.Amount = OrderID("INF"), rcv.URL, amount
		_, err := gw.PayIn(ctx, req)
		require.NoError(t, err)
		settled(t, sb, rcv, paygate.KindPayIn, req.OrderID, paygate.StatusFailed)
	})

	t.Run("amount in no currency", func(t *testing.T) {
		// A Money in no currency is an amount the provider takes in its own currency
		// (paygate.Currency.Check): the create is made, and says so.
		req := fx.PayIn()
		req.OrderID, req.NotifyURL, req.Amount = OrderID("NC"), rcv.URL, paygate.MustParseMoney(fx.Amount, "")
		res, err := gw.PayIn(ctx, req)
		require.NoError(t, err)
		require.Equal(t, paygate.MustParseMoney(fx.Amount, caps.Currency).String(), res.Amount.String())
	})

	t.Run("balance", func(t *testing.T) {
		b, err := gw.Balance(ctx)
		if !caps.Balance {
			require.ErrorIs(t, err, paygate.ErrUnsupported)
			return
		}
		require.NoError(t, err)
		require.False(t, b.Available.Decimal().IsNegative())
	})

	t.Run("invalid request", func(t *testing.T) {
		req := fx.PayIn()
		req.OrderID, req.NotifyURL, req.Amount = OrderID("BAD"), rcv.URL, paygate.MustParseMoney("-1", fx.Currency)
		_, err := gw.PayIn(ctx, req)
		require.ErrorIs(t, err, paygate.ErrInvalidRequest)
		var ve *paygate.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "Amount", ve.Field)

		// Text that is not UTF-8 (Latin-1 from an old form) is refused before it is signed
		// and sent: JSON would carry U+FFFD in its place, another text than the one signed.
		req = fx.PayIn()
		req.OrderID, req.NotifyURL, req.Amount = OrderID("BAD"), rcv.URL, paygate.MustParseMoney(fx.Amount, fx.Currency)
		req.Customer.Name, req.Remark = "Jos\xe9 Kumar", "caf\xe9"
		_, err = gw.PayIn(ctx, req)
		require.ErrorAs(t, err, &ve, "a value that is not UTF-8 is refused here, not by the provider")
		require.Contains(t, ve.Reason, "UTF-8")
	})
}

// settled has s settle orderID with st and returns the callback rcv receives, checked: of
// kind, for orderID, saying st.
func settled(t *testing.T, s Settler, rcv *Receiver, kind paygate.Kind, orderID string, st paygate.Status) *paygate.Callback {
	t.Helper()
	require.NoError(t, s.Settle(orderID, st))
	cb := rcv.Next(t)
	require.Equal(t, kind, cb.Kind)
	require.Equal(t, orderID, cb.OrderID)
	require.Equal(t, st, cb.Status)
	return cb
}

// tampered checks that gw, which accepted cb as rcv received it, refuses it with
// paygate.ErrInvalidSignature once its order number, or its amount where the body writes it
// as amount does, is changed: the signature must cover both.
func tampered(t *testing.T, gw paygate.Gateway, rcv *Receiver, cb *paygate.Callback, amount string) {
	d, ok := rcv.Delivered(cb)
	require.True(t, ok, "the receiver kept the callback's request")
	_, err := gw.ParseCallback(d.Header, d.Body)
	require.NoError(t, err, "the genuine callback verifies again")

	id := []byte(cb.OrderID)
	require.True(t, bytes.Contains(d.Body, id), "the callback body carries the order number %s", cb.OrderID)
	other := bytes.Clone(id)
	other[len(other)-1] ^= 1 // a digit stays a digit, a letter a letter
	_, err = gw.ParseCallback(d.Header, bytes.ReplaceAll(d.Body, id, other))
	require.ErrorIs(t, err, paygate.ErrInvalidSignature, "a callback for another order number")

	if bytes.Contains(d.Body, []byte(amount)) {
		_, err = gw.ParseCallback(d.Header, bytes.ReplaceAll(d.Body, []byte(amount), []byte("9"+amount)))
		require.ErrorIs(t, err, paygate.ErrInvalidSignature, "a callback for another amount")
	} else {
		t.Logf("the callback body does not write the amount as %s: only its order number was tampered with", amount)
	}
}

// otherAddress checks that the pay-in callback cb, as rcv received it, arriving at the pay-out
// callback address (ForKind(gw, KindPayOut)) is never taken as a pay-in: it is refused as
// malformed where the provider signs the kind, or taken as a pay-out where the address
// decides. A Gateway without ForKind is not checked.
func otherAddress(t *testing.T, gw paygate.Gateway, rcv *Receiver, cb *paygate.Callback) {
	k, ok := gw.(interface {
		ForKind(paygate.Kind) paygate.Gateway
	})
	if !ok {
		t.Skip("the Gateway offers no ForKind")
	}
	out := k.ForKind(paygate.KindPayOut)
	d, ok := rcv.Delivered(cb)
	require.True(t, ok, "the receiver kept the callback's request")
	got, err := out.ParseCallback(d.Header, d.Body)
	if err != nil {
		require.ErrorIs(t, err, paygate.ErrMalformedCallback)
		return
	}
	require.Equal(t, paygate.KindPayOut, got.Kind, "a callback at the pay-out address is a pay-out's, or refused")
}
