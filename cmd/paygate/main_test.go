package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/signing"
)

// result is one invocation's outcome.
type result struct {
	code           int
	stdout, stderr string
}

// paygateCmd runs the command line with args.
func paygateCmd(t *testing.T, args ...string) result {
	t.Helper()
	return paygateStdin(t, "", args...)
}

// paygateStdin runs the command line with args and stdin as standard input.
func paygateStdin(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut}
	code := c.run(t.Context(), args)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func TestRunUsesTheGivenWriters(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, exitOK, run([]string{"help"}, &out, &errOut))
	require.Contains(t, out.String(), "Commands:")
	require.Empty(t, errOut.String())
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := paygateCmd(t, args...)
		require.Equal(t, exitOK, r.code, args)
		require.Empty(t, r.stderr)
		for _, cmd := range []string{"sandbox", "sign", "verify", "payin", "payout", "query", "balance", "help"} {
			require.Regexp(t, `(?m)^  `+cmd+` +\S`, r.stdout, "usage lists %s with a description", cmd)
			require.Contains(t, r.stdout, "paygate "+cmd+" ", "usage has an example of %s", cmd)
		}
		require.Contains(t, r.stdout, "Exit status: 0 success, 1")
	}
}

func TestHelpOfOneCommand(t *testing.T) {
	for _, args := range [][]string{{"help", "sign"}, {"sign", "-h"}, {"sign", "--help"}} {
		r := paygateCmd(t, args...)
		require.Equal(t, exitOK, r.code, args)
		require.Contains(t, r.stdout, "Usage: paygate sign --provider NAME")
		require.Contains(t, r.stdout, "-secret-env")
		require.Contains(t, r.stdout, "Example:\n  paygate sign")
	}
	for _, cmd := range commands {
		r := paygateCmd(t, "help", cmd.name)
		require.Equal(t, exitOK, r.code)
		require.Contains(t, r.stdout, "Usage: paygate "+cmd.name)
		require.Contains(t, r.stdout, "Flags:\n  -")
	}
}

func TestUsageErrors(t *testing.T) {
	cfg := writeConfig(t, "c.json", `{"provider":"cashgit","merchant_id":"M10001","secret":"s","base_url":"http://127.0.0.1:1"}`)
	cases := []struct {
		name, want string
		args       []string
	}{
		{"no arguments", "no command given", nil},
		{"unknown command", `unknown command "frobnicate"`, []string{"frobnicate"}},
		{"help of unknown command", `unknown command "frobnicate"`, []string{"help", "frobnicate"}},
		{"unknown flag", "flag provided but not defined: -nope", []string{"sign", "--nope"}},
		{"flag without value", "flag needs an argument: -amount", []string{"payin", "--config", cfg, "--amount"}},
		{"bad bool", "invalid boolean value", []string{"payin", "--direct=maybe"}},
		{"bad duration", "invalid value", []string{"balance", "--config", cfg, "--timeout", "soon"}},
		{"zero timeout", "--timeout must be positive", []string{"balance", "--config", cfg, "--timeout", "0s"}},
		{"sign without provider", "--provider is required", []string{"sign", "--secret", "s", "a=b"}},
		{"sign unknown provider", `unknown provider "stripe"`, []string{"sign", "--provider", "stripe", "--secret", "s", "a=b"}},
		{"sign without secret", "--secret-env or --secret is required", []string{"sign", "--provider", "cashgit", "a=b"}},
		{"sign with both secrets", "not both", []string{"sign", "--provider", "cashgit", "--secret", "s", "--secret-env", "HOME", "a=b"}},
		{"sign unset secret env", "PAYGATE_TEST_UNSET", []string{"sign", "--provider", "cashgit", "--secret-env", "PAYGATE_TEST_UNSET", "a=b"}},
		{"sign no fields", "no fields to sign", []string{"sign", "--provider", "cashgit", "--secret", "s"}},
		{"sign not key=value", `"orderid" is not key=value`, []string{"sign", "--provider", "cashgit", "--secret", "s", "orderid"}},
		{"sign field twice", `field "a" is given twice`, []string{"sign", "--provider", "cashgit", "--secret", "s", "a=1", "a=2"}},
		{"style for another provider", "--style applies to cashgit only", []string{"sign", "--provider", "paypro", "--style", "append", "--secret", "s", "a=b"}},
		{"unknown style", "--style must be key_param or append", []string{"sign", "--provider", "cashgit", "--style", "md5", "--secret", "s", "a=b"}},
		{"deekpay without headers", "access_key", []string{"sign", "--provider", "deekpay", "--secret", "s", "amount=1"}},
		{"cashy fields", "cashy signs the raw request body", []string{"sign", "--provider", "cashy", "--secret", "s", "a=b"}},
		{"cashy without body", "--body FILE", []string{"sign", "--provider", "cashy", "--secret", "s"}},
		{"verify without sign", "--sign is required", []string{"verify", "--provider", "deekpay", "--secret", "s", "access_key=a", "timestamp=1", "nonce=n"}},
		{"payin without config", "--config is required", []string{"payin", "--order-id", "ORDER_1", "--amount", "100"}},
		{"payin without order", "--order-id is required", []string{"payin", "--config", cfg, "--amount", "100"}},
		{"payin without amount", "--amount is required", []string{"payin", "--config", cfg, "--order-id", "ORDER_1"}},
		{"payin float amount", `--amount "1e3" is not a plain decimal`, []string{"payin", "--config", cfg, "--order-id", "ORDER_1", "--amount", "1e3"}},
		{"payin positional", `unexpected argument "now"`, []string{"payin", "--config", cfg, "--order-id", "ORDER_1", "--amount", "100", "now"}},
		{"payout bad amount", `--amount "ten"`, []string{"payout", "--config", cfg, "--order-id", "PO_1", "--amount", "ten"}},
		{"payin bad extra", "want key=value", []string{"payin", "--extra", "novalue"}},
		{"query bad kind", "--kind must be payin or payout", []string{"query", "--config", cfg, "--kind", "refund", "--order-id", "ORDER_1"}},
		{"query without id", "--order-id or --provider-order-id is required", []string{"query", "--config", cfg}},
		{"balance positional", `unexpected argument "x"`, []string{"balance", "--config", cfg, "x"}},
		{"sandbox unknown provider", `no fake of "stripe"`, []string{"sandbox", "--provider", "stripe", "--addr", "127.0.0.1:0"}},
		{"sandbox config and flags", "not both", []string{"sandbox", "--config", cfg, "--secret", "s"}},
		{"sandbox provider contradicts config", "contradicts", []string{"sandbox", "--config", cfg, "--provider", "cashy"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := paygateCmd(t, tc.args...)
			require.Equal(t, exitUsage, r.code, r.stderr)
			require.Contains(t, r.stderr, tc.want)
			require.NotContains(t, r.stderr, "Usage:", "a usage error prints one line, not the whole help")
			require.NotContains(t, r.stderr, "Commands:")
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			require.Len(t, lines, 2, r.stderr)
			require.Regexp(t, "^run `paygate help( [a-z]+)?` for ", lines[1])
			require.Empty(t, r.stdout)
		})
	}
}

