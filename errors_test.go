package paygate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var sentinels = []error{
	ErrUnsupported,
	ErrInvalidRequest,
	ErrInvalidSignature,
	ErrOutcomeUnknown,
	ErrDuplicateOrder,
	ErrOrderNotFound,
	ErrMalformedResponse,
	ErrMalformedCallback,
	ErrBadAmount,
}

// requireOnlyIs checks that err matches exactly the sentinels in want among the package's own.
func requireOnlyIs(t *testing.T, err error, want ...error) {
	t.Helper()
	for _, s := range sentinels {
		require.Equal(t, slices.Contains(want, s), errors.Is(err, s), "errors.Is(%v, %v)", err, s)
	}
}

func TestSentinelsArePrefixed(t *testing.T) {
	for _, s := range sentinels {
		require.True(t, strings.HasPrefix(s.Error(), "paygate: "), s.Error())
	}
}

func TestValidationError(t *testing.T) {
	tests := []struct {
		name string
		err  *ValidationError
		want string
	}{
		{"bare", &ValidationError{Field: "Amount", Reason: "must be greater than zero"},
			"paygate: invalid request: Amount: must be greater than zero"},
		{"provider", &ValidationError{Provider: "cashgit", Field: "OrderID", Reason: "too short"},
			"paygate: cashgit: invalid request: OrderID: too short"},
		{"op", &ValidationError{Op: "payin", Field: "OrderID", Reason: "too short"},
			"paygate: payin: invalid request: OrderID: too short"},
		{"provider and op", &ValidationError{Provider: "paypro", Op: "payout", Field: "Amount", Reason: "whole amounts only"},
			"paygate: paypro payout: invalid request: Amount: whole amounts only"},
		{"Invalid", Invalid("Beneficiary.IFSC", "%q is not an IFSC", "XYZ"),
			`paygate: invalid request: Beneficiary.IFSC: "XYZ" is not an IFSC`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.err.Error())
			require.True(t, strings.HasPrefix(tt.err.Error(), "paygate:"))
			requireOnlyIs(t, tt.err, ErrInvalidRequest)

			wrapped := fmt.Errorf("create order: %w", tt.err)
			requireOnlyIs(t, wrapped, ErrInvalidRequest)
			var ve *ValidationError
			require.True(t, errors.As(wrapped, &ve))
			require.Same(t, tt.err, ve)
			require.Equal(t, tt.err.Field, ve.Field)
		})
	}
}

func TestProviderError(t *testing.T) {
	raw := []byte(`{"code":409,"message":"order exists","secretish":"RAW-BODY-MARKER"}`)
	tests := []struct {
		name string
		err  *ProviderError
		want string
		is   []error
	}{
		{"duplicate", &ProviderError{Provider: "cashgit", Op: "payin", HTTPStatus: 200, Code: "409",
			Message: "order exists", Raw: raw, Err: ErrDuplicateOrder},
			"paygate: cashgit payin: provider refused: code 409: order exists", []error{ErrDuplicateOrder}},
		{"not found", &ProviderError{Provider: "caipay", Op: "query", Code: "404", Raw: raw, Err: ErrOrderNotFound},
			"paygate: caipay query: provider refused: code 404: order not found", []error{ErrOrderNotFound}},
		{"unclassified", &ProviderError{Provider: "cashy", Message: "Payin_Order_Error", Raw: raw},
			"paygate: cashy: provider refused: Payin_Order_Error", nil},
		{"bare", &ProviderError{}, "paygate: provider refused", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.err.Error())
			require.NotContains(t, tt.err.Error(), "RAW-BODY-MARKER", "Error never quotes Raw")
			require.NotContains(t, tt.err.Error(), "secretish")
			requireOnlyIs(t, tt.err, tt.is...)
			require.Equal(t, tt.err.Err, errors.Unwrap(tt.err))

			wrapped := fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", tt.err))
			requireOnlyIs(t, wrapped, tt.is...)
			var pe *ProviderError
			require.True(t, errors.As(wrapped, &pe))
			require.Same(t, tt.err, pe)
			require.Equal(t, tt.err.Code, pe.Code)
			require.NotContains(t, wrapped.Error(), "RAW-BODY-MARKER")
		})
	}
}

func TestProviderErrorTruncatesMessage(t *testing.T) {
	e := &ProviderError{Provider: "caipay", Message: strings.Repeat("x", 1000)}
	require.Less(t, len(e.Error()), 300)
}

