package router_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/router"
)

func inrPayIn(id string) *paygate.PayInRequest {
	return &paygate.PayInRequest{OrderID: id, Amount: paygate.MustParseMoney("500", paygate.INR)}
}

// TestFailoverRule: which errors of the first provider send the create to the second.
func TestFailoverRule(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		failover bool
		reason   string
	}{
		{"validation", &paygate.ValidationError{Field: "Amount", Reason: "too small"}, true, "invalid"},
		{"unsupported", fmt.Errorf("no pay-outs: %w", paygate.ErrUnsupported), true, "unsupported"},
		{"not sent", &paygate.NotSentError{Provider: "a", Op: "payin", Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}, true, "not_sent"},
		{"HTTP 429 refusal", &paygate.ProviderError{Provider: "a", HTTPStatus: 429, Code: "X"}, true, "refused_definite"},
		{"retryable refusal", &paygate.ProviderError{Provider: "a", HTTPStatus: 200, Code: "busy", Retryable: true}, true, "refused_definite"},
		{"outcome unknown", outcomeUnknown("a"), false, "outcome_unknown"},
		{"outcome unknown around a not-sent", &paygate.OutcomeError{Provider: "a", Err: &paygate.NotSentError{Err: io.EOF}}, false, "outcome_unknown"},
		{"5xx refusal", &paygate.ProviderError{Provider: "a", HTTPStatus: 503, Code: "503", Retryable: true}, false, "server_error"},
		{"duplicate order", &paygate.ProviderError{Provider: "a", HTTPStatus: 429, Code: "409", Err: paygate.ErrDuplicateOrder}, false, "duplicate"},
		{"other refusal", &paygate.ProviderError{Provider: "a", HTTPStatus: 200, Code: "E17", Message: "merchant disabled"}, false, "refused"},
		{"unreadable answer", &paygate.ResponseError{Provider: "a", HTTPStatus: 429, Err: paygate.ErrMalformedResponse}, false, "error"},
		{"transport error", &paygate.CallError{Provider: "a", Err: io.ErrUnexpectedEOF}, false, "error"},
		{"timeout", &paygate.CallError{Provider: "a", Err: context.DeadlineExceeded}, false, "canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
			a.setErr(tc.err)
			obs := &recorder{}
			r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}}, router.WithObserver(obs))
			require.NoError(t, err)
			res, err := r.PayIn(context.Background(), inrPayIn("O1"))
			ev := obs.take()
			require.Equal(t, 1, a.Calls())
			if tc.failover {
				require.NoError(t, err)
				require.Equal(t, "b", res.Provider)
				require.Equal(t, 1, b.Calls())
				require.Equal(t, paygate.RouteEvent{Operation: "payin", Provider: "b", Decision: "failover", Reason: tc.reason}, ev[1])
				return
			}
			require.ErrorIs(t, err, tc.err)
			require.Zero(t, b.Calls(), "never a second provider after %v", tc.err)
			require.Equal(t, paygate.RouteEvent{Operation: "payin", Provider: "a", Decision: "stopped", Reason: tc.reason}, ev[1])
		})
	}
}

// TestDefiniteRefusalOption: the option replaces the documented set, and is never asked
// about errors that may mean "created".
func TestDefiniteRefusalOption(t *testing.T) {
	a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
	asked := 0
	r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}},
		router.WithDefiniteRefusal(func(provider string, err error) bool {
			asked++
			var pe *paygate.ProviderError
			return provider == "a" && errors.As(err, &pe) && pe.Code == "DAILY_CAP"
		}))
	require.NoError(t, err)
	a.setErr(&paygate.ProviderError{Provider: "a", HTTPStatus: 200, Code: "DAILY_CAP"})
	res, err := r.PayIn(context.Background(), inrPayIn("O1"))
	require.NoError(t, err)
	require.Equal(t, "b", res.Provider)
	a.setErr(outcomeUnknown("a"))
	_, err = r.PayIn(context.Background(), inrPayIn("O2"))
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	a.setErr(&paygate.ProviderError{Provider: "a", HTTPStatus: 502, Code: "DAILY_CAP"})
	_, err = r.PayIn(context.Background(), inrPayIn("O3"))
	require.Error(t, err)
	require.Equal(t, 1, asked)
	require.Equal(t, 1, b.Calls())

	require.True(t, router.DefaultDefiniteRefusal("cashgit", &paygate.ProviderError{HTTPStatus: 200, Code: "429"}))
	require.True(t, router.DefaultDefiniteRefusal("deekpay", &paygate.ProviderError{HTTPStatus: 200, Code: "429"}))
	require.False(t, router.DefaultDefiniteRefusal("caipay", &paygate.ProviderError{HTTPStatus: 200, Code: "429"}))
	require.False(t, router.DefaultDefiniteRefusal("cashgit", io.EOF))
}

