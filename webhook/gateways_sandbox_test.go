package webhook_test

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	_ "github.com/paygate-go/paygate/providers" // every provider
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/webhook"
)

// sandboxCase is one real provider in the TestGateways contract, its callbacks made by the
// provider's sandbox: good is a callback the sandbox signed with our secret, and the
// forgeries are one signed with another secret, one whose amount was edited after signing,
// and one without its signature.
func sandboxCase(t *testing.T, provider string) gatewayCase {
	t.Helper()
	cfg := paygate.Config{Provider: provider, MerchantID: "M10001", APIKey: "test-api-key", Secret: "webhook-secret-" + provider}
	if provider == "cashgit" { // the one provider with a client-side rate limit; others refuse the option
		cfg.Options = map[string]string{"rate_limit": "0"}
	}
	good := capture(t, cfg)
	forgedCfg := cfg
	forgedCfg.Secret = "guessed-secret"
	forged := capture(t, forgedCfg)

	cfg.BaseURL = "http://127.0.0.1:9" // callbacks only: nothing is sent
	gw, err := paygate.New(cfg)
	require.NoError(t, err)
	// The handler contract without the confirming query (which needs a live provider; the
	// review tests run it): an interface value hides the gateway's ConfirmCallbacks.
	gw = struct{ paygate.Gateway }{gw}
	amount := regexp.MustCompile(`("(?:amount|orderAmount)"\s*:\s*"?)(\d+)`)
	return gatewayCase{
		name: provider,
		gw:   gw,
		good: func() (http.Header, []byte) { return good.header.Clone(), bytes.Clone(good.body) },
		tampers: []tamper{
			{"forged with another secret", func(http.Header, []byte) (http.Header, []byte) {
				return forged.header.Clone(), bytes.Clone(forged.body)
			}},
			{"amount changed after signing", func(h http.Header, b []byte) (http.Header, []byte) {
				out := amount.ReplaceAll(b, []byte("${1}9${2}"))
				require.NotEqual(t, b, out, "the callback carries an amount")
				return h, out
			}},
			{"signature removed", func(h http.Header, b []byte) (http.Header, []byte) {
				h.Del("sign")
				return h, regexp.MustCompile(`"sign(Key)?"\s*:\s*"[^"]*"`).ReplaceAll(b, []byte(`"sign$1":""`))
			}},
		},
	}
}

type captured struct {
	header http.Header
	body   []byte
}

// capture has a sandbox configured with cfg settle a pay-in and returns the callback it sent.
func capture(t *testing.T, cfg paygate.Config) captured {
	t.Helper()
	got, _ := captureOrder(t, cfg, paygatetest.OrderID("WH"))
	return got
}

// ackFor is each provider's acknowledgement text, for the capture of forged callbacks.
func ackFor(provider string) []byte {
	switch provider {
	case "paypro":
		return []byte("OK")
	case "cashy":
		return []byte("SUCCESS")
	case "deekpay":
		return []byte(`{"code":200,"success":true}`)
	}
	return []byte("success")
}

// TestGatewaysFromSandbox runs every provider through the handler contract, with callbacks
// the provider's sandbox signed, and 50 concurrent duplicates reaching fn exactly once.
func TestGatewaysFromSandbox(t *testing.T) {
	for _, name := range sandbox.Providers() {
		if !slices.Contains(paygate.Providers(), name) {
			t.Fatalf("sandbox fakes %s but no provider package registers it", name)
		}
		t.Run(name, func(t *testing.T) {
			c := sandboxCase(t, name)
			exerciseGateway(t, c.gw, c.good, c.tampers...)

			t.Run("50 concurrent duplicates", func(t *testing.T) {
				rec := &recorder{fail: func(int, *paygate.Callback) error { time.Sleep(2 * time.Millisecond); return nil }}
				srv := serve(t, webhook.Handler(c.gw, rec.fn, webhook.WithDeduper(webhook.NewMemoryDeduper(time.Hour, 1000))))
				var wg sync.WaitGroup
				statuses := make(chan int, 50)
				for range 50 {
					wg.Go(func() { // send, not post: require may only stop the test's own goroutine
						h, b := c.good()
						r, err := send(t.Context(), srv, http.MethodPost, "/cb", h, b, false)
						if err != nil {
							r.status = -1
						}
						statuses <- r.status
					})
				}
				wg.Wait()
				close(statuses)
				for s := range statuses {
					require.Equal(t, http.StatusOK, s)
				}
				require.Equal(t, 1, rec.n(), "fn is called exactly once")
			})
		})
	}
}