func TestResponseError(t *testing.T) {
	tests := []struct {
		name string
		err  *ResponseError
		want string
		is   []error
	}{
		{"html", &ResponseError{Provider: "deekpay", Op: "balance", HTTPStatus: 502, Snippet: "<html>Bad Gateway</html>"},
			`paygate: deekpay balance: unreadable response (HTTP 502): body "<html>Bad Gateway</html>"`,
			[]error{ErrMalformedResponse}},
		{"with cause", &ResponseError{Provider: "paypro", Err: io.ErrUnexpectedEOF},
			"paygate: paypro: unreadable response: unexpected EOF",
			[]error{ErrMalformedResponse}},
		{"bare", &ResponseError{}, "paygate: unreadable response", []error{ErrMalformedResponse}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.err.Error())
			requireOnlyIs(t, tt.err, tt.is...)
			if tt.err.Err != nil {
				require.ErrorIs(t, tt.err, tt.err.Err)
			}
			var re *ResponseError
			require.True(t, errors.As(fmt.Errorf("wrap: %w", tt.err), &re))
			require.Same(t, tt.err, re)
		})
	}
}

func TestOutcomeError(t *testing.T) {
	tests := []struct {
		name  string
		cause error
		is    []error
	}{
		{"deadline", context.DeadlineExceeded, []error{ErrOutcomeUnknown}},
		{"reset", io.ErrUnexpectedEOF, []error{ErrOutcomeUnknown}},
		{"unreadable", &ResponseError{Provider: "cashy", HTTPStatus: 504}, []error{ErrOutcomeUnknown, ErrMalformedResponse}},
		{"no cause", nil, []error{ErrOutcomeUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &OutcomeError{Provider: "cashy", Op: "payin", OrderID: "order000000001", Err: tt.cause}
			require.True(t, strings.HasPrefix(e.Error(), "paygate: cashy payin: outcome unknown"), e.Error())
			require.Contains(t, e.Error(), `"order000000001"`)
			requireOnlyIs(t, e, tt.is...)
			if tt.cause != nil {
				require.ErrorIs(t, e, tt.cause)
			}

			wrapped := fmt.Errorf("pay in: %w", e)
			require.ErrorIs(t, wrapped, ErrOutcomeUnknown)
			if tt.cause != nil {
				require.ErrorIs(t, wrapped, tt.cause)
			}
			var oe *OutcomeError
			require.True(t, errors.As(wrapped, &oe))
			require.Equal(t, "order000000001", oe.OrderID)
		})
	}

	e := &OutcomeError{Err: context.DeadlineExceeded}
	require.ErrorIs(t, e, context.DeadlineExceeded)
	require.NotErrorIs(t, e, context.Canceled)
}

func TestSignatureError(t *testing.T) {
	tests := []struct {
		err  *SignatureError
		want string
	}{
		{&SignatureError{Provider: "caipay", Op: "callback", Reason: "mismatch"}, "paygate: caipay callback: invalid signature: mismatch"},
		{&SignatureError{Reason: "missing"}, "paygate: invalid signature: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			require.Equal(t, tt.want, tt.err.Error())
			requireOnlyIs(t, tt.err, ErrInvalidSignature)
			wrapped := fmt.Errorf("webhook: %w", tt.err)
			requireOnlyIs(t, wrapped, ErrInvalidSignature)
			var se *SignatureError
			require.True(t, errors.As(wrapped, &se))
			require.Equal(t, tt.err.Reason, se.Reason)
		})
	}
}

func TestCallError(t *testing.T) {
	tests := []struct {
		name  string
		cause error
		want  string
		is    []error
	}{
		{"canceled", context.Canceled, "paygate: deekpay query: context canceled", nil},
		{"unsupported", ErrUnsupported, "paygate: deekpay query: operation not supported by this provider", []error{ErrUnsupported}},
		{"provider", &ProviderError{Code: "404", Err: ErrOrderNotFound}, "paygate: deekpay query: provider refused: code 404: order not found", []error{ErrOrderNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &CallError{Provider: "deekpay", Op: "query", Err: tt.cause}
			require.Equal(t, tt.want, e.Error())
			require.Equal(t, tt.cause, errors.Unwrap(e))
			require.ErrorIs(t, e, tt.cause)
			requireOnlyIs(t, e, tt.is...)
			var ce *CallError
			require.True(t, errors.As(fmt.Errorf("x: %w", e), &ce))
			require.Same(t, e, ce)
		})
	}

	var pe *ProviderError
	e := &CallError{Err: fmt.Errorf("y: %w", &ProviderError{Code: "500"})}
	require.True(t, errors.As(e, &pe))
	require.Equal(t, "500", pe.Code)
}

// TestErrorTypesAreDistinct checks errors.As does not confuse the types.
func TestErrorTypesAreDistinct(t *testing.T) {
	var (
		ve *ValidationError
		pe *ProviderError
		re *ResponseError
		oe *OutcomeError
		se *SignatureError
		ce *CallError
	)
	err := error(&SignatureError{Reason: "mismatch"})
	require.False(t, errors.As(err, &ve))
	require.False(t, errors.As(err, &pe))
	require.False(t, errors.As(err, &re))
	require.False(t, errors.As(err, &oe))
	require.False(t, errors.As(err, &ce))
	require.True(t, errors.As(err, &se))
}

