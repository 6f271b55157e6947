package tracker

import (
	"math/rand/v2"
	"time"
)

// Defaults of a Schedule. They outlast every provider's documented callback retries (PayPro's,
// the longest, run about 10 hours): a lost callback is found by a poll long after the provider
// gave up delivering it.
const (
	DefaultFirst   = time.Minute      // the first query, after Track
	DefaultEvery   = 30 * time.Minute // the longest interval the back-off grows to
	DefaultHorizon = 72 * time.Hour   // tracking gives up this long after the order was created
	DefaultWindow  = 15 * time.Minute // not found this long after an outcome-unknown create: not created
	DefaultJitter  = 0.1              // up to 10% added to each interval
)

// Schedule says when a provider's orders are queried. Zero fields take the defaults.
//
// The first query is First after Track; each next interval doubles, up to Every; the last
// query is at Horizon after the order was created, after which tracking gives up (a
// StatusUnknown event, never a failure). An order whose create had an unknown outcome is
// also queried as its Window ends, and "not found" then means "not created".
type Schedule struct {
	First   time.Duration
	Every   time.Duration
	Horizon time.Duration
	// Window is how long after a create the provider may still not show the order: a
	// create whose outcome was unknown is reported not created only when the provider says
	// "not found" at least Window after it was sent. Set it to the provider's own bound, with
	// a margin.
	Window time.Duration
	// Jitter is the largest fraction of each interval added at random (default DefaultJitter),
	// so that orders tracked together are not queried together. A negative value turns it off.
	// Jitter only delays: no query comes earlier than its interval.
	Jitter float64
}

// withDefaults fills the zero fields.
func (s Schedule) withDefaults() Schedule {
	if s.First <= 0 {
		s.First = DefaultFirst
	}
	if s.Every <= 0 {
		s.Every = DefaultEvery
	}
	if s.Every < s.First {
		s.Every = s.First
	}
	if s.Horizon <= 0 {
		s.Horizon = DefaultHorizon
	}
	if s.Window <= 0 {
		s.Window = DefaultWindow
	}
	if s.Jitter == 0 {
		s.Jitter = DefaultJitter
	}
	if s.Jitter > 1 {
		s.Jitter = 1
	}
	return s
}

// interval is the wait after poll number polls (0 before the first query), jitter included.
func (s Schedule) interval(polls int) time.Duration {
	d := s.First
	for i := 0; i < polls && d < s.Every; i++ {
		d *= 2
	}
	d = min(d, s.Every)
	if s.Jitter > 0 {
		d += time.Duration(rand.Float64() * s.Jitter * float64(d)) //nolint:gosec // jitter, not a secret
	}
	return d
}

// next is when it should be queried again, the last poll having happened at now: the
// back-off interval, brought forward to the end of the not-created window of an order not
// yet seen, and to the horizon.
func (s Schedule) next(it *Item, now time.Time) time.Time {
	due := now.Add(s.interval(it.Polls))
	if it.OutcomeUnknown {
		if w := it.Created.Add(s.Window); w.After(now) && w.Before(due) {
			due = w
		}
	}
	if h := it.Created.Add(s.Horizon); h.Before(due) {
		due = h
	}
	return due
}
