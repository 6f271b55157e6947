package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/webhook"
)

// WithFinal is told of a final callback once fn has handled it, and of nothing else.
func TestWithFinal(t *testing.T) {
	gw := newFake("cashgit")
	var mu sync.Mutex
	var finals []string
	final := func(_ context.Context, provider string, cb *paygate.Callback) {
		mu.Lock()
		defer mu.Unlock()
		finals = append(finals, provider+"|"+cb.OrderID+"|"+string(cb.Status))
	}
	fail := true
	fn := func(context.Context, *paygate.Callback) error {
		if fail {
			return errors.New("database down")
		}
		return nil
	}
	srv := serve(t, webhook.Handler(gw, fn, webhook.WithFinal(final)))

	h, b := gw.good("O1", "paid")()
	require.Equal(t, http.StatusInternalServerError, post(t, srv, "/", h, b).status, "fn failed")
	fail = false
	h, b = gw.good("O1", "processing")()
	require.Equal(t, http.StatusOK, post(t, srv, "/", h, b).status)
	h, b = gw.good("O1", "paid")()
	require.Equal(t, http.StatusOK, post(t, srv, "/", h, b).status)

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"cashgit|O1|succeeded"}, finals)
}
