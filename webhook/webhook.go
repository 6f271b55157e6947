package webhook

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/internal/option"
)

// DefaultMaxBodyBytes bounds a callback body when WithMaxBodyBytes is not given: 64 KiB, far
// more than any provider's callback.
const DefaultMaxBodyBytes int64 = 64 << 10

// Outcomes, as logged in the "outcome" attribute of the one line each request produces.
const (
	OutcomeHandled          = "handled"            // fn returned nil; the provider's Ack was sent
	OutcomeDuplicate        = "duplicate"          // already handled; the Ack was sent again, fn not called
	OutcomeMethodNotAllowed = "method_not_allowed" // 405
	OutcomeTooLarge         = "too_large"          // 413
	OutcomeReadFailed       = "read_failed"        // 400: the body could not be read
	OutcomeInvalidSignature = "invalid_signature"  // 401
	OutcomeMalformed        = "malformed"          // 400: ParseCallback failed for another reason
	OutcomeDedupeFailed     = "dedupe_failed"      // 500: the Deduper's Claim failed (or its ctx ended)
	OutcomeConfirmFailed    = "confirm_failed"     // 500: WithConfirm's Query failed or disagreed on identity
	OutcomeHandlerError     = "handler_error"      // 500: fn returned an error
	OutcomeHandlerPanic     = "handler_panic"      // 500: fn panicked (recovered, logged)
	OutcomeClaimLost        = "claim_lost"         // 500: the Deduper's claim was lost while fn ran (see Holder)
	OutcomeInternalError    = "internal_error"     // 500: the Gateway returned neither a callback nor an error
)

// Option configures Handler and NewMux.
type Option func(*options)

type options struct {
	maxBody  int64
	deduper  Deduper
	confirm  int // 0: as the gateway asks (ConfirmCallbacks), 1: always, -1: never
	logger   *slog.Logger
	final    func(ctx context.Context, provider string, cb *paygate.Callback)
	observer paygate.Observer
}

// WithMaxBodyBytes bounds the callback body (default DefaultMaxBodyBytes). A body over the
// limit is answered 413 and never parsed. n <= 0 keeps the default.
func WithMaxBodyBytes(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxBody = n
		}
	}
}

// WithDeduper makes the handler remember callbacks already handled (by [GatewayKey], so one
// Deduper may serve several providers and merchant accounts), so that a provider's repeated
// delivery is acknowledged without calling fn again, and concurrent duplicates call fn once
// ([RunOnce]). See [Deduper] for the contract and [NewMemoryDeduper] for a ready one. A nil d
// turns deduplication off.
func WithDeduper(d Deduper) Option { return func(o *options) { o.deduper = option.Interface(d) } }

// WithConfirm makes the handler ask the provider where the order stands (Gateway.Query)
// before calling fn, and hand fn a copy of the callback whose Status and RawStatus — and UTR,
// CompletedAt, Amount (by paygate.Order.CallbackAmount) and Fee where the query sets them —
// are the provider's answer. A callback is a hint; the query is the truth.
//
// Use it for providers whose callback signing is the least documented or the weakest (a
// shared MD5 secret over a subset of fields), for high-value flows where a forged or
// replayed "succeeded" would ship goods, and when callbacks may arrive before the provider's
// own order state settles. It costs one provider call per delivery, duplicates included: the
// query runs before the Deduper's Claim on purpose, so that a confirmed callback is keyed on
// the provider's answer, not on what the callback claims. A query that fails, or answers for
// another order, is 500 so the provider retries, and fn is not called.
//
// fn may see a status other than the callback's: a "succeeded" callback whose query still
// says "processing". fn decides what that means; returning an error has the provider deliver
// the callback again later. cb.Raw remains the callback's own body. When the provider does not
// find the order under the callback's kind (ErrOrderNotFound, or any refusal of a provider
// that documents no not-found code), the other kind is asked, and fn sees the kind found.
//
// Confirmation is on by default for gateways that ask for it: CaiPay and PayPro, whose
// callback signatures leave keys or member boundaries unsigned (their ConfirmCallbacks method
// says true). WithoutConfirm turns it off for them.
func WithConfirm() Option { return func(o *options) { o.confirm = 1 } }