// TestUsageErrorIsShort is finding 7: a usage error is one line and a pointer to the help,
// not the 33-line help itself.
func TestUsageErrorIsShort(t *testing.T) {
	r := paygateCmd(t, "payin", "--amount", "100", "--order-id", "O_1")
	require.Equal(t, exitUsage, r.code)
	require.Equal(t, "paygate payin: --config is required\nrun `paygate help payin` for its flags\n", r.stderr)

	r = paygateCmd(t, "qeury")
	require.Equal(t, exitUsage, r.code)
	require.Equal(t, "paygate: unknown command \"qeury\"; did you mean \"query\"?\nrun `paygate help` for the commands\n", r.stderr)
}

// TestMissingFilesAreUsageErrors is finding 7: a --body or --config file that does not exist
// is a usage error (exit 2), not a failed operation (exit 1).
func TestMissingFilesAreUsageErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.json")
	r := paygateCmd(t, "verify", "--provider", "cashgit", "--secret", "s", "--body", missing)
	require.Equal(t, exitUsage, r.code, r.stderr)
	require.Contains(t, r.stderr, "--body: open "+missing)
	require.Contains(t, r.stderr, "run `paygate help verify`")

	r = paygateCmd(t, "sign", "--provider", "cashy", "--secret", "s", "--body", missing)
	require.Equal(t, exitUsage, r.code, r.stderr)

	r = paygateCmd(t, "balance", "--config", missing)
	require.Equal(t, exitUsage, r.code, r.stderr)
	require.Contains(t, r.stderr, "does not exist (a commented sample: examples/paygate.example.yaml)")
}

// TestHelpConfig: "paygate help config" prints the keys and every provider's declared options.
func TestHelpConfig(t *testing.T) {
	r := paygateCmd(t, "help", "config")
	require.Equal(t, exitOK, r.code)
	require.Empty(t, r.stderr)
	for _, p := range paygate.Providers() {
		require.Contains(t, r.stdout, "Options of "+p+":")
		for _, s := range paygate.OptionSpecs(p) {
			require.Contains(t, r.stdout, "  "+s.Name+"\n")
		}
	}
	require.Contains(t, r.stdout, "(default key_param; one of: key_param, append)")
	require.Contains(t, r.stdout, "timeout needs a unit")
}

// TestConfigErrorsOnePerLine: every problem of a config file is printed, one per line, with
// the command's prefix.
func TestConfigErrorsOnePerLine(t *testing.T) {
	cfg := writeConfig(t, "bad.yaml", "provider: cashgit\nbase_ur: http://127.0.0.1:1\ntimeout: 30\n")
	r := paygateCmd(t, "balance", "--config", cfg)
	require.Equal(t, exitFailed, r.code)
	require.Equal(t, "paygate balance: config line 2: base_ur: unknown key; did you mean `base_url`?\n"+
		"paygate balance: config line 3: timeout: `30` is a bare number; write 30s (a duration needs a unit: ms, s, m, h)\n", r.stderr)
}

// TestQueryTriesTheOtherKindWithoutNotFoundCode: CaiPay documents no not-found code, so its
// refusal of a pay-in query is a plain refusal; a pay-out queried without --kind is found all
// the same (paygate.MayBeNotFound).
func TestQueryTriesTheOtherKindWithoutNotFoundCode(t *testing.T) {
	srv, err := sandbox.New("caipay", paygate.Config{Provider: "caipay", MerchantID: "M10001", APIKey: "cp-token", Secret: "cp-secret"})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	cfg := writeConfig(t, "caipay.yaml", fmt.Sprintf("provider: caipay\nbase_url: %s\nmerchant_id: M10001\napi_key: cp-token\nsecret: cp-secret\n", srv.URL()))
	r := paygateCmd(t, "payout", "--config", cfg, "--order-id", "PO_CAI_0001", "--amount", "500",
		"--name", "A Kumar", "--account", "1234567890", "--ifsc", "HDFC0000001", "--phone", "9876543210",
		"--email", "a.kumar@example.com", "--notify-url", "https://merchant.example/cb")
	require.Equal(t, exitOK, r.code, r.stderr)

	r = paygateCmd(t, "query", "--config", cfg, "--order-id", "PO_CAI_0001")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "payout", valueOf(t, r.stdout, "kind"))
	require.Equal(t, "paygate query: no pay-in of that number; found a pay-out (--kind payout)\n", r.stderr)

	r = paygateCmd(t, "query", "--config", cfg, "--order-id", "NOSUCH_0001")
	require.Equal(t, exitFailed, r.code)
	require.Contains(t, r.stderr, "order does not exist")
}

