package paygate

import (
	"strconv"
	"strings"
	"unicode"
)

// CallbackError is a callback that could not be read or does not have the provider's
// documented shape: not JSON, a required field missing, a key that could be a re-split of
// two signed members, a value carrying another member. It matches ErrMalformedCallback and
// names the field at fault when there is one. The webhook handler answers it 400.
type CallbackError struct {
	Provider string
	Field    string // empty when the body as a whole is at fault
	Err      error
}

// Error implements error.
func (e *CallbackError) Error() string {
	msg := prefix(e.Provider, "callback") + "malformed callback"
	if e.Field != "" {
		msg += ": field " + quoteOdd(e.Field)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *CallbackError) Unwrap() error { return e.Err }

// Is matches ErrMalformedCallback.
func (e *CallbackError) Is(target error) bool { return target == ErrMalformedCallback }

// quoteOdd quotes a field name that is not a plain key (letters, digits, '_', '-', '.'): a
// key taken from a callback body may hold anything, a line break included.
func quoteOdd(field string) string {
	for _, r := range field {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("_-.", r) {
			return strconv.Quote(field)
		}
	}
	return field
}
