package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
)

// TestSandboxCommandRunsAll: without --provider, every fake runs with the dashboard; each
// printed (and written) config works as it stands, and the dashboard lists the orders.
func TestSandboxCommandRunsAll(t *testing.T) {
	dir := t.TempDir()
	out, _ := startSandboxCmd(t, "--admin-addr", "127.0.0.1:0", "--config-dir", dir)
	docs := strings.Split(out, "---\n")
	require.Len(t, docs, len(sandbox.Providers())+1, out)
	dash := regexp.MustCompile(`# dashboard: (http://[^/ ]+)/`).FindStringSubmatch(out)
	require.NotNil(t, dash, out)

	for i, p := range sandbox.Providers() {
		require.Contains(t, docs[i], "provider: \""+p+"\"")
		file := filepath.Join(dir, "paygate."+p+".yaml")
		info, err := os.Stat(file)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "it holds a secret")
		cfg, err := paygate.LoadConfig(file)
		require.NoError(t, err, p)
		require.Equal(t, p, cfg.Provider)
		gw, err := paygate.New(cfg)
		require.NoError(t, err)
		fx := paygatetest.Fixtures(gw.Capabilities().Currency)
		req := fx.PayIn()
		req.OrderID, req.Amount = paygatetest.OrderID("CLI"), paygate.MustParseMoney(fx.Amount, fx.Currency)
		req.NotifyURL = "http://127.0.0.1:9/callback" // never called: nothing settles here
		res, err := gw.PayIn(context.Background(), req)
		require.NoError(t, err, p)

		code, page := httpGet(t, res.PaymentURL)
		require.Equal(t, http.StatusOK, code, "the payment link opens the checkout")
		require.Contains(t, page, res.OrderID)
		code, page = httpGet(t, dash[1]+"/?provider="+p)
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, page, res.OrderID)
		require.NotContains(t, page, cfg.Secret)
	}
}

func TestSandboxCommandCredentialFlagsNeedProvider(t *testing.T) {
	r := paygateCmd(t, "sandbox", "--secret", "s", "--admin-addr", "127.0.0.1:0")
	require.Equal(t, exitUsage, r.code, r.stderr)
	require.Contains(t, r.stderr, "need --provider")
}

func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestSandboxAllOutputIsOneDocumentPerProvider: the all-providers sandbox prints one YAML
// document per provider on standard output. Saved whole to one file, LoadConfig used to take
// the first document (CaiPay) and drop the other four silently; it now refuses the file, and
// the output says to save each document in its own file (or use --config-dir), which loads.
func TestSandboxAllOutputIsOneDocumentPerProvider(t *testing.T) {
	out, _ := startSandboxCmd(t, "--admin-addr", "127.0.0.1:0")
	require.Contains(t, out, "one YAML document per provider")
	require.Contains(t, out, "--config-dir")

	dir := t.TempDir()
	whole := filepath.Join(dir, "sandbox.yaml")
	require.NoError(t, os.WriteFile(whole, []byte(out), 0o600))
	cfg, err := paygate.LoadConfig(whole)
	require.ErrorIs(t, err, paygate.ErrInvalidConfig, "a file of several YAML documents loaded as %s alone", cfg.Provider)
	require.ErrorContains(t, err, "second YAML document")

	docs := strings.Split(out, "---\n")
	for i, p := range sandbox.Providers() {
		file := filepath.Join(dir, p+".yaml")
		require.NoError(t, os.WriteFile(file, []byte(docs[i]), 0o600))
		cfg, err := paygate.LoadConfig(file)
		require.NoError(t, err, p)
		require.Equal(t, p, cfg.Provider)
	}
}

// TestSandboxCommandCredentials: as `help sandbox` says, a merchant id missing from --config
// defaults to M10001, as one missing from the flags does (the fake ran with "", and the
// config it printed was refused by paygate.New), and --api-key is refused for a provider that
// uses none.
func TestSandboxCommandCredentials(t *testing.T) {
	for _, p := range sandbox.Providers() {
		t.Run(p, func(t *testing.T) {
			cfg := writeConfig(t, "sb.yaml", "provider: "+p+"\nsecret: given-secret\n")
			dir := t.TempDir()
			out, _ := startSandboxCmd(t, "--config", cfg, "--config-dir", dir)
			require.Contains(t, out, `merchant_id: "M10001"`)
			written, err := paygate.LoadConfig(filepath.Join(dir, "paygate."+p+".yaml"))
			require.NoError(t, err)
			require.Equal(t, "M10001", written.MerchantID)

			if !sandbox.UsesAPIKey(p) {
				r := paygateCmd(t, "sandbox", "--provider", p, "--addr", "127.0.0.1:0", "--api-key", "k")
				require.Equal(t, exitUsage, r.code, r.stderr)
				require.Contains(t, r.stderr, "--api-key: "+p+" uses no API key")
			}
		})
	}
}
