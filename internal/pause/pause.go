// Package pause holds the one way paygate waits: a sleep that ends early, with the context's
// error, when the context does.
package pause

import (
	"context"
	"fmt"
	"time"
)

// For sleeps for d, or until ctx ends: then it returns ctx.Err() at once. It returns nil
// when the whole of d has passed.
func For(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PastDeadline returns an error matching context.DeadlineExceeded when a pause of d would end
// after ctx's deadline, and nil otherwise: a wait that cannot end in time is refused at once
// (x/time/rate's rule) rather than slept until the deadline.
func PastDeadline(ctx context.Context, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return fmt.Errorf("a wait of %v would outlast the deadline: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	return nil
}
