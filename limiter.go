package paygate

import "context"

// Limiter paces the requests a Gateway sends to its provider. Wait blocks until one request
// under key may be sent, or returns an error when ctx ends first or the limiter cannot decide.
//
// The key is the provider's name and the merchant ID ("cashgit:cgpay"), so that every replica
// of a merchant's backend sharing one Limiter (redisstore.Limiter) shares the provider's
// per-merchant limit. A Limiter error other than the context's own fails open: the request is
// sent and one Warn line is logged, since a provider's refusal for rate is a definite refusal.
type Limiter interface {
	Wait(ctx context.Context, key string) error
}

// LimiterKey is the key a Gateway passes to its Limiter.
func LimiterKey(provider, merchantID string) string { return provider + ":" + merchantID }

// WithLimiter makes the Gateway wait on l before every request, in place of its in-process
// limiter (CashGit's 10 requests per second). Give every replica the same shared Limiter.
func WithLimiter(l Limiter) Option { return func(s *Settings) { s.Limiter = l } }
