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