// WithoutConfirm turns off the query that WithConfirm describes, also for the gateways that
// ask for it by default (CaiPay, PayPro). Use it only where the callback address already
// tells the kind (the gateway's ForKind) and a forged re-split of a genuinely signed body is
// not a risk you carry: fn then trusts the callback alone.
func WithoutConfirm() Option { return func(o *options) { o.confirm = -1 } }

// WithLogger logs one structured line per request through l (default: discard). See the
// package documentation for the attributes; the secret, the body and signature values are
// never logged.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithFinal has the handler call f after fn returned nil for a callback whose status is final
// (the callback fn saw, WithConfirm's answer included), with the provider's name. A status
// tracker's Final method fits (tracker.Tracker.Final), so a verified final callback stops the
// polling of its order. f runs before the Ack is written: it should be quick and must not fail
// the callback, which is already handled.
func WithFinal(f func(ctx context.Context, provider string, cb *paygate.Callback)) Option {
	return func(o *options) { o.final = f }
}

// WithObserver reports each callback the handler answers to ob (Observer.Callback: provider,
// kind, status, outcome, HTTP status and duration; never the order or its amount), for
// example an otelpaygate Observer. A nil ob reports nothing.
func WithObserver(ob paygate.Observer) Option {
	return func(o *options) { o.observer = option.Interface(ob) }
}

