package sandbox_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
)

// chromiumPath is Debian's Chromium (package chromium).
const chromiumPath = "/usr/bin/chromium"

// browser starts a headless Chromium with a fresh profile for one test. Without one it skips
// (PAYGATE_REQUIRE_BROWSER=1 makes that a failure, as CI sets it).
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("PAYGATE_REQUIRE_BROWSER") == "1" {
			t.Fatalf("PAYGATE_REQUIRE_BROWSER=1 but %s is missing: apt-get install -y chromium", chromiumPath)
		}
		t.Skipf("no browser at %s: run `apt-get install -y chromium`, then `go test ./sandbox -run Browser` (PAYGATE_SCREENSHOTS=DIR keeps screenshots)", chromiumPath)
	}
	profile := t.TempDir() // removed after the browser has exited (cleanups run last-in first-out)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 860),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	// The first call starts the browser and must not carry a timeout (it would bound the
	// browser's life); each later step gets its own.
	require.NoError(t, chromedp.Do(ctx), "start Chromium")
	return ctx
}

// stepTimeout bounds one group of browser steps.
const stepTimeout = 30 * time.Second

// do runs steps in the tab.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, steps...))
}

// text returns the trimmed text of the first element sel matches, once visible.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	require.NoError(t, err, sel)
	return strings.TrimSpace(s)
}

// count returns how many elements sel matches.
func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
	require.NoError(t, err, sel)
	return n
}

// shot saves a screenshot of the page as DIR/name.png when PAYGATE_SCREENSHOTS names DIR.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("PAYGATE_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// TestBrowserPayInCheckoutCallback: a pay-in created through the SDK; its PaymentURL opens the
// hosted checkout; Pay moves the order and sends its callback, which the merchant's
// webhook.Handler verifies; the dashboard shows the delivery with HTTP 200.
func TestBrowserPayInCheckoutCallback(t *testing.T) {
	ctx := browser(t)
	w := newWorld(t)
	res := w.payIn(t, "cashgit")

	do(t, ctx, chromedp.EmulateViewport(420, 760), chromedp.Navigate(res.PaymentURL), chromedp.WaitVisible(chromedp.CSS("#pay")))
	require.Equal(t, "512.05 INR", text(t, ctx, "#amount"))
	require.Equal(t, res.OrderID, text(t, ctx, "#order-id"))
	require.Contains(t, text(t, ctx, ".merchant"), "Sandbox Merchant")
	shot(t, ctx, "checkout")

	do(t, ctx, chromedp.Click(chromedp.CSS("#pay")), chromedp.WaitVisible(chromedp.CSS("#message")))
	require.Equal(t, "Payment successful. The merchant was notified.", text(t, ctx, "#message"))
	require.Equal(t, "succeeded", text(t, ctx, "#status"))
	require.Zero(t, count(t, ctx, "#pay"), "no buttons on a final order")
	shot(t, ctx, "checkout-paid")

	cbs := w.callbacks()
	require.Len(t, cbs, 1, "Pay returns after the first delivery, which the merchant acknowledged")
	require.Equal(t, res.OrderID, cbs[0].OrderID)
	require.Equal(t, paygate.StatusSucceeded, cbs[0].Status)
	require.Equal(t, "512.05 INR", cbs[0].Amount.String())

	do(t, ctx, chromedp.EmulateViewport(1280, 860),
		chromedp.Navigate(w.dash.URL+orderPath("cashgit", paygate.KindPayIn, res.OrderID)),
		chromedp.WaitVisible(chromedp.CSS("tr.delivery .http")))
	require.Equal(t, "200", text(t, ctx, "tr.delivery .http"))
	require.Equal(t, "succeeded", text(t, ctx, "#status"))
	require.Contains(t, text(t, ctx, "tr.delivery"), "success", "the merchant's answer")
	shot(t, ctx, "order-delivered")
}

