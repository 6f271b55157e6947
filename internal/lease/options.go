package lease

import (
	"time"

	"github.com/paygate-go/paygate/internal/option"
)

// Options are the settings of the stores of redisstore and pgstore: each package's Option is
// a func(*Options), and its With functions share the ones here.
type Options struct {
	Prefix  string        // starts every key or table name
	Lease   time.Duration // how long a claim holds before another replica may take it over
	DoneTTL time.Duration // how long a handled callback is remembered
	Poll    time.Duration // the longest a waiting claim sleeps between looks
	Retry   time.Duration // how long Done and Release keep trying when the store does not answer
	Err     error         // an invalid option, reported by the function that resolves them
}

// Resolve applies opts to the defaults, with prefix as the default Prefix.
func Resolve[O ~func(*Options)](prefix string, opts []O) Options {
	o := Options{Prefix: prefix, Lease: DefaultLease, DoneTTL: DefaultDoneTTL, Poll: DefaultPollInterval, Retry: DefaultWriteRetry}
	option.Apply(&o, opts)
	return o
}

// WithLease sets Lease; d <= 0 keeps the default. The stores keep leases in whole
// milliseconds, so d is truncated to one, and is at least one millisecond.
func WithLease(d time.Duration) func(*Options) {
	return func(o *Options) {
		if d > 0 {
			o.Lease = max(d.Truncate(time.Millisecond), time.Millisecond)
		}
	}
}

// WithDoneTTL sets DoneTTL; d <= 0 keeps the default.
func WithDoneTTL(d time.Duration) func(*Options) {
	return func(o *Options) {
		if d > 0 {
			o.DoneTTL = d
		}
	}
}

// WithPollInterval sets Poll; d <= 0 keeps the default.
func WithPollInterval(d time.Duration) func(*Options) {
	return func(o *Options) {
		if d > 0 {
			o.Poll = d
		}
	}
}

// WithWriteRetry sets Retry; d < 0 means no retry.
func WithWriteRetry(d time.Duration) func(*Options) {
	return func(o *Options) { o.Retry = max(d, 0) }
}
