package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/webhook"
)

// The callback claims "pending"; the provider's query says it succeeded: fn sees the query.
func TestConfirmUsesTheQueriedState(t *testing.T) {
	gw := newFake("fake")
	completed := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	var mu sync.Mutex
	var asked []paygate.QueryRequest
	gw.query = func(_ context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
		mu.Lock()
		asked = append(asked, *req)
		mu.Unlock()
		return &paygate.Order{
			Kind: req.Kind, OrderID: req.OrderID, ProviderOrderID: req.ProviderOrderID,
			Status: paygate.StatusSucceeded, RawStatus: "SUCCESS",
			Amount:       paygate.MustParseMoney("100.00", paygate.INR),
			ActualAmount: paygate.MustParseMoney("99.50", paygate.INR),
			Fee:          paygate.MustParseMoney("1.20", paygate.INR),
			UTR:          "UTR998877", CompletedAt: completed,
		}, nil
	}
	rec := &recorder{}
	logs := &lockedBuffer{}
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithConfirm(),
		webhook.WithDeduper(webhook.NewMemoryDeduper(0, 0)), webhook.WithLogger(jsonLogger(logs))))
	h, b := gw.good("ORD-9", "pending")()

	requireAck(t, gw.ack, post(t, srv, "/", h, b))
	require.Equal(t, 1, rec.n())
	cb := rec.last()
	require.Equal(t, paygate.StatusSucceeded, cb.Status)
	require.Equal(t, "SUCCESS", cb.RawStatus)
	require.Equal(t, "UTR998877", cb.UTR)
	require.Equal(t, completed, cb.CompletedAt)
	require.True(t, cb.Amount.Equal(paygate.MustParseMoney("99.50", paygate.INR)), cb.Amount.String())
	require.True(t, cb.Fee.Equal(paygate.MustParseMoney("1.20", paygate.INR)), cb.Fee.String())
	require.Equal(t, "ORD-9", cb.OrderID)
	require.JSONEq(t, string(b), string(cb.Raw), "Raw stays the callback's body")
	require.Equal(t, []paygate.QueryRequest{{Kind: paygate.KindPayIn, OrderID: "ORD-9", ProviderOrderID: "TORD-9"}}, asked)

	// A duplicate is confirmed again (its key is the provider's answer), then acknowledged
	// without calling fn.
	requireAck(t, gw.ack, post(t, srv, "/", h, b))
	require.Equal(t, int64(2), gw.queries.Load())
	require.Equal(t, 1, rec.n())

	lines := logLines(t, logs.String())
	require.Len(t, lines, 2)
	require.Equal(t, "pending", lines[0]["status"])
	require.Equal(t, "succeeded", lines[0]["confirmed_status"])
	require.Equal(t, "payin", lines[0]["kind"])
}

// The callback claims a pay-in; the provider knows the order as a pay-out: fn, and the log
// line's kind, say pay-out (the line's kind was the claim's).
func TestConfirmLogsTheConfirmedKind(t *testing.T) {
	gw := newFake("fake")
	gw.query = func(_ context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
		if req.Kind != paygate.KindPayOut {
			return nil, &paygate.ProviderError{Provider: "fake", Op: "query", Err: paygate.ErrOrderNotFound}
		}
		return &paygate.Order{Kind: req.Kind, OrderID: req.OrderID, Status: paygate.StatusSucceeded}, nil
	}
	rec := &recorder{}
	logs := &lockedBuffer{}
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithConfirm(), webhook.WithLogger(jsonLogger(logs))))
	h, b := gw.good("ORD-12", "paid")()
	requireAck(t, gw.ack, post(t, srv, "/", h, b))
	require.Equal(t, paygate.KindPayOut, rec.last().Kind)
	lines := logLines(t, logs.String())
	require.Len(t, lines, 1)
	require.Equal(t, "payout", lines[0]["kind"])
}

