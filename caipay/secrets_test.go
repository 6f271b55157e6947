package caipay_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/caipay"
)

// TestNoSecretsInErrorsOrLogs runs every endpoint through success, refusal, an unreadable
// answer and a timeout, with a debug JSON logger, and checks that neither the log nor any
// error text holds the secret, the token or a signKey that was sent.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	docAnswers := map[string]string{
		caipay.PathPayIn: docPayIn, caipay.PathPayInH2H: docPayInH2H, caipay.PathPayOut: docPayOut,
		caipay.PathSearchPayIn: docSearch, caipay.PathSearchPayOut: docSearch,
		caipay.PathSubmitUTR: `{"code":0,"msg":null,"data":null,"ok":true}`,
	}
	behaviours := map[string]http.HandlerFunc{
		"success": func(w http.ResponseWriter, r *http.Request) { answer(http.StatusOK, docAnswers[r.URL.Path])(w, r) },
		"refusal": answer(http.StatusUnauthorized, `{"code":401,"msg":"Unauthorized","data":null,"ok":false}`),
		"html":    answer(http.StatusBadGateway, htmlPage),
		"garbage": answer(http.StatusOK, `{"code":0,"data":{"platOrderNo":`),
		"timeout": func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var texts []string
	var sent []string // every signKey that went out
	for name, behave := range behaviours {
		api := newAPI(t, behave)
		cfg := testConfig(api.URL)
		cfg.Timeout = 100 * time.Millisecond
		c, err := caipay.New(cfg, fastRetry, paygate.WithLogger(logger))
		require.NoError(t, err)
		for _, ep := range endpoints() {
			if err := ep.call(context.Background(), c); err != nil {
				texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
			} else {
				require.Equal(t, "success", name, ep.name)
			}
		}
		api.mu.Lock()
		for _, r := range api.reqs {
			q, _ := url.ParseQuery(r.RawQuery)
			if s := q.Get("signKey"); s != "" {
				sent = append(sent, s)
			}
			if i := bytes.Index(r.Body, []byte(`"signKey":"`)); i >= 0 {
				sent = append(sent, string(r.Body[i+11:i+43]))
			}
		}
		api.mu.Unlock()
	}
	c := callbackClient(t, nil)
	for _, body := range [][]byte{
		testdata(t, "callback_payin.json"),
		signedSample(t, "callback_payin.json", "wrong"),
		[]byte(`{"token":"` + testToken + `"`),
	} {
		_, err := c.ParseCallback(nil, body)
		require.Error(t, err)
		texts = append(texts, err.Error())
	}

	require.NotEmpty(t, logs.String(), "the transport logs at debug level")
	require.GreaterOrEqual(t, len(sent), 6)
	texts = append(texts, logs.String())
	for _, text := range texts {
		require.NotContains(t, text, testSecret)
		require.NotContains(t, text, testToken)
		require.NotContains(t, text, testToken[:32], "not even a part of the token")
		for _, s := range sent {
			require.NotContains(t, text, s)
		}
		require.False(t, strings.Contains(text, "signKey="), text)
	}
}