// TestQueryTriesTheOtherKind is finding 7: a pay-out queried without --kind is found, and the
// command says it looked for the other kind.
func TestQueryTriesTheOtherKind(t *testing.T) {
	srv := fakeCashGit(t, cashgitCfg)
	cfg := writeConfig(t, "cashgit.yaml", fmt.Sprintf("provider: cashgit\nbase_url: %s\nmerchant_id: M10001\nsecret: cg-sandbox-secret\noptions:\n  rate_limit: \"0\"\n", srv.URL()))
	r := paygateCmd(t, "payout", "--config", cfg, "--order-id", "PO_000002", "--amount", "500",
		"--name", "A Kumar", "--account", "1234567890", "--ifsc", "HDFC0000001", "--phone", "9876543210")
	require.Equal(t, exitOK, r.code, r.stderr)

	r = paygateCmd(t, "query", "--config", cfg, "--order-id", "PO_000002")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "payout", valueOf(t, r.stdout, "kind"))
	require.Equal(t, "paygate query: no pay-in of that number; found a pay-out (--kind payout)\n", r.stderr)

	r = paygateCmd(t, "payin", "--config", cfg, "--order-id", "ORDER_000003", "--amount", "100")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = paygateCmd(t, "query", "--config", cfg, "--order-id", "ORDER_000003", "--kind", "payout")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "payin", valueOf(t, r.stdout, "kind"))
	require.Contains(t, r.stderr, "no pay-out of that number; found a pay-in (--kind payin)")

	r = paygateCmd(t, "query", "--config", cfg, "--order-id", "NOSUCH_0001")
	require.Equal(t, exitFailed, r.code)
	require.Contains(t, r.stderr, "order not found, neither as a pay-in nor as a pay-out")
	require.Equal(t, 1, strings.Count(r.stderr, "paygate"), "the line says paygate once: %s", r.stderr)
}

// vectors are internal/testdata/signatures.json: signatures made by the providers' own code.
type vectors struct {
	CaiPay []struct {
		Secret  string            `json:"secret"`
		Params  map[string]string `json:"params"`
		SignKey string            `json:"signKey"`
	} `json:"caipay"`
	CashGit []struct {
		Secret string            `json:"secret"`
		Params map[string]string `json:"params"`
		Sign   string            `json:"sign"`
	} `json:"cashgit"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "testdata", "signatures.json"))
	require.NoError(t, err)
	var v vectors
	require.NoError(t, json.Unmarshal(b, &v))
	require.NotEmpty(t, v.CaiPay)
	require.NotEmpty(t, v.CashGit)
	return v
}

// kv turns fields into key=value arguments.
func kv(fields map[string]string) []string {
	var out []string
	for k, v := range fields {
		out = append(out, k+"="+v)
	}
	return out
}

// valueOf returns the value of the "name: value" line of out.
func valueOf(t *testing.T, out, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `: *(.*)$`).FindStringSubmatch(out)
	require.NotNil(t, m, "no %s line in:\n%s", name, out)
	return m[1]
}

func TestSignCashGitVector(t *testing.T) {
	v := loadVectors(t).CashGit[0]
	require.Equal(t, "cgpay", v.Params["appid"])
	require.Equal(t, "f7fe46f46c751a96302a3e8194565bef", v.Sign)
	t.Setenv("CASHGIT_SECRET", v.Secret)

	r := paygateCmd(t, append([]string{"sign", "--provider", "cashgit", "--secret-env", "CASHGIT_SECRET"}, kv(v.Params)...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, v.Sign, valueOf(t, r.stdout, "signature"))
	require.Equal(t, "amount=100.00&appid=cgpay&desc=游戏充值&notify_url=https://merchant.com/notify&orderid=ORDER_20231201001",
		valueOf(t, r.stdout, "canonical"))
	require.NotContains(t, r.stdout+r.stderr, v.Secret)

	// The same fields as a JSON body, from a file and from standard input, flags after them.
	body, err := json.Marshal(v.Params)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "body.json")
	require.NoError(t, os.WriteFile(file, body, 0o600))
	r = paygateCmd(t, "sign", "--body", file, "--provider", "cashgit", "--style", "key_param", "--secret", v.Secret)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, v.Sign, valueOf(t, r.stdout, "signature"))
	r = paygateStdin(t, string(body), "sign", "--provider", "cashgit", "--secret", v.Secret, "--body", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, v.Sign, valueOf(t, r.stdout, "signature"))

	// The append style is the other documented formula.
	r = paygateCmd(t, append([]string{"sign", "--provider", "cashgit", "--style", "append", "--secret", v.Secret}, kv(v.Params)...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, signing.AppendMD5(v.Params, v.Secret), valueOf(t, r.stdout, "signature"))
	require.NotEqual(t, v.Sign, valueOf(t, r.stdout, "signature"))
}

func TestSignCaiPayVector(t *testing.T) {
	v := loadVectors(t).CaiPay[0]
	t.Setenv("CAIPAY_SECRET", v.Secret)
	r := paygateCmd(t, append([]string{"sign", "--provider", "caipay", "--secret-env", "CAIPAY_SECRET"}, kv(v.Params)...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, v.SignKey, valueOf(t, r.stdout, "signature"))
	require.Equal(t, signing.ValuesCanonical(v.Params), valueOf(t, r.stdout, "canonical"))
	require.NotContains(t, r.stdout+r.stderr, v.Secret)
}

func TestSignDeekPayVector(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "testdata", "deekpay_hmac.json"))
	require.NoError(t, err)
	var file struct {
		Vectors []struct {
			Key       string            `json:"key"`
			Fields    map[string]string `json:"fields"`
			Canonical string            `json:"canonical"`
			Sign      string            `json:"sign"`
		} `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(b, &file))
	v := file.Vectors[0]
	r := paygateCmd(t, append([]string{"sign", "--provider", "deekpay", "--secret", v.Key}, kv(v.Fields)...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, v.Canonical, valueOf(t, r.stdout, "canonical"))
	require.Equal(t, v.Sign, valueOf(t, r.stdout, "signature"))

	r = paygateCmd(t, append([]string{"verify", "--provider", "deekpay", "--secret", v.Key, "--sign", v.Sign}, kv(v.Fields)...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "valid\n", r.stdout)
}

func TestSignPayProAndCashy(t *testing.T) {
	const secret = "pp-secret-0001"
	fields := map[string]string{"tradeNo": "T1001", "amount": "300", "timestamp": "1700000000000", "sign": "ignored", "remark": ""}
	r := paygateCmd(t, append([]string{"sign", "--provider", "paypro", "--secret", secret}, kv(fields)...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "amount=300timestamp=1700000000000tradeNo=T1001", valueOf(t, r.stdout, "canonical"))
	require.Equal(t, signing.ConcatMD5(fields, secret), valueOf(t, r.stdout, "signature"))

	// Cashy signs the exact bytes, a trailing newline included.
	body := "{\"mchOrderNo\":\"C1001\",\"amount\":\"100.00\"}\n"
	file := filepath.Join(t.TempDir(), "payin.json")
	require.NoError(t, os.WriteFile(file, []byte(body), 0o600))
	r = paygateCmd(t, "sign", "--provider", "cashy", "--secret", secret, "--body", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	want := signing.BodyMD5([]byte(body), secret)
	require.Equal(t, want, valueOf(t, r.stdout, "signature"))
	require.Contains(t, r.stdout, `\n"`, "the signed newline shows")
	require.Equal(t, "41", valueOf(t, r.stdout, "bytes"))

	r = paygateStdin(t, body, "verify", "--provider", "cashy", "--secret", secret, "--body", "-", "--sign", strings.ToLower(want))
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "valid\n", r.stdout)
	r = paygateStdin(t, strings.TrimSuffix(body, "\n"), "verify", "--provider", "cashy", "--secret", secret, "--body", "-", "--sign", want)
	require.Equal(t, exitFailed, r.code)
	require.Equal(t, "invalid\n", r.stdout)
}

func TestVerify(t *testing.T) {
	vs := loadVectors(t)
	cg, cp := vs.CashGit[0], vs.CaiPay[0]
	verify := func(provider, secret, sig string, fields map[string]string, extra ...string) result {
		args := append([]string{"verify", "--provider", provider, "--secret", secret}, extra...)
		if sig != "" {
			args = append(args, "--sign", sig)
		}
		return paygateCmd(t, append(args, kv(fields)...)...)
	}

	r := verify("cashgit", cg.Secret, cg.Sign, cg.Params)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "valid\nsign_style: key_param\n", r.stdout)
	r = verify("cashgit", cg.Secret, strings.ToUpper(cg.Sign), cg.Params, "--style", "key_param")
	require.Equal(t, exitOK, r.code, r.stderr)

	// Either style verifies unless --style names one.
	appended := signing.AppendMD5(cg.Params, cg.Secret)
	r = verify("cashgit", cg.Secret, appended, cg.Params)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "valid\nsign_style: append\n", r.stdout)
	r = verify("cashgit", cg.Secret, appended, cg.Params, "--style", "key_param")
	require.Equal(t, exitFailed, r.code)
	require.Equal(t, "invalid\n", r.stdout)

	r = verify("caipay", cp.Secret, cp.SignKey, cp.Params)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "valid\n", r.stdout)

	// A wrong signature, a wrong secret, a changed field: invalid, exit 1, and the expected
	// signature on stderr for debugging, never the secret.
	for _, tc := range []struct {
		provider, secret, sig string
		fields                map[string]string
	}{
		{"cashgit", cg.Secret, "00000000000000000000000000000000", cg.Params},
		{"cashgit", "not-the-secret", cg.Sign, cg.Params},
		{"cashgit", cg.Secret, cg.Sign, with(cg.Params, "amount", "1000.00")},
		{"caipay", cp.Secret, strings.Repeat("a", 32), cp.Params},
		{"caipay", cp.Secret, cp.SignKey, with(cp.Params, "amount", "3")},
	} {
		r := verify(tc.provider, tc.secret, tc.sig, tc.fields)
		require.Equal(t, exitFailed, r.code, "%+v", tc)
		require.Equal(t, "invalid\n", r.stdout)
		require.Contains(t, r.stderr, "canonical: ")
		require.Contains(t, r.stderr, "expected")
		require.NotContains(t, r.stderr, tc.secret)
	}
}

