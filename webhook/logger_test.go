package webhook_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/webhook"
)

func jsonLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// logLines parses JSON log output, one object a line.
func logLines(t testing.TB, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for l := range strings.Lines(out) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "log line %q", l)
		lines = append(lines, m)
	}
	return lines
}

func TestLoggerOneLinePerCallback(t *testing.T) {
	gw := newFake("fake")
	logs := &lockedBuffer{}
	rec := &recorder{fail: func(_ int, cb *paygate.Callback) error {
		if cb.OrderID == "ORD-FAIL" {
			return errors.New("store refused ORD-FAIL")
		}
		return nil
	}}
	log := jsonLogger(logs)
	srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithLogger(log),
		webhook.WithDeduper(webhook.NewMemoryDeduper(0, 0)), webhook.WithMaxBodyBytes(4096)))
	confirming := newFake("fake")
	confirmSrv := serve(t, webhook.Handler(confirming, rec.fn, webhook.WithLogger(log), webhook.WithConfirm()))

	good := sign(fields("ORD-1", "paid"), gw.secret)
	forged := sign(fields("ORD-1", "paid"), "guess")
	failing := sign(fields("ORD-FAIL", "paid"), gw.secret)
	big := fields("ORD-1", "paid")
	big["remark"] = strings.Repeat("y", 5000)

	steps := []struct {
		srv     string
		method  string
		body    []byte
		outcome string
		status  float64
		orderID string // "" when the callback never verified
	}{
		{"main", "POST", good, webhook.OutcomeHandled, 200, "ORD-1"},
		{"main", "POST", good, webhook.OutcomeDuplicate, 200, "ORD-1"},
		{"main", "POST", forged, webhook.OutcomeInvalidSignature, 401, ""},
		{"main", "POST", []byte(`{"sign":`), webhook.OutcomeMalformed, 400, ""},
		{"main", "POST", sign(big, gw.secret), webhook.OutcomeTooLarge, 413, ""},
		{"main", "GET", nil, webhook.OutcomeMethodNotAllowed, 405, ""},
		{"main", "POST", failing, webhook.OutcomeHandlerError, 500, "ORD-FAIL"},
		{"confirm", "POST", sign(fields("ORD-2", "paid"), confirming.secret), webhook.OutcomeConfirmFailed, 500, "ORD-2"},
	}
	for i, s := range steps {
		target := srv
		if s.srv == "confirm" {
			target = confirmSrv
		}
		r, err := send(t.Context(), target, s.method, "/", nil, s.body, false)
		require.NoError(t, err)
		require.Equal(t, int(s.status), r.status, "step %d", i)
	}

	out := logs.String()
	lines := logLines(t, out)
	require.Len(t, lines, len(steps), "exactly one line per request:\n%s", out)
	for i, s := range steps {
		l := lines[i]
		require.Equal(t, "fake", l["provider"], "line %d", i)
		require.Equal(t, s.outcome, l["outcome"], "line %d", i)
		require.Equal(t, s.status, l["http_status"], "line %d", i)
		if s.orderID != "" {
			require.Equal(t, s.orderID, l["order_id"], "line %d", i)
			require.Equal(t, "T"+s.orderID, l["provider_order_id"], "line %d", i)
			require.Equal(t, "payin", l["kind"], "line %d", i)
			require.Equal(t, "succeeded", l["status"], "line %d", i)
		} else {
			require.NotContains(t, l, "order_id", "nothing unverified is logged")
		}
	}
	require.Equal(t, "mismatch", lines[2]["reason"])
	require.Equal(t, "store refused ORD-FAIL", lines[6]["error"])
	require.Equal(t, "WARN", lines[2]["level"])
	require.Equal(t, "ERROR", lines[6]["level"])
	require.Equal(t, "INFO", lines[0]["level"])

	// Never the secret, the signatures, or the body.
	for _, secret := range []string{fakeSecret, gw.secret, confirming.secret} {
		require.NotContains(t, out, secret)
	}
	for _, b := range [][]byte{good, forged, failing} {
		require.NotContains(t, out, signature(b))
	}
	require.NotContains(t, out, `"sign"`)
	require.NotContains(t, out, "100.00", "amounts come from the body, which is not logged")
	require.NotContains(t, out, "yyyy")
}

// The default logger discards: a handler without WithLogger writes nothing anywhere.
func TestLoggerDefaultDiscards(t *testing.T) {
	gw := newFake("fake")
	srv := serve(t, webhook.Handler(gw, (&recorder{}).fn, webhook.WithLogger(nil)))
	h, b := gw.good("ORD-1", "paid")()
	requireAck(t, gw.ack, post(t, srv, "/", h, b))
	r, err := send(t.Context(), srv, http.MethodGet, "/", nil, nil, false)
	require.NoError(t, err)
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
}