func resolve(opts []Option) options {
	o := options{maxBody: DefaultMaxBodyBytes}
	option.Apply(&o, opts)
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Handler verifies, parses and acknowledges one gateway's callbacks inside any net/http
// server. fn is called with the request's context and a verified callback; it should store
// the callback (idempotently: without a Deduper a provider's retry calls it again) and return
// nil, or return an error to have the provider deliver it again. See the package
// documentation for the order of operations and the status codes. It panics if gw or fn is
// nil.
func Handler(gw paygate.Gateway, fn func(ctx context.Context, cb *paygate.Callback) error, opts ...Option) http.Handler {
	if gw == nil {
		panic("webhook: Handler with nil Gateway")
	}
	if fn == nil {
		panic("webhook: Handler with nil func")
	}
	o := resolve(opts)
	h := &handler{gw: gw, name: gw.Name(), fn: fn, opts: o, confirm: o.confirm > 0}
	if c, ok := gw.(interface{ ConfirmCallbacks() bool }); ok && o.confirm == 0 {
		h.confirm = c.ConfirmCallbacks()
	}
	return h
}

type handler struct {
	gw      paygate.Gateway
	name    string
	fn      func(ctx context.Context, cb *paygate.Callback) error
	opts    options
	confirm bool
}

// answer is what the handler decided: an error text or the provider's Ack.
type answer struct {
	code    int
	text    string // error answers: short plain text
	ack     *paygate.Ack
	outcome string
	reason  string            // logged only
	err     error             // logged only
	dupErr  error             // logged only: Done or Release failed
	cb      *paygate.Callback // as the callback claimed it
	target  *paygate.Callback // as fn was given it: confirmed by query, when the handler confirms
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var start time.Time
	if h.opts.observer != nil {
		start = time.Now()
	}
	finished := false
	var a answer
	defer func() {
		if !finished { // fn (or the gateway) panicked: say so once; net/http handles the panic
			a.outcome, a.code = OutcomeHandlerPanic, 0
			h.log(ctx, &a)
			h.observe(ctx, &a, start)
		}
	}()
	h.serve(w, r, &a)
	finished = true
	// Log before answering, so that the line exists once the provider has its answer.
	h.log(ctx, &a)
	h.observe(ctx, &a, start)
	if a.ack != nil {
		a.ack.Write(w)
		return
	}
	if a.code == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	http.Error(w, a.text, a.code)
}

func (a *answer) fail(code int, outcome, text string) {
	a.code, a.outcome, a.text = code, outcome, text
}

func (a *answer) acknowledge(cb *paygate.Callback, outcome string) {
	a.ack = &cb.Ack
	a.code = cb.Ack.StatusCode
	if a.code == 0 {
		a.code = http.StatusOK
	}
	a.outcome = outcome
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request, a *answer) {
	if r.Method != http.MethodPost {
		a.fail(http.StatusMethodNotAllowed, OutcomeMethodNotAllowed, "method not allowed")
		return
	}
	limit := h.opts.maxBody
	if r.ContentLength > limit {
		a.fail(http.StatusRequestEntityTooLarge, OutcomeTooLarge, "request body too large")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			a.fail(http.StatusRequestEntityTooLarge, OutcomeTooLarge, "request body too large")
			return
		}
		a.fail(http.StatusBadRequest, OutcomeReadFailed, "unreadable body")
		a.err = err
		return
	}

	cb, err := h.gw.ParseCallback(r.Header, body)
	if err != nil {
		if errors.Is(err, paygate.ErrInvalidSignature) {
			a.fail(http.StatusUnauthorized, OutcomeInvalidSignature, "invalid signature")
			if se, ok := errors.AsType[*paygate.SignatureError](err); ok {
				a.reason = se.Reason
			}
			return
		}
		a.fail(http.StatusBadRequest, OutcomeMalformed, "malformed callback")
		return
	}
	if cb == nil {
		a.fail(http.StatusInternalServerError, OutcomeInternalError, "callback not handled")
		a.err = errors.New("gateway returned no callback and no error")
		return
	}
	a.cb = cb

	ctx := r.Context()
	// Confirmation comes before the dedupe key: where the signature does not bind the fields
	// (CaiPay's values only), a forger can change what a callback claims but not what the
	// provider answers, so the key is made of the answer.
	target := cb
	if h.confirm {
		target, err = h.confirmed(ctx, cb)
		if err != nil {
			a.fail(http.StatusInternalServerError, OutcomeConfirmFailed, "callback not handled")
			a.err = err
			return
		}
	}
	a.target = target

	var key string
	if d := h.opts.deduper; d != nil {
		key = GatewayKey(h.gw, target)
	}
	run := func(ctx context.Context) error { return h.call(ctx, target) }
	if key == "" {
		err = run(ctx)
	} else {
		// Done (or Release) runs before the Ack is written: the mark exists before the
		// provider sees it.
		var ran bool
		ran, a.dupErr, err = RunOnce(ctx, h.opts.deduper, key, run)
		switch {
		case !ran && err != nil:
			a.fail(http.StatusInternalServerError, OutcomeDedupeFailed, "callback not handled")
			a.err = err
			return
		case !ran:
			a.acknowledge(cb, OutcomeDuplicate)
			return
		case errors.Is(err, ErrClaimLost):
			// fn stopped when the claim was lost; another replica may hold the key now:
			// not handled here, the provider retries. (When fn returned nil it did the
			// work, lost claim or not, and the callback was marked handled: the next
			// delivery would run fn again otherwise.)
			a.fail(http.StatusInternalServerError, OutcomeClaimLost, "callback not handled")
			a.err = err
			return
		}
	}
	if err != nil {
		if errors.Is(err, errPanic) {
			a.fail(http.StatusInternalServerError, OutcomeHandlerPanic, "callback not handled")
		} else {
			a.fail(http.StatusInternalServerError, OutcomeHandlerError, "callback not handled")
		}
		a.err = err
		return
	}
	a.acknowledge(cb, OutcomeHandled)
	if h.opts.final != nil && target.Status.Final() {
		h.opts.final(ctx, h.name, target)
	}
}

// errPanic marks fn's panic, recovered by call.
var errPanic = errors.New("the callback function panicked")

// call runs fn, turning a panic into an error: the provider is answered 500 and retries, the
// panic is logged at Error, and nothing is marked handled.
func (h *handler) call(ctx context.Context, cb *paygate.Callback) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", errPanic, p)
		}
	}()
	return h.fn(ctx, cb)
}