func with(fields map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for fk, fv := range fields {
		if fk != k {
			out[fk] = fv
		}
	}
	return out
}

func TestVerifyCallbackBodyCarriesItsSign(t *testing.T) {
	v := loadVectors(t).CashGit[0]
	// A callback as CashGit sends it: a JSON number (paytime) signs as its JSON text.
	fields := with(v.Params, "paytime", "1701398400000")
	fields["sign"] = signing.KeyParamMD5(fields, v.Secret)
	body := fmt.Sprintf(`{"orderid":%q,"appid":%q,"amount":%q,"desc":%q,"notify_url":%q,"paytime":1701398400000,"sign":%q}`,
		fields["orderid"], fields["appid"], fields["amount"], fields["desc"], fields["notify_url"], fields["sign"])
	file := filepath.Join(t.TempDir(), "callback.json")
	require.NoError(t, os.WriteFile(file, []byte(body), 0o600))

	r := paygateCmd(t, "verify", "--provider", "cashgit", "--secret", v.Secret, "--body", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "valid\nsign_style: key_param\n", r.stdout)

	r = paygateCmd(t, "verify", "--provider", "cashgit", "--secret", "wrong", "--body", file)
	require.Equal(t, exitFailed, r.code)

	require.NoError(t, os.WriteFile(file, []byte(`{"a":1,"a":2}`), 0o600))
	r = paygateCmd(t, "verify", "--provider", "cashgit", "--secret", v.Secret, "--body", file)
	require.Equal(t, exitFailed, r.code)
	require.Contains(t, r.stderr, "appears twice")

	r = paygateCmd(t, "sign", "--provider", "cashgit", "--secret", v.Secret, "--body", filepath.Join(t.TempDir(), "missing.json"))
	require.Equal(t, exitUsage, r.code, "a missing file is a usage error")
	require.Contains(t, r.stderr, "--body: open ")
}

