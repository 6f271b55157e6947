package option_test

import (
	"fmt"

	"github.com/paygate-go/paygate/internal/option"
)

type settings struct{ retries int }

type Option func(*settings)

func WithRetries(n int) Option { return func(s *settings) { s.retries = n } }

// Options apply in order; a nil one, which a caller may pass for "not set", is skipped.
func ExampleApply() {
	s := settings{retries: 3}
	option.Apply(&s, []Option{WithRetries(5), nil})
	fmt.Println(s.retries)
	// Output: 5
}
