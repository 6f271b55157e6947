package webhook

import "time"

// NewMemoryDeduperClock is NewMemoryDeduper reading the time from now, for tests that move
// the clock instead of sleeping.
func NewMemoryDeduperClock(ttl time.Duration, maxEntries int, now func() time.Time) Deduper {
	return newMemoryDeduper(ttl, maxEntries, now)
}

// DeduperLen reports a memory deduper's handled and held entries.
func DeduperLen(d Deduper) (handled, held int) { return d.(*memoryDeduper).len() }
