package router_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/router"
)

// TestDecisionsLoggedOnce: each decision of a create is one log line saying which provider
// and why, and the same decisions reach the observer.
func TestDecisionsLoggedOnce(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, b, c := newStub("a", paygate.INR), newStub("b", paygate.INR), newStub("c", paygate.INR)
	a.setErr(&paygate.NotSentError{Provider: "a", Op: "payin", Err: context.DeadlineExceeded})
	b.setErr(outcomeUnknown("b"))
	obs := &recorder{}
	r, err := router.New([]router.Route{{Gateway: a}, {Gateway: b, Priority: 1}, {Gateway: c, Priority: 2}},
		router.WithLogger(log), router.WithObserver(obs))
	require.NoError(t, err)
	_, err = r.PayIn(context.Background(), inrPayIn("O1"))
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)
	require.Zero(t, c.Calls())

	type line struct {
		Level, Msg, Op, Provider, Decision, Reason, From string
		OrderID                                          string `json:"order_id"`
	}
	var lines []line
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var x line
		require.NoError(t, json.Unmarshal([]byte(l), &x))
		lines = append(lines, x)
	}
	require.Equal(t, []line{
		{Level: "INFO", Msg: "router: chosen", Op: "payin", Provider: "a", Decision: "chosen", Reason: "priority", OrderID: "O1"},
		{Level: "WARN", Msg: "router: failover", Op: "payin", Provider: "b", Decision: "failover", Reason: "not_sent", From: "a", OrderID: "O1"},
		{Level: "WARN", Msg: "router: stopped", Op: "payin", Provider: "b", Decision: "stopped", Reason: "outcome_unknown", OrderID: "O1"},
	}, lines)
	require.Equal(t, []paygate.RouteEvent{
		{Operation: "payin", Provider: "a", Decision: "chosen", Reason: "priority"},
		{Operation: "payin", Provider: "b", Decision: "failover", Reason: "not_sent"},
		{Operation: "payin", Provider: "b", Decision: "stopped", Reason: "outcome_unknown"},
	}, obs.take())
	require.NotContains(t, buf.String(), "test-secret")
}