// TestMaxProviders: at most N providers are called per create; the error lists them.
func TestMaxProviders(t *testing.T) {
	var routes []router.Route
	var stubs []*stub
	for i := range 4 {
		s := newStub(fmt.Sprintf("p%d", i), paygate.INR)
		s.setErr(&paygate.NotSentError{Provider: s.name, Op: "payin", Err: errors.New("dial refused")})
		stubs = append(stubs, s)
		routes = append(routes, router.Route{Gateway: s, Priority: i})
	}
	r, err := router.New(routes, router.WithMaxProviders(2))
	require.NoError(t, err)
	_, err = r.PayIn(context.Background(), inrPayIn("O1"))
	require.ErrorIs(t, err, paygate.ErrNotSent, "nothing was created anywhere: safe to retry later")
	var re *router.RouteError
	require.ErrorAs(t, err, &re)
	require.Len(t, re.Attempts, 1)
	require.Equal(t, "p0", re.Attempts[0].Provider)
	require.Contains(t, err.Error(), "tried p0 (not_sent)")
	require.Equal(t, []int{1, 1, 0, 0}, []int{stubs[0].Calls(), stubs[1].Calls(), stubs[2].Calls(), stubs[3].Calls()})
}

// TestBreaker: a provider's circuit opens after consecutive failures, skips it before any I/O
// while open, half-opens after the timeout on the injected clock, closes after a good probe
// and re-opens after a bad one. Validation errors and definite refusals never open it.
func TestBreaker(t *testing.T) {
	clock := newFakeClock()
	a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
	obs := &recorder{}
	r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}},
		router.WithClock(clock.Now), router.WithObserver(obs),
		router.WithBreaker(router.BreakerSettings{Timeout: 30 * time.Second,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 3 }}))
	require.NoError(t, err)
	ctx := context.Background()
	state := func() gobreaker.State {
		st, err := r.CircuitState(ctx, "a")
		require.NoError(t, err)
		return st
	}
	n := 0
	create := func() (*paygate.PayInResult, error) { n++; return r.PayIn(ctx, inrPayIn(fmt.Sprintf("O%d", n))) }

	// The merchant's own mistakes and definite refusals: failover, circuit stays closed.
	for _, e := range []error{&paygate.ValidationError{Field: "Amount", Reason: "x"},
		&paygate.ProviderError{Provider: "a", HTTPStatus: 429, Code: "429"}} {
		a.setErr(e)
		for range 10 {
			res, err := create()
			require.NoError(t, err)
			require.Equal(t, "b", res.Provider)
		}
	}
	require.Equal(t, gobreaker.StateClosed, state())

	// Three outcome-unknown creates open it (each stops at a: never a failover).
	a.setErr(outcomeUnknown("a"))
	for range 3 {
		_, err := create()
		require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	}
	require.Equal(t, gobreaker.StateOpen, state())
	callsA := a.Calls()
	obs.take()

	// Open: a is skipped before any I/O, b takes the order.
	res, err := create()
	require.NoError(t, err)
	require.Equal(t, "b", res.Provider)
	require.Equal(t, callsA, a.Calls(), "an open circuit costs no I/O")
	require.Equal(t, []paygate.RouteEvent{
		{Operation: "payin", Provider: "a", Decision: "skipped", Reason: "circuit_open"},
		{Operation: "payin", Provider: "b", Decision: "failover", Reason: "circuit_open"},
	}, obs.take())

	clock.Advance(29 * time.Second)
	require.Equal(t, gobreaker.StateOpen, state())
	clock.Advance(2 * time.Second)
	require.Equal(t, gobreaker.StateHalfOpen, state())

	// Half-open: one probe goes to a; it fails, the circuit opens again for another 30 s.
	_, err = create()
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	require.Equal(t, callsA+1, a.Calls())
	require.Equal(t, gobreaker.StateOpen, state())
	clock.Advance(29 * time.Second)
	require.Equal(t, gobreaker.StateOpen, state())
	clock.Advance(2 * time.Second)
	require.Equal(t, gobreaker.StateHalfOpen, state())

	// A good probe closes it.
	a.setErr(nil)
	res, err = create()
	require.NoError(t, err)
	require.Equal(t, "a", res.Provider)
	require.Equal(t, gobreaker.StateClosed, state())

	// Only providers it knows.
	_, err = r.CircuitState(ctx, "zz")
	require.Error(t, err)
}

