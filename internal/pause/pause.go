// Package pause holds the one way paygate waits: a sleep that ends early, with the context's
// error, when the context does.
package pause

import (
	"context"
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