// TestOnePrefix is finding 5: a wrapped error that carries its wrapper's prefix is printed
// once ("paygate: cashgit payout: outcome unknown …: paygate: cashgit payout: unreadable …"
// before).
func TestOnePrefix(t *testing.T) {
	inner := &ResponseError{Provider: "cashgit", Op: "payout", HTTPStatus: 502, Snippet: "<html>"}
	tests := []struct {
		err  error
		want string
	}{
		{&OutcomeError{Provider: "cashgit", Op: "payout", OrderID: "PO_1", Err: inner},
			`paygate: cashgit payout: outcome unknown for order "PO_1", query it before retrying: unreadable response (HTTP 502): body "<html>"`},
		{&CallError{Provider: "cashgit", Op: "query", Err: &ProviderError{Provider: "cashgit", Op: "query", Code: "404", Err: ErrOrderNotFound}},
			"paygate: cashgit query: provider refused: code 404: order not found"},
		{&NotSentError{Provider: "cashy", Op: "payin", Err: &CallError{Provider: "cashy", Op: "payin", Err: errors.New("dial tcp: refused")}},
			"paygate: cashy payin: not sent: dial tcp: refused"},
		{&ResponseError{Provider: "deekpay", Op: "query", Err: &SignatureError{Provider: "deekpay", Op: "query", Reason: "mismatch"}},
			"paygate: deekpay query: unreadable response: invalid signature: mismatch"},
		// A cause from another provider or operation keeps its names, without a second "paygate: ".
		{&OutcomeError{Provider: "router", Op: "payin", OrderID: "O_1", Err: &ResponseError{Provider: "cashgit", Op: "payin", HTTPStatus: 502}},
			`paygate: router payin: outcome unknown for order "O_1", query it before retrying: cashgit payin: unreadable response (HTTP 502)`},
		{&CallError{Provider: "cashgit", Op: "query", Err: fmt.Errorf("wrapped: %w", context.Canceled)},
			"paygate: cashgit query: wrapped: context canceled"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.err.Error())
		require.Equal(t, 1, strings.Count(tt.err.Error(), "paygate: "), tt.err.Error())
	}
}

// TestProviderErrorNoMisleadingCode is finding 5: DeekPay's not-found (code 200, HTTP 200,
// empty data) does not read "provider refused (HTTP 200): code 200".
func TestProviderErrorNoMisleadingCode(t *testing.T) {
	e := &ProviderError{Provider: "deekpay", Op: "query", HTTPStatus: 200, Code: "200", Err: ErrOrderNotFound}
	require.Equal(t, "paygate: deekpay query: provider refused: order not found", e.Error())
	e.Message = "order not found (data is an empty array)"
	require.Equal(t, "paygate: deekpay query: provider refused: order not found (data is an empty array)", e.Error())
	e = &ProviderError{Provider: "cashgit", Op: "payin", HTTPStatus: 409, Code: "409", Message: "exists"}
	require.Equal(t, "paygate: cashgit payin: provider refused (HTTP 409): code 409: exists", e.Error(), "a non-2xx status is kept")
}

// TestMayBeNotFound: a not-found, or any refusal not worth repeating (a provider without a
// not-found code), may mean "no such order of that kind"; a rate limit, a transport failure or
// an unreadable answer says nothing of the order.
func TestMayBeNotFound(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"not found", &ProviderError{Provider: "p", Op: "query", Err: ErrOrderNotFound}, true},
		{"unclassified refusal", fmt.Errorf("wrapped: %w", &ProviderError{Provider: "p", Op: "query", Code: "400"}), true},
		{"rate limited", &ProviderError{Provider: "p", Op: "query", Code: "429", Retryable: true}, false},
		{"transport", &CallError{Provider: "p", Op: "query", Err: io.ErrUnexpectedEOF}, false},
		{"unreadable", &ResponseError{Provider: "p", Op: "query", Err: ErrMalformedResponse}, false},
		{"invalid request", Invalid("OrderID", "is required"), false},
		{"nil", nil, false},
	} {
		require.Equal(t, tc.want, MayBeNotFound(tc.err), tc.name)
	}
}

// TestCallbackErrorQuotesOddFields: a field named by a callback body (any key, a line break
// included) is quoted in the text; a plain key is not.
func TestCallbackErrorQuotesOddFields(t *testing.T) {
	e := &CallbackError{Provider: "cashgit", Field: "amount", Err: errors.New("missing")}
	require.Equal(t, "paygate: cashgit callback: malformed callback: field amount: missing", e.Error())
	e.Field = "fee=2.50&id\nlevel=ERROR"
	require.Equal(t, `paygate: cashgit callback: malformed callback: field "fee=2.50&id\nlevel=ERROR": missing`, e.Error())
	require.ErrorIs(t, e, ErrMalformedCallback)
}
