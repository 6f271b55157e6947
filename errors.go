package paygate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrUnsupported: the provider has no such operation (check Capabilities first).
	ErrUnsupported = errors.New("paygate: operation not supported by this provider")
	// ErrInvalidRequest: paygate's own validation refused the request before any I/O.
	ErrInvalidRequest = errors.New("paygate: invalid request")
	// ErrInvalidSignature: a callback or response signature did not verify.
	ErrInvalidSignature = errors.New("paygate: invalid signature")
	// ErrOutcomeUnknown: the request may have reached the provider and its answer was lost.
	// Query the order before retrying; never re-send blindly.
	ErrOutcomeUnknown = errors.New("paygate: outcome unknown, query the order before retrying")
	// ErrNotSent: the request provably never left this machine — a dial, DNS or TLS failure
	// before the request was written, a limiter refusal, an open circuit, a context that had
	// ended before the call (it still matches the context's error). It speaks of one
	// request: a create may go to another provider only if every earlier send of its order
	// number ended in ErrNotSent or ErrInvalidRequest (see NotSentError).
	ErrNotSent = errors.New("paygate: request not sent")
	// ErrProviderTimeout: the provider did not answer an attempt within Config.Timeout while
	// the caller's context was still live (context.DeadlineExceeded and context.Canceled
	// speak only of the caller's context). A *CallError wraps it on a read, a *OutcomeError
	// on a create, a *NotSentError when no attempt was written.
	ErrProviderTimeout = errors.New("paygate: no answer from the provider within Config.Timeout")
	// ErrDuplicateOrder: the provider already has an order with this merchant order number.
	// A *ProviderError wraps it.
	ErrDuplicateOrder = errors.New("paygate: order already exists")
	// ErrOrderNotFound: the provider has no such order. A *ProviderError wraps it.
	ErrOrderNotFound = errors.New("paygate: order not found")
	// ErrMalformedResponse: the provider's answer could not be read (not JSON, truncated, an
	// HTML error page, an empty body). A *ResponseError wraps it.
	ErrMalformedResponse = errors.New("paygate: malformed provider response")
	// ErrMalformedCallback: a callback body that could not be read. Signatures are checked
	// before the body is trusted, so this is returned only for bodies that are not even
	// well-formed enough to verify.
	ErrMalformedCallback = errors.New("paygate: malformed callback")
	// ErrInvalidConfig: a config file or a Config that paygate refused: an unknown key or
	// option, a value of the wrong form, a required field left empty. A *ConfigError wraps it.
	ErrInvalidConfig = errors.New("paygate: invalid config")
)

// ValidationError is a request paygate refused before any I/O. It matches ErrInvalidRequest.
// Every field at fault is reported at once: Problems lists them all, and Field and Reason
// repeat the first.
type ValidationError struct {
	Provider, Op string // may be empty when the check is provider-independent
	Field        string // the request field at fault, e.g. "Amount" or "Beneficiary.IFSC"
	Reason       string
	// Problems is every field at fault, the first being Field and Reason. It may be nil when
	// only Field is at fault.
	Problems []FieldProblem
}

// FieldProblem is one field of a request that validation refused.
type FieldProblem struct {
	Field, Reason string
}

// Invalid is shorthand for a *ValidationError naming field.
func Invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// AllProblems returns every field at fault: Problems, or Field and Reason when Problems is empty.
func (e *ValidationError) AllProblems() []FieldProblem {
	if len(e.Problems) > 0 {
		return e.Problems
	}
	return []FieldProblem{{Field: e.Field, Reason: e.Reason}}
}

// Error implements error. It names every field at fault, separated by semicolons.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(prefix(e.Provider, e.Op))
	b.WriteString("invalid request: ")
	for i, p := range e.AllProblems() {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Field + ": " + p.Reason)
	}
	return b.String()
}

// Is reports whether target is ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// ProviderError is a definite answer from the provider that refused the request.
type ProviderError struct {
	Provider, Op string
	HTTPStatus   int
	Code         string // the provider's own code, as text
	Message      string
	Raw          []byte // the response body, at most 4 KiB of it
	// Retryable is true when repeating the same request later may succeed (rate limit,
	// busy system) and repeating cannot move money twice.
	Retryable bool
	// Err is a sentinel that classifies the refusal (ErrDuplicateOrder, ErrOrderNotFound) or nil.
	Err error
}

// Error implements error. It names provider, operation, code and message, never Raw. A
// refusal carried by a 2xx answer does not repeat the HTTP status, nor a code that is only
// that status again (DeekPay answers "order not found" as code 200 with empty data); a
// classified refusal without a message says what Err means.
func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString(prefix(e.Provider, e.Op))
	b.WriteString("provider refused")
	ok2xx := e.HTTPStatus >= 200 && e.HTTPStatus < 300
	if e.HTTPStatus != 0 && !ok2xx {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Code != "" && (!ok2xx || e.Code != strconv.Itoa(e.HTTPStatus)) {
		b.WriteString(": code ")
		b.WriteString(e.Code)
	}
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = strings.TrimPrefix(e.Err.Error(), "paygate: ")
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(truncate(msg, 200))
	}
	return b.String()
}

// Unwrap returns the classifying sentinel, if any.
func (e *ProviderError) Unwrap() error { return e.Err }

// MayBeNotFound reports whether err, a Query's error, may mean that the provider has no such
// order of the kind asked: ErrOrderNotFound, or any refusal not worth repeating, since CaiPay
// and PayPro document no not-found code and refuse an unknown order like any other request.
// It is for asking again under the other kind (webhook.Handler's confirmation, `paygate
// query`). What must be sure that an order does not exist, before creating it again, tests
// errors.Is(err, ErrOrderNotFound) instead, as the tracker does.
func MayBeNotFound(err error) bool {
	var pe *ProviderError
	return errors.Is(err, ErrOrderNotFound) || (errors.As(err, &pe) && !pe.Retryable)
}

