package paygate_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	_ "github.com/paygate-go/paygate/providers"
	"github.com/paygate-go/paygate/sandbox"
)

// TestProvidersConfigErrors is finding 1 across the five providers: constructor errors are
// typed and name the config key, and every provider declares its options and refuses a
// misspelt one with the nearest declared name.
func TestProvidersConfigErrors(t *testing.T) {
	for _, name := range []string{"caipay", "cashgit", "cashy", "deekpay", "paypro"} {
		t.Run(name, func(t *testing.T) {
			_, err := paygate.New(paygate.Config{Provider: name})
			require.ErrorIs(t, err, paygate.ErrInvalidConfig)
			var ce *paygate.ConfigError
			require.True(t, errors.As(err, &ce), "%T %v", err, err)
			require.Equal(t, name, ce.Provider)
			require.Contains(t, []string{"base_url", "merchant_id", "api_key", "secret"}, ce.Field)

			specs := paygate.OptionSpecs(name)
			require.NotEmpty(t, specs)
			require.Equal(t, "previous_secrets", specs[0].Name)
			for _, s := range specs {
				require.NotEmpty(t, s.Meaning, s.Name)
			}

			cfg := paygate.Config{Provider: name, BaseURL: "https://example.invalid", MerchantID: "m", APIKey: "k", Secret: "s",
				Options: map[string]string{"previous_secret": "old"}}
			_, err = paygate.New(cfg)
			require.ErrorIs(t, err, paygate.ErrInvalidConfig)
			require.ErrorContains(t, err, "options.previous_secret: unknown option; did you mean `previous_secrets`?")
		})
	}
}

// TestCashgitOptionsFromFile is the issue's own example: a misspelt CashGit option in a file
// is refused at load with its line, instead of silently using the production host.
func TestCashgitOptionsFromFile(t *testing.T) {
	_, err := paygate.ParseConfig([]byte("provider: cashgit\nmerchant_id: cgpay\nsecret: s\noptions:\n  sandobx: true\n  sign_styel: append\n"), false)
	require.ErrorIs(t, err, paygate.ErrInvalidConfig)
	require.ErrorContains(t, err, "line 5: options.sandobx: unknown option; did you mean `sandbox`?")
	require.ErrorContains(t, err, "line 6: options.sign_styel: unknown option; did you mean `sign_style`?")

	_, err = paygate.ParseConfig([]byte("provider: cashgit\noptions:\n  sign_style: apend\n"), false)
	require.ErrorContains(t, err, "line 3: options.sign_style: `apend` is not allowed; write one of: key_param, append")
}

// TestValidationReportsEveryProblem is finding 5 through a provider: one call names every
// field at fault, and the error still matches ErrInvalidRequest and *ValidationError.
func TestValidationReportsEveryProblem(t *testing.T) {
	for _, name := range []string{"cashgit", "cashy"} {
		t.Run(name, func(t *testing.T) {
			gw, err := paygate.New(paygate.Config{Provider: name, BaseURL: "http://127.0.0.1:1", MerchantID: "m", Secret: "s"})
			require.NoError(t, err)
			_, err = gw.PayOut(t.Context(), &paygate.PayOutRequest{Amount: paygate.MustParseMoney("5", "")})
			require.ErrorIs(t, err, paygate.ErrInvalidRequest)
			var ve *paygate.ValidationError
			require.True(t, errors.As(err, &ve))
			require.Equal(t, "OrderID", ve.Field)
			require.GreaterOrEqual(t, len(ve.Problems), 3, err.Error())
			seen := map[string]bool{}
			for _, p := range ve.Problems {
				require.False(t, seen[p.Field], "one problem per field: %v", err)
				seen[p.Field] = true
				require.Contains(t, err.Error(), p.Field+": "+p.Reason)
			}
			require.True(t, seen["Amount"], err.Error())
		})
	}
}

// TestCashgitSignatureRefusalNamesTheFix is field note 1: an account that verifies the append
// style refuses the document's key_param signature, and the error says how to switch.
func TestCashgitSignatureRefusalNamesTheFix(t *testing.T) {
	account := paygate.Config{Provider: "cashgit", MerchantID: "cgpay", Secret: "sandbox-secret",
		Options: map[string]string{"sign_style": "append"}}
	sb, err := sandbox.New("cashgit", account)
	require.NoError(t, err)
	defer sb.Close()

	client := paygate.Config{Provider: "cashgit", BaseURL: sb.URL(), MerchantID: "cgpay", Secret: "sandbox-secret",
		Options: map[string]string{"rate_limit": "0"}} // sign_style unset: key_param
	gw, err := paygate.New(client)
	require.NoError(t, err)
	_, err = gw.Balance(t.Context())
	var pe *paygate.ProviderError
	require.True(t, errors.As(err, &pe), "%v", err)
	require.Equal(t, "401", pe.Code)
	require.ErrorContains(t, err, "CashGit refused the signature; if your account uses the append style, set options.sign_style: append")
	require.NotContains(t, err.Error(), "sandbox-secret")

	client.Options["sign_style"] = "append"
	gw, err = paygate.New(client)
	require.NoError(t, err)
	_, err = gw.Balance(t.Context())
	require.NoError(t, err, "switching as the error says works")
}

