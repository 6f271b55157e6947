package redisstore

import "context"

// detached runs f and returns its result, or ctx's error as soon as ctx ends, whichever comes
// first. go-redis does not stop a command when its context ends (unless the client was built
// with ContextTimeoutEnabled, and even then not on every path): only the client's own
// timeouts do, so a stalled server would hold the caller for seconds past its deadline.
//
// When ctx ends first, f keeps running in its goroutine until Redis answers or the client's
// timeouts (or Close) end it; then, if abandoned is not nil, it is given f's result, so that
// a command that took effect after its caller left (a claim) can be undone. Nothing else
// waits for that goroutine.
func detached[T any](ctx context.Context, f func(context.Context) (T, error), abandoned func(T, error)) (T, error) {
	var zero T
	if ctx.Done() == nil {
		return f(ctx)
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result) // unbuffered: a result is either taken by the caller or abandoned
	go func() {
		v, err := f(ctx)
		select {
		case ch <- result{v, err}:
		case <-ctx.Done():
			if abandoned != nil {
				abandoned(v, err)
			}
		}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}