// ResponseError is a provider answer paygate could not read: not JSON, truncated, an HTML
// error page, an empty body, an unexpected HTTP status. It matches ErrMalformedResponse unless
// Err says otherwise.
type ResponseError struct {
	Provider, Op string
	HTTPStatus   int
	Snippet      string // at most 256 bytes of the body
	Err          error
}

// Error implements error.
func (e *ResponseError) Error() string {
	msg := prefix(e.Provider, e.Op) + "unreadable response"
	if e.HTTPStatus != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.HTTPStatus)
	}
	if e.Err != nil {
		msg += ": " + cause(e.Err, e.Provider, e.Op)
	}
	if e.Snippet != "" {
		msg += fmt.Sprintf(": body %q", e.Snippet)
	}
	return msg
}

// Unwrap returns the cause.
func (e *ResponseError) Unwrap() error { return e.Err }

// Is matches ErrMalformedResponse.
func (e *ResponseError) Is(target error) bool { return target == ErrMalformedResponse }

// OutcomeError is a pay-in or pay-out whose request may have reached the provider but whose
// answer was lost or unreadable. It matches ErrOutcomeUnknown and wraps the cause (a timeout,
// a reset, a 5xx, a *ResponseError). Query OrderID before deciding to send it again.
type OutcomeError struct {
	Provider, Op string
	OrderID      string
	Err          error
}

// Error implements error.
func (e *OutcomeError) Error() string {
	return fmt.Sprintf("%soutcome unknown for order %q, query it before retrying: %s",
		prefix(e.Provider, e.Op), e.OrderID, cause(e.Err, e.Provider, e.Op))
}

// Unwrap returns the cause.
func (e *OutcomeError) Unwrap() error { return e.Err }

// Is matches ErrOutcomeUnknown.
func (e *OutcomeError) Is(target error) bool { return target == ErrOutcomeUnknown }

// CallError is any other failure of a call: transport errors on reads, a read's context
// ending while it was under way. It names provider and operation and wraps the cause.
type CallError struct {
	Provider, Op string
	Err          error
}

// Error implements error.
func (e *CallError) Error() string { return prefix(e.Provider, e.Op) + cause(e.Err, e.Provider, e.Op) }

// Unwrap returns the cause.
func (e *CallError) Unwrap() error { return e.Err }

// SignatureError is a callback or response whose signature did not verify. It matches
// ErrInvalidSignature and never carries the signature itself.
type SignatureError struct {
	Provider, Op string
	Reason       string // "missing", "mismatch", "stale timestamp", ...
}

// Error implements error.
func (e *SignatureError) Error() string {
	return prefix(e.Provider, e.Op) + "invalid signature: " + e.Reason
}

// Is matches ErrInvalidSignature.
func (e *SignatureError) Is(target error) bool { return target == ErrInvalidSignature }

// cause is the text of a wrapped error without the prefix its wrapper already printed: the
// wrapper's own "paygate: provider op: ", else a leading "paygate: " (a cause from another
// provider or operation keeps its names). Each error then reads with one prefix.
func cause(err error, provider, op string) string {
	if err == nil {
		return "<nil>"
	}
	s := err.Error()
	if p := prefix(provider, op); p != "paygate: " && strings.HasPrefix(s, p) {
		return s[len(p):]
	}
	return strings.TrimPrefix(s, "paygate: ")
}

func prefix(provider, op string) string {
	switch {
	case provider != "" && op != "":
		return "paygate: " + provider + " " + op + ": "
	case provider != "":
		return "paygate: " + provider + ": "
	case op != "":
		return "paygate: " + op + ": "
	}
	return "paygate: "
}

// NotSentError is a request that provably never left this machine: the connection was never
// made (dial, DNS, TLS before the request was written), the limiter refused to wait, a
// circuit breaker was open, or the caller's context had ended before the call. It matches
// ErrNotSent and wraps the cause. It speaks of this request only: a create that failed this
// way may be sent again under the same order number, to the same provider; to another
// provider only if no earlier send of that order number may have reached one (the router
// keeps that rule itself: router.ErrOrderHeld).
type NotSentError struct {
	Provider, Op string
	Err          error
}

// Error implements error.
func (e *NotSentError) Error() string {
	return prefix(e.Provider, e.Op) + "not sent: " + cause(e.Err, e.Provider, e.Op)
}

// Unwrap returns the cause.
func (e *NotSentError) Unwrap() error { return e.Err }

// Is matches ErrNotSent.
func (e *NotSentError) Is(target error) bool { return target == ErrNotSent }

// ConfigError is a config paygate refused: a key or option it does not know, a value of the
// wrong form, a required field left empty. It matches ErrInvalidConfig and never quotes a
// secret.
type ConfigError struct {
	Provider string // the provider whose constructor refused it; empty for a file's own errors
	Field    string // the config key: "base_url", "timeout", "options.sign_style"
	Reason   string
	Line     int // the line of the config file, 1-based; 0 when not read from a file
}

// ConfigErr is shorthand for a *ConfigError of provider naming the config key field.
func ConfigErr(provider, field, format string, args ...any) *ConfigError {
	return &ConfigError{Provider: provider, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Error implements error: "paygate: cashgit: config line 3: options.sign_styel: unknown option; …".
func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(prefix(e.Provider, ""))
	b.WriteString("config")
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Is matches ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }
