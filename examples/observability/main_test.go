package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paygate-go/paygate/sandbox"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestObservability runs the example for every provider and checks what it printed: the
// operation and attempt spans, the callback, the metrics, and no order number or amount.
func TestObservability(t *testing.T) {
	for _, p := range sandbox.Providers() {
		t.Run(p, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, run(&out, p))
			s := out.String()
			for _, want := range []string{
				`"Name": "checkout"`, `"Name": "paygate.payin"`, `"Name": "paygate.callback"`,
				`"SpanKind": 3`, // a CLIENT span per HTTP attempt
				`"Key": "url.template"`, `"Key": "http.request.method"`,
				`"Name": "http.client.request.duration"`, `"Name": "paygate.client.operation.duration"`,
				`"Name": "paygate.webhook.callbacks"`,
			} {
				require.True(t, strings.Contains(s, want), "the output shows %s", want)
			}
			require.False(t, regexp.MustCompile(`OBS\d+`).MatchString(s), "no order number")
			for _, never := range []string{"500.00", "demo-secret", "demo-api-key", "?"} {
				require.False(t, strings.Contains(s, never), "the output never shows %q", never)
			}
		})
	}
}
