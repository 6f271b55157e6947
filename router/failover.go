package router

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/paygate-go/paygate"
)

// DefaultDefiniteRefusal reports whether a provider's refusal of a create is one its
// documentation defines as "not created", so the same create may go to another provider.
// The router asks it only about a *paygate.ProviderError answered with an HTTP status below
// 500 that is not a duplicate-order refusal; everything else is decided before it is asked.
//
// It is true for:
//   - any refusal the provider marks Retryable (repeating cannot move money twice);
//   - any refusal answered with HTTP 429 Too Many Requests;
//   - CashGit's envelope code 429, "请求过频" (too many requests), and DeekPay's (HamBit's)
//     envelope code 429, the rate limits their API documents.
//
// The documents of CaiPay, PayPro and Cashy name no code for a rate limit, a channel not
// available or a daily cap. A merchant whose account returns such codes adds them with
// WithDefiniteRefusal, e.g.
//
//	router.WithDefiniteRefusal(func(provider string, err error) bool {
//		var pe *paygate.ProviderError
//		return router.DefaultDefiniteRefusal(provider, err) ||
//			errors.As(err, &pe) && provider == "paypro" && pe.Code == "1006"
//	})
func DefaultDefiniteRefusal(provider string, err error) bool {
	var pe *paygate.ProviderError
	if !errors.As(err, &pe) {
		return false
	}
	if pe.Retryable || pe.HTTPStatus == http.StatusTooManyRequests {
		return true
	}
	codes := documentedRefusals[provider]
	for _, c := range codes {
		if strings.EqualFold(pe.Code, c) {
			return true
		}
	}
	return false
}

// documentedRefusals are the envelope codes each provider's public API documentation defines
// as a refusal that created nothing.
var documentedRefusals = map[string][]string{
	"cashgit": {"429"}, // 请求过频: Too Many Requests - Rate limit exceeded
	"deekpay": {"429"}, // HamBit: too many requests
}

// verdict is what the router makes of one attempt's error.
type verdict struct {
	failover bool   // the order provably was not created: the next provider may take it
	reason   string // low-cardinality: for logs and paygate.RouteEvent.Reason
	health   health // what it tells the provider's circuit
}

// judge classifies err, the error of a create at provider, made under ctx, the caller's
// context. The order of the cases matters: anything that may mean "created" is decided before
// anything that allows a failover. A failure once the caller cancelled ctx says nothing of the
// provider's health (a customer closing the checkout page cancels a create at a healthy
// provider): it counts neither way. A caller's deadline passing once the request was written
// is the provider's slowness, and counts: a provider that never answers, under deadlines
// shorter than Config.Timeout, would otherwise never have its circuit opened. One passing
// before the request left (a limiter wait, a connection not yet made) is not-sent and counts
// neither way (classify).
func (r *Router) judge(ctx context.Context, provider string, err error) verdict {
	v := r.classify(provider, err)
	if v.health == sick && errors.Is(ctx.Err(), context.Canceled) {
		v.health = excluded
	}
	return v
}

// classify is judge's verdict from err alone.
func (r *Router) classify(provider string, err error) verdict {
	var pe *paygate.ProviderError
	switch {
	case err == nil:
		return verdict{reason: "ok", health: healthy}
	case errors.Is(err, paygate.ErrOutcomeUnknown):
		return verdict{reason: "outcome_unknown", health: sick}
	case errors.Is(err, paygate.ErrNotSent):
		if errors.Is(err, ErrCircuitOpen) {
			return verdict{failover: true, reason: "circuit_open", health: excluded}
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			// The caller's context ended before the request left (a limiter wait): nothing was
			// sent, but there is no time left for another provider either.
			return verdict{failover: true, reason: "not_sent", health: excluded}
		}
		return verdict{failover: true, reason: "not_sent", health: sick}
	case errors.Is(err, paygate.ErrInvalidRequest):
		return verdict{failover: true, reason: "invalid", health: excluded}
	case errors.Is(err, paygate.ErrUnsupported):
		return verdict{failover: true, reason: "unsupported", health: excluded}
	case errors.As(err, &pe):
		switch {
		case pe.HTTPStatus >= 500:
			return verdict{reason: "server_error", health: sick}
		case errors.Is(err, paygate.ErrDuplicateOrder):
			return verdict{reason: "duplicate", health: healthy}
		case r.definite(provider, err):
			return verdict{failover: true, reason: "refused_definite", health: healthy}
		}
		return verdict{reason: "refused", health: healthy}
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return verdict{reason: "canceled", health: excluded}
	}
	return verdict{reason: "error", health: sick}
}
