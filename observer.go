package paygate

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/paygate-go/paygate/internal/option"
)

// Observer is told what a Gateway, a webhook handler, a tracker and a router do, for traces
// and metrics (package otelpaygate maps it to OpenTelemetry). Every method must be cheap and
// safe for concurrent use; none may block. Embed NopObserver to implement only some methods.
//
// Events carry low-cardinality facts only: provider, operation, outcome, HTTP method, status
// and URL template. Never an order number, an amount, a secret, a signature or a full URL.
type Observer interface {
	// OperationStart is called when a Gateway operation begins; the context it returns is the
	// one the operation runs in (a tracer puts its span there).
	OperationStart(ctx context.Context, e OperationEvent) context.Context
	// OperationEnd is called once when the operation returns, with Outcome and Duration set.
	OperationEnd(ctx context.Context, e OperationEvent)
	// AttemptStart is called before each HTTP attempt of an operation (retries included).
	// e.Header is a copy of the outgoing request's header, its credentials (the signature's
	// header, an API key) redacted: an observer may add trace headers to it, and they are sent.
	AttemptStart(ctx context.Context, e AttemptEvent) context.Context
	// AttemptEnd is called once per attempt with StatusCode or ErrorType and Duration set,
	// when the attempt's answer has been read whole (or it failed): a body that breaks off or
	// stalls past the timeout is the attempt's ErrorType, beside its StatusCode.
	AttemptEnd(ctx context.Context, e AttemptEvent)
	// Callback is called once per callback delivery a webhook handler answers.
	Callback(ctx context.Context, e CallbackEvent)
	// Poll is called once per order a tracker queried.
	Poll(ctx context.Context, e PollEvent)
	// Route is called once per routing decision of a router.
	Route(ctx context.Context, e RouteEvent)
}

// WithObserver makes the Gateway report its operations and HTTP attempts to o. Without it
// nothing is reported and nothing is spent on reporting.
func WithObserver(o Observer) Option { return func(s *Settings) { s.Observer = option.Interface(o) } }

// Outcome classifies how an operation ended.
type Outcome string

// The outcome classes.
const (
	OutcomeOK       Outcome = "ok"              // the provider did what was asked
	OutcomeInvalid  Outcome = "invalid"         // refused by paygate's own validation, before any I/O
	OutcomeRefused  Outcome = "refused"         // the provider said no (*ProviderError)
	OutcomeUnknown  Outcome = "outcome_unknown" // a create that may have reached the provider
	OutcomeNotSent  Outcome = "not_sent"        // the request provably never left
	OutcomeFailed   Outcome = "error"           // anything else: transport, provider timeout, unreadable answer, signature
	OutcomeCanceled Outcome = "canceled"        // the caller's context ended
)

// ClassifyOutcome returns the outcome class of an operation's error (nil is OutcomeOK).
func ClassifyOutcome(err error) Outcome {
	if err == nil {
		return OutcomeOK // before anything escapes: no allocation for a success
	}
	var pe *ProviderError
	switch {
	case errors.Is(err, ErrInvalidRequest), errors.Is(err, ErrUnsupported):
		return OutcomeInvalid
	case errors.Is(err, ErrOutcomeUnknown):
		return OutcomeUnknown
	case errors.Is(err, ErrNotSent):
		return OutcomeNotSent
	case errors.As(err, &pe):
		return OutcomeRefused
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return OutcomeCanceled
	}
	return OutcomeFailed
}

// OperationEvent describes one Gateway operation.
type OperationEvent struct {
	Provider  string // "cashgit"
	Operation string // "payin", "payout", "query", "balance", or a provider's extra operation
	Start     time.Time
	// Set on OperationEnd only:
	Duration time.Duration
	Outcome  Outcome
	Err      error // the error returned to the caller; observers must not record its text as an attribute
}

// AttemptEvent describes one HTTP attempt of an operation.
type AttemptEvent struct {
	Provider      string
	Operation     string
	Method        string // "POST"
	URLTemplate   string // the path as documented, without query: "/api/pay"
	ServerAddress string // host name of the provider
	ServerPort    int
	ResendCount   int         // 0 for the first attempt, 1 for the first retry, ...
	Header        http.Header // on AttemptStart only: the outgoing request's header, credentials redacted
	Start         time.Time
	// Set on AttemptEnd only:
	Duration   time.Duration
	StatusCode int    // 0 when no response arrived
	ErrorType  string // "" on a response read whole; else a low-cardinality class: "timeout", "connection", "not_sent", "canceled"
}

// CallbackEvent describes one callback delivery answered by a webhook handler.
type CallbackEvent struct {
	Provider   string
	Kind       Kind   // empty when the callback could not be read
	Status     Status // empty when the callback could not be read
	Outcome    string // one of webhook's Outcome constants: "handled", "duplicate", "invalid_signature", "malformed", "too_large", "handler_error", ...
	HTTPStatus int
	Duration   time.Duration
}

// PollEvent describes one tracker query.
type PollEvent struct {
	Provider string
	Kind     Kind
	Outcome  string // "changed", "unchanged", "not_found", "error", "gave_up", "not_created", "regression"
	Duration time.Duration
}

// RouteEvent describes one routing decision.
type RouteEvent struct {
	Operation string // "payin", "payout", "query"
	Provider  string // the provider chosen or tried
	Decision  string // "chosen", "failover", "skipped", "stopped" (an error that may mean created), "exhausted"
	Reason    string // low-cardinality reason: "weight", "priority", "fallback", "not_sent", "invalid", "refused_definite", "circuit_open", "outcome_unknown", "duplicate", ...
}

// NopObserver does nothing. Embed it to implement only some of Observer's methods.
type NopObserver struct{}

var _ Observer = NopObserver{}

// OperationStart returns ctx.
func (NopObserver) OperationStart(ctx context.Context, _ OperationEvent) context.Context { return ctx }

// OperationEnd does nothing.
func (NopObserver) OperationEnd(context.Context, OperationEvent) {}

// AttemptStart returns ctx.
func (NopObserver) AttemptStart(ctx context.Context, _ AttemptEvent) context.Context { return ctx }

// AttemptEnd does nothing.
func (NopObserver) AttemptEnd(context.Context, AttemptEvent) {}

// Callback does nothing.
func (NopObserver) Callback(context.Context, CallbackEvent) {}

// Poll does nothing.
func (NopObserver) Poll(context.Context, PollEvent) {}

// Route does nothing.
func (NopObserver) Route(context.Context, RouteEvent) {}
