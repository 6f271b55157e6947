// Package option applies functional options the way every paygate constructor takes them.
package option

import "reflect"

// Apply calls each of opts on s, in order; a nil option is skipped, so that a caller can pass
// one it did not set.
func Apply[S any, O ~func(*S)](s *S, opts []O) {
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
}

// Interface returns v, or the nil interface when v holds a nil pointer: a "typed nil", such as
// a *T left nil behind a feature flag, which passes a v == nil test and panics at its first
// use. An option whose nil means "none" takes it through Interface.
func Interface[I any](v I) I {
	if rv := reflect.ValueOf(any(v)); rv.Kind() == reflect.Pointer && rv.IsNil() {
		var none I
		return none
	}
	return v
}
