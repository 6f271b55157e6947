package redisstore

import (
	"time"

	"github.com/paygate-go/paygate/internal/lease"
)

// Defaults of the options.
const (
	// DefaultKeyPrefix starts every key: paygate:dedupe:..., paygate:rate:...
	DefaultKeyPrefix = "paygate:"
	// DefaultLease is how long a claim holds before another replica may take it over.
	DefaultLease = lease.DefaultLease
	// DefaultDoneTTL is how long a handled callback is remembered.
	DefaultDoneTTL = lease.DefaultDoneTTL
	// DefaultPollInterval is the longest a waiting claim sleeps between looks.
	DefaultPollInterval = lease.DefaultPollInterval
	// DefaultWriteRetry is how long Done and Release keep trying when Redis does not answer.
	DefaultWriteRetry = lease.DefaultWriteRetry
)

// Option configures the stores. An option a store does not use is ignored, so one option
// list can be shared by all of them.
type Option func(*lease.Options)

// WithKeyPrefix sets the prefix of every key (default DefaultKeyPrefix).
func WithKeyPrefix(p string) Option { return func(o *lease.Options) { o.Prefix = p } }

// WithLease sets how long a claim holds before another replica may take it over (default
// DefaultLease). d <= 0 keeps the default.
func WithLease(d time.Duration) Option { return Option(lease.WithLease(d)) }

// WithDoneTTL sets how long a handled callback is remembered (default DefaultDoneTTL).
// d <= 0 keeps the default.
func WithDoneTTL(d time.Duration) Option { return Option(lease.WithDoneTTL(d)) }

// WithPollInterval sets the longest a waiting claim sleeps between looks at a key another
// replica holds (default DefaultPollInterval). d <= 0 keeps the default.
func WithPollInterval(d time.Duration) Option { return Option(lease.WithPollInterval(d)) }

// WithWriteRetry sets how long a Deduper's Done and Release keep trying when Redis does not
// answer (default DefaultWriteRetry), so that a callback handled during a short outage is
// still marked. Keep it well under the lease. d < 0 means no retry.
func WithWriteRetry(d time.Duration) Option { return Option(lease.WithWriteRetry(d)) }

func resolve(opts []Option) lease.Options { return lease.Resolve(DefaultKeyPrefix, opts) }
