package tracker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/paygate-go/paygate"
	_ "github.com/paygate-go/paygate/cashgit" // registers "cashgit"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/tracker"
	"github.com/paygate-go/paygate/webhook"
)

// A pay-in's callback is lost (the merchant's endpoint was down); the tracker's poll finds
// the order succeeded and hands it to the same function the webhook calls.
func Example() {
	cfg := paygate.Config{Provider: "cashgit", MerchantID: "M10001", Secret: "example-secret"}
	sb, _ := sandbox.New("cashgit", cfg, sandbox.WithMinute(time.Hour))
	defer sb.Close()
	cfg.BaseURL = sb.URL()
	gw, _ := paygate.New(cfg)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer down.Close()

	handle := func(ctx context.Context, provider string, cb *paygate.Callback) error {
		_, polled := tracker.EventFrom(ctx)
		fmt.Println(provider, cb.OrderID, cb.Status, "polled:", polled)
		return nil
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	dedupe := webhook.NewMemoryDeduper(0, 0)
	tr := tracker.New([]paygate.Gateway{gw}, tracker.NewMemoryStore(), handle,
		tracker.WithDeduper(dedupe), tracker.WithClock(func() time.Time { return now }))

	ctx := context.Background()
	res, _ := gw.PayIn(ctx, &paygate.PayInRequest{OrderID: "ORDER_0001", Amount: paygate.MustParseMoney("100", paygate.INR),
		NotifyURL: down.URL + webhook.Path("cashgit")})
	_ = tr.Track(ctx, gw.Name(), paygate.KindPayIn, res.OrderID, tracker.WithStatus(res.Status, res.RawStatus))
	fmt.Println("settle:", sb.Settle("ORDER_0001", paygate.StatusSucceeded))

	now = now.Add(2 * time.Minute) // the first poll is due a minute (plus jitter) after Track
	n, err := tr.PollDue(ctx)
	fmt.Println("polled:", n, err)
	// Output:
	// settle: sandbox: callback not acknowledged, retrying on the provider's schedule
	// cashgit ORDER_0001 succeeded polled: true
	// polled: 1 <nil>
}
