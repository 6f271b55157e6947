package paygatetest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/signing"
)

// recorder is a RoundTripper that remembers every signature a Gateway sends.
type recorder struct {
	mu   sync.Mutex
	sigs []string
	next http.RoundTripper
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	for _, h := range []string{"sign", "Sign"} {
		if v := req.Header.Get(h); v != "" {
			r.sigs = append(r.sigs, v)
		}
	}
	if v := req.URL.Query().Get("signKey"); v != "" {
		r.sigs = append(r.sigs, v)
	}
	if req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		if fields, err := signing.Fields(body); err == nil {
			for _, k := range []string{"sign", "signKey"} {
				if fields[k] != "" {
					r.sigs = append(r.sigs, fields[k])
				}
			}
		}
	}
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// TestNoSecretInLogsOrErrors runs every operation and callback of every provider with debug
// logging on, successes and failures, and checks that no log line and no error carries the
// secret, a previous secret, the API key, or any signature that was sent or received.
func TestNoSecretInLogsOrErrors(t *testing.T) {
	for _, name := range sandbox.Providers() {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(name)
			cfg.Options["previous_secrets"] = "old-secret-" + name
			sb, err := sandbox.New(name, cfg)
			require.NoError(t, err)
			defer sb.Close()

			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			rec := &recorder{next: http.DefaultTransport.(*http.Transport).Clone()}
			defer rec.next.(*http.Transport).CloseIdleConnections()
			gw := newGateway(t, name, sb.URL(), 5*time.Second, paygate.WithLogger(logger),
				paygate.WithHTTPClient(&http.Client{Transport: rec}))
			logger.Info("config", "cfg", cfg) // a merchant logging its own config
			rcv := paygatetest.NewReceiver(gw)
			defer rcv.Close()

			var errs []error
			note := func(err error) {
				if err != nil {
					errs = append(errs, err)
				}
			}
			fx := paygatetest.Fixtures(gw.Capabilities().Currency)
			amount := paygate.MustParseMoney(fx.Amount, fx.Currency)
			ctx := context.Background()
			caps := gw.Capabilities()

			in := fx.PayIn()
			in.OrderID, in.Amount, in.NotifyURL = paygatetest.OrderID("S"), amount, rcv.URL
			res, err := gw.PayIn(ctx, in)
			require.NoError(t, err)
			_, err = gw.PayIn(ctx, in) // duplicate: a provider error
			note(err)
			bad := *in
			bad.Amount = paygate.MustParseMoney("0.001", fx.Currency)
			_, err = gw.PayIn(ctx, &bad) // validation error
			note(err)
			require.NoError(t, sb.Settle(in.OrderID, paygate.StatusSucceeded))
			rcv.Next(t)
			_, err = gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: in.OrderID, ProviderOrderID: res.ProviderOrderID})
			note(err)
			_, err = gw.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: "NOSUCH123", ProviderOrderID: "NOSUCH123"})
			note(err)
			if caps.PayOut {
				out := fx.PayOut()
				out.OrderID, out.Amount, out.NotifyURL = paygatetest.OrderID("S"), amount, rcv.URL
				_, err = gw.PayOut(ctx, out)
				require.NoError(t, err)
				require.NoError(t, sb.Settle(out.OrderID, paygate.StatusFailed))
				rcv.Next(t)
			}
			_, err = gw.Balance(ctx)
			note(err)

			// Callbacks that fail: forged and malformed, with the real signature in the header
			// and the body.
			_, err = gw.ParseCallback(http.Header{"Sign": {"00"}, "sign": {"00"}}, []byte(`{"sign":"`+strings.Repeat("a", 32)+`"}`))
			note(err)
			_, err = gw.ParseCallback(http.Header{}, []byte(`{"`))
			note(err)
			// An operation against a server with the wrong secret: the provider refuses the signature.
			wrong := testConfig(name)
			wrong.BaseURL, wrong.Secret = sb.URL(), "not-the-"+cfg.Secret
			gw2, err := paygate.New(wrong, paygate.WithLogger(logger), paygate.WithHTTPClient(&http.Client{Transport: rec}))
			require.NoError(t, err)
			_, err = gw2.Query(ctx, &paygate.QueryRequest{Kind: paygate.KindPayIn, OrderID: in.OrderID, ProviderOrderID: res.ProviderOrderID})
			note(err)

			require.NotEmpty(t, rec.sigs, "the recorder saw the signatures sent")
			require.NotEmpty(t, errs)
			secrets := append([]string{cfg.Secret, "old-secret-" + name, cfg.APIKey, wrong.Secret}, rec.sigs...)
			text := logs.String() + fmt.Sprintf("%v %+v %#v %s", gw, gw, gw, gw)
			for _, e := range errs {
				text += "\n" + e.Error()
			}
			require.Contains(t, logs.String(), "paygate request", "debug logging was on")
			for _, s := range secrets {
				require.NotContains(t, text, s)
			}
		})
	}
}