func TestSignNeverPrintsTheSecret(t *testing.T) {
	const secret = "Sup3r-s3cret-never-printed"
	t.Setenv("PAYGATE_TEST_SECRET", secret)
	body := filepath.Join(t.TempDir(), "body.json")
	require.NoError(t, os.WriteFile(body, []byte(`{"orderid":"ORDER_1","amount":"100.00"}`), 0o600))
	fields := []string{"access_key=ak", "timestamp=1700000000000", "nonce=n-1"}
	for _, provider := range []string{"caipay", "deekpay", "paypro", "cashgit", "cashy"} {
		for _, cmd := range []string{"sign", "verify"} {
			for _, secretFlag := range [][]string{{"--secret", secret}, {"--secret-env", "PAYGATE_TEST_SECRET"}} {
				args := append([]string{cmd, "--provider", provider, "--body", body}, secretFlag...)
				if cmd == "verify" {
					args = append(args, "--sign", "0123456789abcdef0123456789abcdef")
				}
				if provider == "deekpay" {
					args = append(args, fields...)
				}
				r := paygateCmd(t, args...)
				require.NotEqual(t, exitUsage, r.code, "%v: %s", args, r.stderr)
				require.NotContains(t, r.stdout, secret, args)
				require.NotContains(t, r.stderr, secret, args)
			}
		}
	}
}

// TestSignNothingToSign: fields that are all empty are not signed, so signing them would
// print a hash of the secret alone (md5hex(secret), open to guessing offline); an empty body
// likewise for Cashy. Both commands refuse, as they refuse no fields at all, and print no hash.
func TestSignNothingToSign(t *testing.T) {
	const secret = "nothing-to-sign-secret"
	dir := t.TempDir()
	emptyFields, emptyBody := filepath.Join(dir, "fields.json"), filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(emptyFields, []byte(`{"a":"","b":null}`), 0o600))
	require.NoError(t, os.WriteFile(emptyBody, nil, 0o600))
	hashes := []string{signing.AppendMD5(nil, secret), signing.KeyParamMD5(nil, secret), signing.BodyMD5(nil, secret)}
	for _, tc := range [][]string{
		{"--provider", "caipay", "a="},
		{"--provider", "paypro", "--body", emptyFields},
		{"--provider", "cashgit", "--body", emptyFields},
		{"--provider", "cashy", "--body", emptyBody},
	} {
		for _, cmd := range []string{"sign", "verify"} {
			args := append([]string{cmd, "--secret", secret, "--sign", "00"}, tc...)
			if cmd == "sign" {
				args = append([]string{cmd, "--secret", secret}, tc...)
			}
			r := paygateCmd(t, args...)
			require.Equal(t, exitUsage, r.code, "%v: %s", args, r.stdout)
			require.Contains(t, r.stderr, "nothing to sign", args)
			for _, h := range hashes {
				require.NotContains(t, strings.ToLower(r.stdout+r.stderr), strings.ToLower(h), args)
			}
		}
	}
}

// writeConfig writes a config file named name in a temporary directory.
func writeConfig(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// fakeCashGit starts an in-process CashGit sandbox for cfg.
func fakeCashGit(t *testing.T, cfg paygate.Config) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.New("cashgit", cfg)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

var cashgitCfg = paygate.Config{Provider: "cashgit", MerchantID: "M10001", Secret: "cg-sandbox-secret"}

func TestCallsAgainstSandbox(t *testing.T) {
	srv := fakeCashGit(t, cashgitCfg)
	configs := map[string]string{
		"json": writeConfig(t, "cashgit.json", fmt.Sprintf(`{"provider":"cashgit","base_url":%q,"merchant_id":"M10001","secret":"cg-sandbox-secret","timeout":"10s","options":{"rate_limit":"0"}}`, srv.URL())),
		"yaml": writeConfig(t, "cashgit.yaml", fmt.Sprintf("provider: cashgit\nbase_url: %s\nmerchant_id: M10001\nsecret: cg-sandbox-secret\ntimeout: 10s\noptions:\n  rate_limit: \"0\"\n", srv.URL())),
	}
	for format, cfg := range configs {
		t.Run(format, func(t *testing.T) {
			orderID := "ORDER_" + format + "_1001"
			r := paygateCmd(t, "payin", "--config", cfg, "--order-id", orderID, "--amount", "100.50",
				"--return-url", "https://shop.example/done", "--name", "Ravi", "--phone", "9876543210", "--remark", "test")
			require.Equal(t, exitOK, r.code, r.stderr)
			require.Equal(t, orderID, valueOf(t, r.stdout, "order_id"))
			require.Equal(t, "pending", valueOf(t, r.stdout, "status"))
			require.Equal(t, "100.50 INR", valueOf(t, r.stdout, "amount"))
			require.Contains(t, valueOf(t, r.stdout, "payment_url"), srv.URL())
			require.NotContains(t, r.stdout, "raw:")
			providerOrderID := valueOf(t, r.stdout, "provider_order_id")
			stored, err := srv.Order(orderID)
			require.NoError(t, err)
			require.Equal(t, providerOrderID, stored.ProviderOrderID)
			require.Equal(t, "100.50", stored.Fields["amount"])
			require.Equal(t, "test", stored.Fields["desc"])
			require.Equal(t, "https://shop.example/done", stored.Fields["return_url"])

			// The same order again: the provider refuses it, exit 1, the message printed.
			r = paygateCmd(t, "payin", "--config", cfg, "--order-id", orderID, "--amount", "100.50")
			require.Equal(t, exitFailed, r.code)
			require.Contains(t, r.stderr, "paygate payin: ")
			require.Contains(t, r.stderr, "409")
			require.Empty(t, r.stdout)

			// Validation before I/O: below CashGit's minimum.
			r = paygateCmd(t, "payin", "--config", cfg, "--order-id", orderID+"x", "--amount", "5")
			require.Equal(t, exitFailed, r.code)
			require.Contains(t, r.stderr, "Amount")

			// JSON: the result struct, Raw only with --raw.
			r = paygateCmd(t, "query", "--config", cfg, "--order-id", orderID, "--json")
			require.Equal(t, exitOK, r.code, r.stderr)
			var o map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &o))
			require.NotContains(t, o, "Raw")
			require.JSONEq(t, `"payin"`, string(o["Kind"]))
			require.JSONEq(t, fmt.Sprintf("%q", orderID), string(o["OrderID"]))
			require.JSONEq(t, `"pending"`, string(o["Status"]))
			require.JSONEq(t, `{"amount":"100.50","currency":"INR"}`, string(o["Amount"]))
			require.Contains(t, r.stdout, "\n  \"OrderID\"", "indented")

			require.ErrorIs(t, srv.Settle(orderID, paygate.StatusSucceeded), sandbox.ErrNoNotifyURL, "moved, no callback address")
			r = paygateCmd(t, "query", "--config", cfg, "--order-id", orderID, "--kind", "payin")
			require.Equal(t, exitOK, r.code, r.stderr)
			require.Equal(t, "succeeded (provider: paid)", valueOf(t, r.stdout, "status"))
			require.NotEmpty(t, valueOf(t, r.stdout, "utr"))
			require.NotEmpty(t, valueOf(t, r.stdout, "completed_at"))

			r = paygateCmd(t, "query", "--config", cfg, "--order-id", orderID, "--json", "--raw")
			require.Equal(t, exitOK, r.code, r.stderr)
			var withRaw struct{ Raw struct{ Code int } }
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &withRaw))
			require.Equal(t, 200, withRaw.Raw.Code)

			r = paygateCmd(t, "query", "--config", cfg, "--order-id", "NOSUCH1", "--kind", "payout")
			require.Equal(t, exitFailed, r.code)
			require.Contains(t, r.stderr, "not found")
		})
	}

	cfg := configs["yaml"]
	r := paygateCmd(t, "balance", "--config", cfg)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Regexp(t, `^\d+\.\d\d INR$`, valueOf(t, r.stdout, "available"))
	require.Equal(t, "0.00 INR", valueOf(t, r.stdout, "frozen"))

	r = paygateCmd(t, "payout", "--config", cfg, "--order-id", "PO_000001", "--amount", "500",
		"--name", "A Kumar", "--account", "1234567890", "--ifsc", "HDFC0000001", "--phone", "9876543210", "--raw")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "PO_000001", valueOf(t, r.stdout, "order_id"))
	require.Equal(t, "500.00 INR", valueOf(t, r.stdout, "amount"))
	require.Equal(t, "10.00 INR", valueOf(t, r.stdout, "fee"))
	require.Contains(t, valueOf(t, r.stdout, "raw"), `"code":200`)

	r = paygateCmd(t, "balance", "--config", cfg, "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var b struct{ Available, Frozen paygate.Money }
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &b))
	require.True(t, b.Frozen.Equal(paygate.MustParseMoney("500", paygate.INR)), r.stdout)
	require.NotContains(t, r.stdout, `"Raw"`)

	r = paygateCmd(t, "query", "--config", cfg, "--kind", "payout", "--order-id", "PO_000001", "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, `"Kind": "payout"`)
}