// The query sets no UTR, time or amounts: the callback's are kept.
func TestConfirmKeepsWhatTheQueryLacks(t *testing.T) {
	gw := newFake("fake")
	gw.query = func(context.Context, *paygate.QueryRequest) (*paygate.Order, error) {
		return &paygate.Order{Status: paygate.StatusFailed, RawStatus: "FAILED"}, nil
	}
	rec := &recorder{}
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithConfirm()))
	f := fields("ORD-10", "paid")
	f["utr"] = "CBUTR"
	requireAck(t, gw.ack, post(t, srv, "/", nil, sign(f, gw.secret)))
	cb := rec.last()
	require.Equal(t, paygate.StatusFailed, cb.Status)
	require.Equal(t, "FAILED", cb.RawStatus)
	require.Equal(t, "CBUTR", cb.UTR)
	require.True(t, cb.Amount.Equal(paygate.MustParseMoney("100", paygate.INR)))
}

func TestConfirmFailures(t *testing.T) {
	cases := []struct {
		name  string
		query func(context.Context, *paygate.QueryRequest) (*paygate.Order, error)
	}{
		{"query error", func(context.Context, *paygate.QueryRequest) (*paygate.Order, error) {
			return nil, &paygate.CallError{Provider: "fake", Op: "query", Err: errors.New("connection reset")}
		}},
		{"no order", func(context.Context, *paygate.QueryRequest) (*paygate.Order, error) { return nil, nil }},
		{"another order", func(context.Context, *paygate.QueryRequest) (*paygate.Order, error) {
			return &paygate.Order{OrderID: "ORD-OTHER", Status: paygate.StatusSucceeded}, nil
		}},
		{"another provider order", func(context.Context, *paygate.QueryRequest) (*paygate.Order, error) {
			return &paygate.Order{ProviderOrderID: "T-OTHER", Status: paygate.StatusSucceeded}, nil
		}},
		{"another kind", func(context.Context, *paygate.QueryRequest) (*paygate.Order, error) {
			return &paygate.Order{Kind: paygate.KindPayOut, Status: paygate.StatusSucceeded}, nil
		}},
		{"unsupported", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gw := newFake("fake")
			gw.query = c.query
			rec := &recorder{}
			d := webhook.NewMemoryDeduper(0, 0)
			srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithConfirm(), webhook.WithDeduper(d)))
			h, b := gw.good("ORD-11", "paid")()

			r := post(t, srv, "/", h, b)
			require.Equal(t, http.StatusInternalServerError, r.status)
			require.Equal(t, "callback not handled\n", r.body)
			require.Zero(t, rec.n(), "fn must not be called without confirmation")

			// The claim was released: once the provider answers, the retry is handled.
			gw.query = func(_ context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
				return &paygate.Order{OrderID: req.OrderID, Status: paygate.StatusSucceeded, RawStatus: "paid"}, nil
			}
			requireAck(t, gw.ack, post(t, srv, "/", h, b))
			require.Equal(t, 1, rec.n())
		})
	}
}

// confirmingGateway is a fake whose callbacks ask to be confirmed, as CaiPay's and PayPro's do.
type confirmingGateway struct{ *fakeGateway }

func (confirmingGateway) ConfirmCallbacks() bool { return true }

// Gateways whose signatures leave keys unsigned are confirmed by default; WithoutConfirm is
// the explicit way out; an order not found under the callback's kind is found under the other.
func TestConfirmByDefault(t *testing.T) {
	gw := confirmingGateway{newFake("fake")}
	gw.query = func(_ context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
		if req.Kind == paygate.KindPayIn {
			return nil, &paygate.ProviderError{Provider: "fake", Op: "query", Err: paygate.ErrOrderNotFound}
		}
		return &paygate.Order{Kind: paygate.KindPayOut, OrderID: req.OrderID, Status: paygate.StatusSucceeded, RawStatus: "paid"}, nil
	}
	rec := &recorder{}
	srv := serve(t, webhook.Handler(gw, rec.fn))
	h, b := gw.good("ORD-C1", "paid")()
	requireAck(t, gw.ack, post(t, srv, "/", h, b))
	require.Equal(t, int64(2), gw.queries.Load(), "asked as a pay-in, then as a pay-out")
	require.Equal(t, paygate.KindPayOut, rec.last().Kind, "fn sees the kind the provider knows the order by")

	srv = serve(t, webhook.Handler(gw, rec.fn, webhook.WithoutConfirm()))
	requireAck(t, gw.ack, post(t, srv, "/", h, b))
	require.Equal(t, int64(2), gw.queries.Load(), "WithoutConfirm: no query")
	require.Equal(t, paygate.KindPayIn, rec.last().Kind)
}

