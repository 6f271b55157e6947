package option_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate/internal/option"
)

type observer struct{}

func (*observer) String() string { return "observer" }

// TestInterface: a nil pointer behind an interface (a "typed nil") is made the nil interface,
// so that an option's "nil: none" holds for it; anything else is kept as it is.
func TestInterface(t *testing.T) {
	var typedNil *observer
	var none fmt.Stringer
	require.True(t, option.Interface(fmt.Stringer(typedNil)) == nil) // require.Nil takes a typed nil for nil
	require.True(t, option.Interface(none) == nil)
	o := &observer{}
	require.Same(t, o, option.Interface(fmt.Stringer(o)))
	require.Equal(t, io.Discard, option.Interface(io.Discard), "a value that is no pointer")
}