func TestConfigSecretFromEnvironment(t *testing.T) {
	srv := fakeCashGit(t, cashgitCfg)
	cfg := writeConfig(t, "cashgit.yaml", fmt.Sprintf("provider: cashgit\nbase_url: %s\nmerchant_id: M10001\nsecret: ${PAYGATE_TEST_CG_SECRET}\n", srv.URL()))

	t.Setenv("PAYGATE_TEST_CG_SECRET", cashgitCfg.Secret)
	r := paygateCmd(t, "balance", "--config", cfg)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "available:")

	// The wrong secret: the sandbox refuses the signature; the secret is not printed.
	t.Setenv("PAYGATE_TEST_CG_SECRET", "the-wrong-secret-value")
	r = paygateCmd(t, "balance", "--config", cfg)
	require.Equal(t, exitFailed, r.code)
	require.Contains(t, r.stderr, "401")
	require.NotContains(t, r.stderr, "the-wrong-secret-value")

	require.NoError(t, os.Unsetenv("PAYGATE_TEST_CG_SECRET"))
	r = paygateCmd(t, "balance", "--config", cfg)
	require.Equal(t, exitFailed, r.code)
	require.Contains(t, r.stderr, "line 4: secret: refers to an environment variable that is not set")
	require.NotContains(t, r.stderr, "PAYGATE_TEST_CG_SECRET", "a secret's value, reference or not, is never quoted")

	r = paygateCmd(t, "balance", "--config", filepath.Join(t.TempDir(), "missing.yaml"))
	require.Equal(t, exitUsage, r.code, "a missing file is a usage error")
	require.Contains(t, r.stderr, "does not exist")
}

func TestCallErrors(t *testing.T) {
	unknown := writeConfig(t, "u.json", `{"provider":"stripe","secret":"s"}`)
	r := paygateCmd(t, "balance", "--config", unknown)
	require.Equal(t, exitFailed, r.code)
	require.Contains(t, r.stderr, `unknown provider "stripe"`)

	// A provider that does not answer in time: the --timeout deadline ends the call.
	release := make(chan struct{})
	stall := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(stall.Close)
	t.Cleanup(func() { close(release) }) // runs first
	cfg := writeConfig(t, "stall.json", fmt.Sprintf(`{"provider":"cashgit","base_url":%q,"merchant_id":"M10001","secret":"s"}`, stall.URL))
	start := time.Now()
	r = paygateCmd(t, "payin", "--config", cfg, "--order-id", "ORDER_1001", "--amount", "100", "--timeout", "300ms")
	require.Equal(t, exitFailed, r.code)
	require.Less(t, time.Since(start), 10*time.Second)
	require.Contains(t, r.stderr, "outcome unknown")
}