// When callbacks are confirmed, the dedupe key is made from the provider's answer, not from
// the callback's claim: a signature that does not bind the callback's fields (CaiPay's values
// only) lets a forger change what the callback claims, never what the query answers.
func TestConfirmKeyIsTheAnswer(t *testing.T) {
	gw := newFake("fake")
	var mu sync.Mutex
	paid := map[string]bool{}
	gw.query = func(_ context.Context, req *paygate.QueryRequest) (*paygate.Order, error) {
		mu.Lock()
		defer mu.Unlock()
		o := &paygate.Order{Kind: req.Kind, OrderID: req.OrderID, Status: paygate.StatusPending, RawStatus: "pending"}
		if paid[req.OrderID] {
			o.Status, o.RawStatus = paygate.StatusSucceeded, "paid"
		}
		return o, nil
	}
	rec := &recorder{}
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithConfirm(), webhook.WithDeduper(webhook.NewMemoryDeduper(0, 0))))

	// A callback claiming a success the provider does not know of reaches fn as pending...
	requireAck(t, gw.ack, post(t, srv, "/", nil, sign(fields("ORD-A", "paid"), gw.secret)))
	require.Equal(t, paygate.StatusPending, rec.last().Status)
	// ...and does not stand in for the order's real success, which comes later.
	mu.Lock()
	paid["ORD-A"] = true
	mu.Unlock()
	requireAck(t, gw.ack, post(t, srv, "/", nil, sign(fields("ORD-A", "paid"), gw.secret)))
	require.Equal(t, 2, rec.n(), "the real success reaches fn")
	require.Equal(t, paygate.StatusSucceeded, rec.last().Status)

	// Callbacks that claim different things about one paid order are one success: fn runs once.
	for _, claim := range []string{"paid", "paid1", "SUCCESS3", "pending"} {
		requireAck(t, gw.ack, post(t, srv, "/", nil, sign(fields("ORD-A", claim), gw.secret)))
	}
	require.Equal(t, 2, rec.n(), "one success, one call, whatever the callbacks claimed")
}

// TestConfirmAsksTheOtherKindAtTheProvider is TestConfirmByDefault against CaiPay's and
// PayPro's fakes: a pay-out's callback at a handler that takes it for a pay-in (the pay-in
// address; CaiPay's plain Gateway, whose callbacks do not tell the kind) is confirmed as the
// pay-out it is. Neither provider documents a not-found code, so the pay-in query's refusal is
// a plain *paygate.ProviderError: it must still lead to the pay-out query, or the callback is
// answered 500 until the provider gives up.
func TestConfirmAsksTheOtherKindAtTheProvider(t *testing.T) {
	for _, provider := range []string{"caipay", "paypro"} {
		t.Run(provider, func(t *testing.T) {
			sb, gw := atSandbox(t, provider)
			rcv := paygatetest.NewReceiver(paygatetest.ForKind(gw, paygate.KindPayOut))
			t.Cleanup(rcv.Close)
			fx := paygatetest.Fixtures(gw.Capabilities().Currency)
			req := fx.PayOut()
			req.OrderID, req.NotifyURL, req.Amount = paygatetest.OrderID("OK"), rcv.URL, paygate.MustParseMoney(fx.Amount, fx.Currency)
			_, err := gw.PayOut(t.Context(), req)
			require.NoError(t, err)
			require.NoError(t, sb.Settle(req.OrderID, paygate.StatusSucceeded))
			d, ok := rcv.Delivered(rcv.Next(t))
			require.True(t, ok)

			for name, at := range map[string]paygate.Gateway{"pay-in address": paygatetest.ForKind(gw, paygate.KindPayIn), "plain": gw} {
				t.Run(name, func(t *testing.T) {
					rec := &recorder{}
					srv := serve(t, webhook.Handler(at, rec.fn))
					r := post(t, srv, "/", d.Header, d.Body)
					require.Equal(t, http.StatusOK, r.status, r.body)
					require.Equal(t, 1, rec.n())
					require.Equal(t, paygate.KindPayOut, rec.last().Kind)
					require.Equal(t, paygate.StatusSucceeded, rec.last().Status)
				})
			}
		})
	}
}