// confirmed queries the provider and returns a copy of cb carrying the provider's answer.
// An order the provider does not find under the callback's kind is asked for under the other
// kind (paygate.MayBeNotFound); when that fails too, the first query's error stands.
func (h *handler) confirmed(ctx context.Context, cb *paygate.Callback) (*paygate.Callback, error) {
	kind := cb.Kind
	o, err := h.gw.Query(ctx, &paygate.QueryRequest{Kind: kind, OrderID: cb.OrderID, ProviderOrderID: cb.ProviderOrderID})
	if paygate.MayBeNotFound(err) {
		q := &paygate.QueryRequest{Kind: other(kind), OrderID: cb.OrderID, ProviderOrderID: cb.ProviderOrderID}
		if o2, err2 := h.gw.Query(ctx, q); err2 == nil {
			kind, o, err = q.Kind, o2, nil
		}
	}
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, errors.New("query returned no order")
	}
	if o.OrderID != "" && cb.OrderID != "" && o.OrderID != cb.OrderID {
		return nil, fmt.Errorf("query answered for order %q, callback is for %q", o.OrderID, cb.OrderID)
	}
	if o.ProviderOrderID != "" && cb.ProviderOrderID != "" && o.ProviderOrderID != cb.ProviderOrderID {
		return nil, fmt.Errorf("query answered for provider order %q, callback is for %q", o.ProviderOrderID, cb.ProviderOrderID)
	}
	if o.Kind != "" && o.Kind != kind {
		return nil, fmt.Errorf("query answered for a %s, asked for a %s", o.Kind, kind)
	}
	c := *cb
	c.Kind = kind
	c.Status, c.RawStatus = o.Status, o.RawStatus
	if o.UTR != "" {
		c.UTR = o.UTR
	}
	if !o.CompletedAt.IsZero() {
		c.CompletedAt = o.CompletedAt
	}
	answered := *o
	answered.Kind = kind // the order is of the kind asked (another kind was refused above)
	if amount := answered.CallbackAmount(); !amount.IsZero() {
		c.Amount = amount
	}
	if !o.Fee.IsZero() {
		c.Fee = o.Fee
	}
	return &c, nil
}

// observe reports the request to the observer, if any.
func (h *handler) observe(ctx context.Context, a *answer, start time.Time) {
	ob := h.opts.observer
	if ob == nil {
		return
	}
	e := paygate.CallbackEvent{Provider: h.name, Outcome: a.outcome, HTTPStatus: a.code, Duration: time.Since(start)}
	if cb := cmp.Or(a.target, a.cb); cb != nil { // what fn acted on, not what a forger may claim
		e.Kind, e.Status = cb.Kind, cb.Status
	}
	ob.Callback(ctx, e)
}

// log writes the one line of a request.
func (h *handler) log(ctx context.Context, a *answer) {
	l := h.opts.logger
	level := slog.LevelInfo
	switch a.outcome {
	case OutcomeHandled, OutcomeDuplicate:
	case OutcomeDedupeFailed, OutcomeConfirmFailed, OutcomeHandlerError, OutcomeHandlerPanic, OutcomeInternalError, OutcomeClaimLost:
		level = slog.LevelError
	default:
		level = slog.LevelWarn
	}
	if !l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs, slog.String("provider", h.name))
	if cb := a.cb; cb != nil {
		acted := cmp.Or(a.target, cb)
		attrs = append(attrs,
			slog.String("kind", string(acted.Kind)),
			slog.String("order_id", cb.OrderID),
			slog.String("provider_order_id", cb.ProviderOrderID),
			slog.String("status", string(cb.Status)),
		)
		if acted.Status != cb.Status {
			attrs = append(attrs, slog.String("confirmed_status", string(acted.Status)))
		}
	}
	attrs = append(attrs, slog.String("outcome", a.outcome), slog.Int("http_status", a.code))
	if a.reason != "" {
		attrs = append(attrs, slog.String("reason", a.reason))
	}
	if a.err != nil {
		attrs = append(attrs, slog.String("error", a.err.Error()))
	}
	if a.dupErr != nil {
		attrs = append(attrs, slog.String("dedupe_error", a.dupErr.Error()))
	}
	l.LogAttrs(ctx, level, "paygate callback", attrs...)
}

// other is the other kind of order.
func other(k paygate.Kind) paygate.Kind {
	if k == paygate.KindPayOut {
		return paygate.KindPayIn
	}
	return paygate.KindPayOut
}