// syncBuffer is a bytes.Buffer safe for a command writing while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startSandboxCmd runs "paygate sandbox args..." until the test ends and returns its printed
// config once it is up.
func startSandboxCmd(t *testing.T, args ...string) (stdout string, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	errOut := &syncBuffer{}
	done := make(chan int, 1)
	c := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: errOut}
	go func() { done <- c.run(ctx, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			require.Equal(t, exitOK, code, errOut.String())
		case <-time.After(10 * time.Second):
			t.Error("paygate sandbox did not stop")
		}
	})
	require.Eventually(t, func() bool {
		select {
		case code := <-done:
			t.Fatalf("paygate sandbox ended with %d: %s", code, errOut.String())
		default:
		}
		return strings.Contains(out.String(), "Ctrl+C")
	}, 10*time.Second, 10*time.Millisecond)
	return out.String(), errOut
}

func TestSandboxCommand(t *testing.T) {
	out, stderr := startSandboxCmd(t, "--provider", "cashgit", "--admin-addr", "127.0.0.1:0")
	secret := valueOf(t, out, "secret")
	require.Regexp(t, `^"[0-9a-f]{32}"$`, secret, "a generated secret is printed")
	require.NotContains(t, out, "api_key", "cashgit has no API key")

	// What it prints is a config file a client loads as it is.
	cfg := writeConfig(t, "sandbox.yaml", out)
	loaded, err := paygate.LoadConfig(cfg)
	require.NoError(t, err)
	require.Equal(t, "cashgit", loaded.Provider)
	require.Equal(t, "M10001", loaded.MerchantID)
	require.Equal(t, strings.Trim(secret, `"`), loaded.Secret)
	require.True(t, strings.HasPrefix(loaded.BaseURL, "http://127.0.0.1:"))

	// A merchant endpoint that receives the callback.
	callbacks := make(chan []byte, 1)
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		callbacks <- b
		_, _ = io.WriteString(w, "success")
	}))
	t.Cleanup(merchant.Close)

	r := paygateCmd(t, "payin", "--config", cfg, "--order-id", "ORDER_SB_1", "--amount", "250", "--notify-url", merchant.URL)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "pending", valueOf(t, r.stdout, "status"))

	admin := regexp.MustCompile(`curl -X POST '(http://[^/]+)/settle`).FindStringSubmatch(out)
	require.NotNil(t, admin, out)
	post := func(query string) (int, string) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, admin[1]+"/settle?"+query, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := post("order_id=ORDER_SB_1&status=succeeded")
	require.Equal(t, http.StatusOK, code, body)
	select {
	case cb := <-callbacks:
		fields, err := signing.Fields(cb)
		require.NoError(t, err)
		require.Equal(t, "ORDER_SB_1", fields["orderid"])
		require.True(t, signing.Equal(fields["sign"], signing.KeyParamMD5(fields, loaded.Secret)))
	case <-time.After(5 * time.Second):
		t.Fatal("no callback delivered")
	}
	code, _ = post("order_id=NOSUCH&status=succeeded")
	require.Equal(t, http.StatusNotFound, code)
	code, _ = post("order_id=ORDER_SB_1&status=done")
	require.Equal(t, http.StatusBadRequest, code)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, admin[1]+"/orders/ORDER_SB_1", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var o sandbox.Order
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&o))
	require.NoError(t, resp.Body.Close())
	require.Equal(t, paygate.StatusSucceeded, o.Status)

	r = paygateCmd(t, "query", "--config", cfg, "--order-id", "ORDER_SB_1")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "succeeded (provider: paid)", valueOf(t, r.stdout, "status"))
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "sandbox callback") }, 5*time.Second, 10*time.Millisecond)
}

func TestSandboxCommandDoesNotPrintGivenSecrets(t *testing.T) {
	const secret = "given-secret-not-printed"
	out, _ := startSandboxCmd(t, "--provider", "cashgit", "--merchant-id", "cgpay", "--secret", secret)
	require.NotContains(t, out, secret)
	require.Contains(t, out, "# secret: as given")
	require.Contains(t, out, `merchant_id: "cgpay"`)
	require.Contains(t, out, "--admin-addr to settle")

	t.Setenv("PAYGATE_TEST_SB_SECRET", secret)
	cfg := writeConfig(t, "sb.yaml", "provider: cashgit\nmerchant_id: cgpay\nsecret: ${PAYGATE_TEST_SB_SECRET}\noptions:\n  sign_style: append\n  previous_secrets: hidden-token\n")
	out, _ = startSandboxCmd(t, "--config", cfg)
	require.NotContains(t, out, secret)
	require.NotContains(t, out, "hidden-token")
	require.Contains(t, out, "# secret: as in "+cfg)
	require.Contains(t, out, `"sign_style": "append"`)

	// The printed config, with the secret added back, reaches the fake in the append style.
	client := writeConfig(t, "client.yaml", out+"secret: ${PAYGATE_TEST_SB_SECRET}\n")
	r := paygateCmd(t, "balance", "--config", client)
	require.Equal(t, exitOK, r.code, r.stderr)
}

