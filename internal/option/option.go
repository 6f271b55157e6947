// Package option applies functional options the way every paygate constructor takes them.
package option

// Apply calls each of opts on s, in order; a nil option is skipped, so that a caller can pass
// one it did not set.
func Apply[S any, O ~func(*S)](s *S, opts []O) {
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
}