// TestConfigRequireReportsEveryField: a new user learns every missing field in one run
// (Cashy took four runs, one field per run).
func TestConfigRequireReportsEveryField(t *testing.T) {
	_, err := paygate.New(paygate.Config{Provider: "cashy"})
	require.ErrorIs(t, err, paygate.ErrInvalidConfig)
	for _, k := range []string{"base_url: Config.BaseURL is required", "merchant_id: Config.MerchantID is required", "secret: Config.Secret is required"} {
		require.ErrorContains(t, err, "paygate: cashy: config: "+k)
	}

	require.NoError(t, paygate.Config{APIKey: "k", Secret: "s"}.Require("x", "api_key", "secret"))
	err = paygate.Config{}.Require("x", "merchant_id", "nope")
	require.ErrorContains(t, err, "merchant_id: Config.MerchantID is required")
	require.ErrorContains(t, err, "nope: is not a key Require knows")
}

// TestNewRefusesNegativeTimeout: ParseConfig refuses a negative timeout, but a Config built in
// code with one was accepted by every provider and ran with DefaultTimeout. Each provider now
// refuses it with a *ConfigError naming timeout; zero still means DefaultTimeout.
func TestNewRefusesNegativeTimeout(t *testing.T) {
	for _, name := range []string{"caipay", "cashgit", "cashy", "deekpay", "paypro"} {
		t.Run(name, func(t *testing.T) {
			cfg := paygate.Config{Provider: name, BaseURL: "http://127.0.0.1:9", MerchantID: "M1", APIKey: "k", Secret: "s",
				Timeout: -5 * time.Second}
			_, err := paygate.New(cfg)
			require.ErrorIs(t, err, paygate.ErrInvalidConfig, "a negative Config.Timeout is not refused")
			var ce *paygate.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "timeout", ce.Field)
			require.Equal(t, name, ce.Provider)
			require.Contains(t, ce.Reason, "Config.Timeout")

			cfg.Timeout = 0
			_, err = paygate.New(cfg)
			require.NoError(t, err, "zero is DefaultTimeout")
		})
	}
}

// TestProvidersOptionValueErrors: an option whose value a provider refuses is refused as a
// *ConfigError naming options.<name>, for every option of every provider, whether the
// registry's Allowed list or the OptionSpec's Check refuses it: at load with its line (the
// provider's own parsing found it only in New, without one), and in New with the config's
// other problems at once (CashGit reported its option alone, the others hid it). A plain error would not
// match ErrInvalidConfig, and a config file's line could not be added to it.
func TestProvidersOptionValueErrors(t *testing.T) {
	for _, name := range []string{"caipay", "cashgit", "cashy", "deekpay", "paypro"} {
		for _, spec := range paygate.OptionSpecs(name) {
			t.Run(name+"/"+spec.Name, func(t *testing.T) {
				cfg := paygate.Config{Provider: name, BaseURL: "https://example.invalid", MerchantID: "m", APIKey: "k", Secret: "s",
					Options: map[string]string{spec.Name: "-1 is not { a value"}}
				_, err := paygate.New(cfg)
				if err == nil {
					return // a free-form option (a prefix, a list of former secrets)
				}
				require.ErrorIs(t, err, paygate.ErrInvalidConfig)
				var ce *paygate.ConfigError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, name, ce.Provider)
				require.Equal(t, "options."+spec.Name, ce.Field)

				// Read from a file, it is refused at load, with its line.
				_, ferr := paygate.ParseConfig([]byte("provider: "+name+"\noptions:\n  "+spec.Name+": \"-1 is not { a value\"\n"), false)
				require.ErrorContains(t, ferr, "config line 3: options."+spec.Name+": ")

				// With every other problem of the config, at once, whichever the provider.
				cfg.Secret, cfg.Timeout = "", -time.Second
				_, err = paygate.New(cfg)
				for _, field := range []string{"options." + spec.Name, "secret", "timeout"} {
					require.ErrorContains(t, err, "config: "+field+": ")
				}
			})
		}
	}
}

// TestUnsupportedErrors: an operation a provider lacks (as Capabilities says) is
// ErrUnsupported before any I/O, and its text starts "paygate: <provider> <operation>: " once,
// as every error's does.
func TestUnsupportedErrors(t *testing.T) {
	for _, name := range []string{"caipay", "cashgit", "cashy", "deekpay", "paypro"} {
		t.Run(name, func(t *testing.T) {
			gw, err := paygate.New(paygate.Config{Provider: name, BaseURL: "http://127.0.0.1:1", MerchantID: "M1", APIKey: "k", Secret: "s"})
			require.NoError(t, err)
			caps := gw.Capabilities()
			var errs []error
			if !caps.Balance {
				_, err := gw.Balance(t.Context())
				errs = append(errs, err)
			}
			if !caps.PayInDirect {
				fx := paygatetest.Fixtures(caps.Currency)
				req := fx.PayIn()
				req.OrderID, req.NotifyURL, req.Direct = paygatetest.OrderID("UN"), "https://merchant.example/cb", true
				req.Amount = paygate.MustParseMoney(fx.Amount, fx.Currency)
				_, err := gw.PayIn(t.Context(), req)
				errs = append(errs, err)
			}
			for _, err := range errs {
				require.ErrorIs(t, err, paygate.ErrUnsupported)
				require.Equal(t, 1, strings.Count(err.Error(), "paygate: "), err.Error())
				require.True(t, strings.HasPrefix(err.Error(), "paygate: "+name+" "), err.Error())
			}
		})
	}
}