// TestSandboxCommandEveryProvider runs the whole command-line flow against the standalone
// sandbox of each provider: start it, load the config it prints, create a pay-in, settle it
// through the admin listener and see the callback arrive, query it, read the balance.
func TestSandboxCommandEveryProvider(t *testing.T) {
	for _, provider := range sandbox.Providers() {
		t.Run(provider, func(t *testing.T) {
			out, _ := startSandboxCmd(t, "--provider", provider, "--admin-addr", "127.0.0.1:0")
			cfg := writeConfig(t, "sandbox.yaml", out)
			loaded, err := paygate.LoadConfig(cfg)
			require.NoError(t, err)
			gw, err := paygate.New(loaded)
			require.NoError(t, err, "the printed config builds a client")

			type delivery struct {
				cb     *paygate.Callback
				header http.Header
				body   []byte
			}
			callbacks := make(chan delivery, 1)
			merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				cb, err := gw.ParseCallback(r.Header, b)
				if err != nil {
					http.Error(w, err.Error(), http.StatusUnauthorized)
					return
				}
				callbacks <- delivery{cb, r.Header.Clone(), b}
				cb.Ack.Write(w)
			}))
			t.Cleanup(merchant.Close)

			orderID := fmt.Sprintf("CLI%d", time.Now().UnixNano()%1e12)
			args := []string{"payin", "--config", cfg, "--order-id", orderID, "--amount", "500.00",
				"--notify-url", merchant.URL + "/cb", "--return-url", "https://merchant.example/thanks",
				"--name", "Asha Rao", "--email", "asha.rao@gmail.com", "--ip", "203.0.113.7", "--remark", "cli"}
			currency := "INR"
			if provider == "cashy" {
				currency = "PKR"
				args = append(args, "--phone", "3001234567", "--id-number", "3310401123456")
			} else {
				args = append(args, "--phone", "9876543210")
			}
			r := paygateCmd(t, args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			require.Equal(t, orderID, valueOf(t, r.stdout, "order_id"))
			require.Equal(t, "500.00 "+currency, valueOf(t, r.stdout, "amount"), "the provider's own currency by default")

			admin := regexp.MustCompile(`curl -X POST '(http://[^/]+)/settle`).FindStringSubmatch(out)
			require.NotNil(t, admin, out)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
				admin[1]+"/settle?order_id="+orderID+"&status=succeeded", nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			require.NoError(t, resp.Body.Close())
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			select {
			case d := <-callbacks:
				require.Equal(t, orderID, d.cb.OrderID)
				require.Equal(t, paygate.StatusSucceeded, d.cb.Status)
				verifyCallback(t, provider, loaded.Secret, d.header, d.body)
			case <-time.After(5 * time.Second):
				t.Fatal("no callback delivered")
			}

			if gw.Capabilities().QueryPayIn {
				r = paygateCmd(t, "query", "--config", cfg, "--order-id", orderID, "--json")
				require.Equal(t, exitOK, r.code, r.stderr)
				var o paygate.Order
				require.NoError(t, json.Unmarshal([]byte(r.stdout), &o))
				require.Equal(t, paygate.StatusSucceeded, o.Status)
			}

			r = paygateCmd(t, "balance", "--config", cfg)
			if gw.Capabilities().Balance {
				require.Equal(t, exitOK, r.code, r.stderr)
				require.Contains(t, valueOf(t, r.stdout, "available"), currency)
			} else {
				require.Equal(t, exitFailed, r.code)
				require.Contains(t, r.stderr, "not supported")
			}
		})
	}
}

// verifyCallback checks that "paygate verify" accepts a callback the sandbox delivered, and
// refuses it under another secret.
func verifyCallback(t *testing.T, provider, secret string, header http.Header, body []byte) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "callback.json")
	require.NoError(t, os.WriteFile(file, body, 0o600))
	args := []string{"verify", "--provider", provider, "--body", file}
	switch provider {
	case "cashy":
		args = append(args, "--sign", header.Get("Sign"))
	case "deekpay":
		args = append(args, "--sign", header.Get("sign"), "access_key="+header.Get("access_key"),
			"timestamp="+header.Get("timestamp"), "nonce="+header.Get("nonce"))
	}
	r := paygateCmd(t, append(args, "--secret", secret)...)
	require.Equal(t, exitOK, r.code, "%s\n%s", r.stdout, r.stderr)
	require.True(t, strings.HasPrefix(r.stdout, "valid\n"), r.stdout)
	r = paygateCmd(t, append(args, "--secret", secret+"x")...)
	require.Equal(t, exitFailed, r.code, r.stderr)
	require.Equal(t, "invalid\n", r.stdout)
}

// TestExampleConfigFile: the sample config the README names exists, loads with its
// environment variables set, and builds a Gateway.
func TestExampleConfigFile(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "paygate.example.yaml")
	t.Setenv("CASHGIT_APPID", "cgpay")
	t.Setenv("CASHGIT_SECRET", "example-secret")
	cfg, err := paygate.LoadConfig(path)
	require.NoError(t, err)
	require.Equal(t, "cashgit", cfg.Provider)
	require.Equal(t, "cgpay", cfg.MerchantID)
	require.Equal(t, 30*time.Second, cfg.Timeout)
	gw, err := paygate.New(cfg)
	require.NoError(t, err)
	require.Equal(t, "cashgit", gw.Name())

	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	require.Contains(t, string(readme), "--config examples/paygate.example.yaml", "the README's command names the sample")
	for _, m := range regexp.MustCompile(`--config ([^\s]+\.(?:ya?ml|json))`).FindAllStringSubmatch(string(readme), -1) {
		_, err := os.Stat(filepath.Join("..", "..", m[1]))
		require.NoError(t, err, "README names %s", m[1])
	}
}

// TestCurrencyErrorNamesCurrency: an unknown --currency was reported as a bad --amount; the
// error names --currency and says which currencies there are.
func TestCurrencyErrorNamesCurrency(t *testing.T) {
	srv := fakeCashGit(t, cashgitCfg)
	cfg := writeConfig(t, "cashgit.yaml", fmt.Sprintf("provider: cashgit\nbase_url: %s\nmerchant_id: M10001\nsecret: cg-sandbox-secret\n", srv.URL()))
	for _, cmd := range [][]string{
		{"payin", "--order-id", "ORDER_CUR_1"},
		{"payout", "--order-id", "ORDER_CUR_2", "--name", "A Tester", "--account", "1234567890", "--ifsc", "HDFC0000001"},
	} {
		t.Run(cmd[0], func(t *testing.T) {
			r := paygateCmd(t, append(cmd, "--config", cfg, "--amount", "100.00", "--currency", "USD")...)
			require.Equal(t, exitUsage, r.code, r.stderr)
			require.NotContains(t, r.stderr, "--amount", "the amount is fine; the currency is not")
			require.Contains(t, r.stderr, `--currency "USD"`)
			require.Contains(t, r.stderr, "INR and PKR")
		})
	}
	r := paygateCmd(t, "payin", "--config", cfg, "--order-id", "ORDER_CUR_3", "--amount", "1e3")
	require.Equal(t, exitUsage, r.code)
	require.Contains(t, r.stderr, `--amount "1e3" is not a plain decimal amount`, "a bad amount is still named as one")
}