// TestBrowserDropThenResend: the next callback is dropped, the order succeeds without the
// merchant hearing of it, and Resend delivers it.
func TestBrowserDropThenResend(t *testing.T) {
	ctx := browser(t)
	w := newWorld(t)
	res := w.payIn(t, "deekpay")
	page := w.dash.URL + orderPath("deekpay", paygate.KindPayIn, res.OrderID)

	do(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#act-drop_next")),
		chromedp.Click(chromedp.CSS("#act-drop_next")), chromedp.WaitVisible(chromedp.CSS("#held")))
	require.Equal(t, "dropped", text(t, ctx, "#held"))
	do(t, ctx, chromedp.Click(chromedp.CSS("#act-succeed")), chromedp.WaitVisible(chromedp.CSS("tr.delivery")))
	require.Contains(t, text(t, ctx, "tr.delivery"), "not sent")
	require.Empty(t, w.callbacks(), "the merchant heard nothing")
	shot(t, ctx, "drop-dropped")

	do(t, ctx, chromedp.Click(chromedp.CSS("#act-resend")), chromedp.WaitVisible(chromedp.CSS("tr.delivery .http")))
	latest := text(t, ctx, "tr.delivery") // newest first
	require.Contains(t, latest, "200")
	require.Contains(t, latest, "resend")
	require.Equal(t, "succeeded", text(t, ctx, "#status"))
	require.Equal(t, 2, count(t, ctx, "tr.delivery"))
	cbs := w.callbacks()
	require.Len(t, cbs, 1)
	require.Equal(t, res.OrderID, cbs[0].OrderID)
	require.Equal(t, paygate.StatusSucceeded, cbs[0].Status)
	shot(t, ctx, "drop-resent")
}

// TestBrowserLostAnswer: the "answer lost" switch makes the SDK's next create end in
// ErrOutcomeUnknown while the dashboard shows the order the provider created.
func TestBrowserLostAnswer(t *testing.T) {
	ctx := browser(t)
	w := newWorld(t)

	do(t, ctx, chromedp.Navigate(w.dash.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#fault-paypro")),
		chromedp.SetValue(chromedp.CSS("#fault-paypro"), "answer_lost"),
		chromedp.Click(chromedp.CSS("#arm-paypro")), chromedp.WaitVisible(chromedp.CSS("#message")))
	require.Equal(t, "answer lost", text(t, ctx, "#prov-paypro h2 .badge"))
	shot(t, ctx, "fault-armed")

	res, err := w.tryPayIn(t, "paypro")
	require.ErrorIs(t, err, paygate.ErrOutcomeUnknown)

	do(t, ctx, chromedp.Navigate(w.dash.URL+"/?provider=paypro"), chromedp.WaitVisible(chromedp.CSS("a.order-link")))
	require.Equal(t, res.OrderID, text(t, ctx, "a.order-link"), "the provider has the order")
	require.Equal(t, "normal", text(t, ctx, "#prov-paypro h2 .badge"), "the switch applied once")
	shot(t, ctx, "fault-order-created")
	do(t, ctx, chromedp.Click(chromedp.CSS("a.order-link")), chromedp.WaitVisible(chromedp.CSS("#act-succeed")))
	require.Equal(t, "processing", text(t, ctx, "#status"))
}

// TestBrowserDashboard fills the sandbox with orders of every provider in several states and
// takes the screenshot the README shows.
func TestBrowserDashboard(t *testing.T) {
	ctx := browser(t)
	w := newWorld(t)
	for i, p := range []string{"cashgit", "caipay", "cashy", "deekpay", "paypro", "cashgit", "cashy"} {
		res := w.payIn(t, p)
		s := w.cluster.Server(p)
		switch i {
		case 0, 2, 4:
			_ = s.SettleOf(paygate.KindPayIn, res.OrderID, paygate.StatusSucceeded)
		case 1:
			_ = s.SettleOf(paygate.KindPayIn, res.OrderID, paygate.StatusFailed)
		case 5:
			_ = s.SettleOf(paygate.KindPayIn, res.OrderID, paygate.StatusCancelled)
		}
	}
	for _, p := range []string{"paypro", "cashgit", "cashy"} {
		out := w.payOut(t, p)
		_ = w.cluster.Server(p).SettleOf(paygate.KindPayOut, out.OrderID, paygate.StatusSucceeded)
	}
	require.NoError(t, w.cluster.Server("deekpay").SetFault("slow"))

	do(t, ctx, chromedp.Navigate(w.dash.URL+"/"), chromedp.WaitVisible(chromedp.CSS("a.order-link")))
	require.Equal(t, 10, count(t, ctx, "#orders tbody tr"))
	shot(t, ctx, "dashboard")

	do(t, ctx, chromedp.SetValue(chromedp.CSS("select[name=kind]"), "payout"),
		chromedp.Submit(chromedp.CSS("select[name=kind]")),
		chromedp.WaitVisible(chromedp.CSS("a.order-link")))
	require.Equal(t, 3, count(t, ctx, "#orders tbody tr"), "filtered to pay-outs")
	shot(t, ctx, "dashboard-payouts")
	require.NoError(t, w.cluster.Server("deekpay").SetFault(""))
}
