package pause_test

import (
	"context"
	"fmt"
	"time"

	"github.com/paygate-go/paygate/internal/pause"
)

// A pause the context ends early returns the context's error at once.
func ExampleFor() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fmt.Println(pause.For(ctx, time.Hour))
	fmt.Println(pause.For(context.Background(), time.Millisecond))
	// Output:
	// context canceled
	// <nil>
}

// A wait that would end after the context's deadline is refused at once.
func ExamplePastDeadline() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	fmt.Println(pause.PastDeadline(ctx, time.Hour))
	fmt.Println(pause.PastDeadline(ctx, time.Millisecond))
	fmt.Println(pause.PastDeadline(context.Background(), time.Hour))
	// Output:
	// a wait of 1h0m0s would outlast the deadline: context deadline exceeded
	// <nil>
	// <nil>
}