// TestAllCircuitsOpen: when every eligible provider's circuit is open the create is not sent
// anywhere and says so.
func TestAllCircuitsOpen(t *testing.T) {
	clock := newFakeClock()
	a := newStub("a", paygate.INR)
	a.setErr(outcomeUnknown("a"))
	r, err := router.New([]router.Route{{Gateway: a}}, router.WithClock(clock.Now),
		router.WithBreaker(router.BreakerSettings{ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 1 }}))
	require.NoError(t, err)
	_, err = r.PayIn(context.Background(), inrPayIn("O1"))
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	_, err = r.PayIn(context.Background(), inrPayIn("O2"))
	require.ErrorIs(t, err, paygate.ErrNotSent)
	require.ErrorIs(t, err, router.ErrCircuitOpen)
	require.Equal(t, 1, a.Calls())
}

// panicky is a gateway whose pay-in panics.
type panicky struct{ *stub }

func (panicky) PayIn(context.Context, *paygate.PayInRequest) (*paygate.PayInResult, error) {
	panic("provider client bug")
}

// TestBreakerPanic: a panic in a provider's call is a failure for its circuit (a half-open
// circuit does not wait forever for its probe) and reaches the caller.
func TestBreakerPanic(t *testing.T) {
	clock := newFakeClock()
	a := panicky{newStub("a", paygate.INR)}
	r, err := router.New([]router.Route{{Gateway: a}}, router.WithClock(clock.Now),
		router.WithBreaker(router.BreakerSettings{ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 1 }}))
	require.NoError(t, err)
	require.Panics(t, func() { _, _ = r.PayIn(context.Background(), inrPayIn("O1")) })
	st, err := r.CircuitState(context.Background(), "a")
	require.NoError(t, err)
	require.Equal(t, gobreaker.StateOpen, st)
}

// TestProviderTimeoutCountsAgainstTheCircuit: a create that never left because the provider's
// host took longer than Config.Timeout to accept the connection (paygate.ErrProviderTimeout
// inside a NotSentError) is the provider's failure and counts towards opening its circuit; one
// that never left because the caller's own context ended (context.DeadlineExceeded) is not.
// Before ErrProviderTimeout both were DeadlineExceeded, and a provider whose connections hang
// never had its circuit opened.
func TestProviderTimeoutCountsAgainstTheCircuit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cause error
		want  gobreaker.State
	}{
		{"provider timeout", fmt.Errorf("%w (30s): dial tcp: i/o timeout", paygate.ErrProviderTimeout), gobreaker.StateOpen},
		{"caller's deadline", fmt.Errorf("waiting for the rate limiter: %w", context.DeadlineExceeded), gobreaker.StateClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newStub("a", paygate.INR), newStub("b", paygate.INR)
			r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}},
				router.WithBreaker(router.BreakerSettings{Timeout: time.Minute,
					ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 3 }}))
			require.NoError(t, err)
			a.setErr(&paygate.NotSentError{Provider: "a", Op: "payin", Err: tc.cause})
			for i := range 3 {
				res, err := r.PayIn(t.Context(), inrPayIn(fmt.Sprintf("O%d", i)))
				require.NoError(t, err)
				require.Equal(t, "b", res.Provider)
			}
			st, err := r.CircuitState(t.Context(), "a")
			require.NoError(t, err)
			require.Equal(t, tc.want, st)
		})
	}
}
