package paygate

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// strictProvider declares options the way a provider package does.
const strictProvider = "test-strict"

func init() {
	Register(strictProvider, stubFactory(strictProvider))
	RegisterOptions(strictProvider,
		OptionSpec{Name: "previous_secrets", Meaning: "former secrets"},
		OptionSpec{Name: "sign_style", Meaning: "how to sign", Default: "key_param", Allowed: []string{"key_param", "append"}},
		OptionSpec{Name: "sandbox", Meaning: "use the test host", Default: "false"},
	)
	RegisterOptions("test-strict-secret", OptionSpec{Name: "webhook_token", Allowed: []string{"a"}})
	RegisterOptions("test-strict-checked",
		OptionSpec{Name: "retries", Check: func(v string) error {
			if _, err := strconv.Atoi(v); err != nil {
				return errors.New("must be a whole number")
			}
			return nil
		}},
		OptionSpec{Name: "signing_key_id", Check: func(string) error { return errors.New("must be a key id") }})
}

// configErrors returns every *ConfigError joined in err.
func configErrors(t *testing.T, err error) []*ConfigError {
	t.Helper()
	require.ErrorIs(t, err, ErrInvalidConfig)
	var out []*ConfigError
	var walk func(error)
	walk = func(e error) {
		if ce, ok := e.(*ConfigError); ok { //nolint:errorlint // walking the joined tree by hand
			out = append(out, ce)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	require.NotEmpty(t, out, "no *ConfigError in %v", err)
	return out
}

// TestParseConfigUnknownKeys is finding 1: misspelt and misplaced keys were accepted silently.
func TestParseConfigUnknownKeys(t *testing.T) {
	tests := []struct {
		name      string
		yaml      string
		json      string
		field     string
		line      int
		wantInMsg string
	}{
		{"base_ur", "provider: cashgit\nbase_ur: https://test.cashgit.com\n", `{"provider":"cashgit",
"base_ur":"https://test.cashgit.com"}`, "base_ur", 2, "unknown key; did you mean `base_url`?"},
		{"timeuot", "timeuot: 30s\n", `{"timeuot":"30s"}`, "timeuot", 1, "did you mean `timeout`?"},
		{"option singular", "provider: cashgit\noption:\n  sandbox: \"true\"\n", "{\"provider\":\"cashgit\",\n\"option\":{\"sandbox\":\"true\"}}",
			"option", 2, "did you mean `options`?"},
		{"merchantid", "merchantid: cgpay\n", `{"merchantid":"cgpay"}`, "merchantid", 1, "did you mean `merchant_id`?"},
		{"previous_secrets at top", "secret: s\nprevious_secrets: old\n", "{\"secret\":\"s\",\n\"previous_secrets\":\"old\"}",
			"previous_secrets", 2, "belongs under `options:`"},
		{"far from anything", "colour: blue\n", `{"colour":"blue"}`, "colour", 1, "(known: provider, base_url, merchant_id, api_key, secret, timeout, options)"},
		{"given twice", "secret: a\nsecret: b\n", `{"secret":"a",
"secret":"b"}`, "secret", 2, "given twice"},
	}
	for _, tt := range tests {
		for _, isJSON := range []bool{false, true} {
			in := map[bool]string{false: tt.yaml, true: tt.json}[isJSON]
			t.Run(tt.name+map[bool]string{false: " yaml", true: " json"}[isJSON], func(t *testing.T) {
				_, err := ParseConfig([]byte(in), isJSON)
				ces := configErrors(t, err)
				require.Equal(t, tt.field, ces[0].Field)
				require.Contains(t, ces[0].Reason, tt.wantInMsg)
				require.Equal(t, tt.line, ces[0].Line, "%v", err)
				require.Contains(t, err.Error(), "line ")
			})
		}
	}
}

// TestParseConfigReportsEveryProblem: one run names every mistake of a file.
func TestParseConfigReportsEveryProblem(t *testing.T) {
	_, err := ParseConfig([]byte("provider: test-strict\nbase_ur: x\ntimeuot: 30s\noptions:\n  sandobx: \"true\"\n  sign_styel: append\n"), false)
	ces := configErrors(t, err)
	var fields []string
	for _, ce := range ces {
		fields = append(fields, ce.Field)
	}
	require.Equal(t, []string{"base_ur", "timeuot", "options.sandobx", "options.sign_styel"}, fields)
	msg := err.Error()
	require.Contains(t, msg, "did you mean `sandbox`?")
	require.Contains(t, msg, "did you mean `sign_style`?")
	require.Contains(t, msg, "line 5")
	require.Contains(t, msg, "line 6")
}

// TestCheckOptions: unknown option names and values outside Allowed are refused with the
// nearest declared name, by Config.CheckOptions and by New.
func TestCheckOptions(t *testing.T) {
	tests := []struct {
		name    string
		options map[string]string
		field   string
		want    string
	}{
		{"sandobx", map[string]string{"sandobx": "true"}, "options.sandobx", "unknown option; did you mean `sandbox`?"},
		{"sign_styel", map[string]string{"sign_styel": "append"}, "options.sign_styel", "did you mean `sign_style`?"},
		{"not allowed", map[string]string{"sign_style": "apend"}, "options.sign_style", "`apend` is not allowed; write one of: key_param, append"},
		{"far", map[string]string{"colour": "x"}, "options.colour", "(known: previous_secrets, sign_style, sandbox)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Provider: strictProvider, Options: tt.options}
			err := cfg.CheckOptions("")
			ces := configErrors(t, err)
			require.Equal(t, tt.field, ces[0].Field)
			require.Contains(t, ces[0].Reason, tt.want)
			require.Equal(t, strictProvider, ces[0].Provider)

			_, err = New(cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
			require.Contains(t, err.Error(), tt.want)
		})
	}

	ok := Config{Provider: strictProvider, Options: map[string]string{"sign_style": "append", "sandbox": "", "previous_secrets": "a,b"}}
	require.NoError(t, ok.CheckOptions(""))
	_, err := New(ok)
	require.NoError(t, err)

	// A provider that declares nothing accepts anything.
	require.NoError(t, Config{Options: map[string]string{"anything": "x"}}.CheckOptions("test-provider-undeclared"))

	// A secret option's value is never quoted.
	err = Config{Options: map[string]string{"webhook_token": "TOKEN-zz99"}}.CheckOptions("test-strict-secret")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "TOKEN-zz99")

	// A Check refuses a value of the wrong form, saying what the form is; an unset option is
	// not checked; a secret's value is not quoted there either.
	err = Config{Options: map[string]string{"retries": "three", "signing_key_id": "KEY-zz99"}}.CheckOptions("test-strict-checked")
	errs := configErrors(t, err)
	require.Len(t, errs, 2)
	require.Equal(t, "options.retries: `three`: must be a whole number", errs[0].Field+": "+errs[0].Reason)
	require.NotContains(t, err.Error(), "KEY-zz99")
	require.NoError(t, Config{Options: map[string]string{"retries": "3", "signing_key_id": ""}}.CheckOptions("test-strict-checked"))
}

func TestOptionSpecs(t *testing.T) {
	specs := OptionSpecs(strictProvider)
	require.Len(t, specs, 3)
	require.Equal(t, "sign_style", specs[1].Name)
	specs[1].Name = "changed"
	require.Equal(t, "sign_style", OptionSpecs(strictProvider)[1].Name, "a copy")
	require.Nil(t, OptionSpecs("test-provider-undeclared"))
	require.Panics(t, func() { RegisterOptions(strictProvider) })
	require.Panics(t, func() { RegisterOptions("test-strict-dup", OptionSpec{Name: "a"}, OptionSpec{Name: "a"}) })
}

// TestParseConfigDurations is finding 2: bare numbers, unit typos and non-positive timeouts.
func TestParseConfigDurations(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		isJSON bool
		want   string // in the reason; "" means accepted
		line   int
	}{
		{"yaml bare number", "provider: cashgit\ntimeout: 30\n", false, "`30` is a bare number; write 30s", 2},
		{"yaml float", "timeout: 1.5\n", false, "write 1.5s", 1},
		{"yaml 30sec", "timeout: 30sec\n", false, "`30sec` is not a duration; write a number with a unit such as 30s", 1},
		{"yaml negative", "timeout: -5s\n", false, "`-5s` must be positive", 1},
		{"yaml zero", "timeout: 0s\n", false, "must be positive", 1},
		{"yaml list", "timeout: [30s]\n", false, "must be a duration", 1},
		{"json bare number", `{"timeout": 30}`, true, "`30` is a bare number; write 30s", 1},
		{"json negative", "{\n\"timeout\": \"-5s\"}", true, "must be positive", 2},
		{"json bool", `{"timeout": true}`, true, "must be a duration", 1},
		{"yaml ok", "timeout: 1m30s\n", false, "", 0},
		{"json ok", `{"timeout":"250ms"}`, true, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tt.in), tt.isJSON)
			if tt.want == "" {
				require.NoError(t, err)
				require.Positive(t, cfg.Timeout)
				return
			}
			ces := configErrors(t, err)
			require.Equal(t, "timeout", ces[0].Field)
			require.Equal(t, tt.line, ces[0].Line)
			require.Contains(t, ces[0].Reason, tt.want)
		})
	}
}

// TestParseConfigSyntaxErrors: a malformed file says which line, and never quotes a secret;
// the parser's quoted punctuation (',' or ']') is kept, any other quoted text dropped.
func TestParseConfigSyntaxErrors(t *testing.T) {
	const secret = "hunter2-very-secret-value"
	tests := []struct {
		name   string
		in     string
		isJSON bool
		line   int
		want   string
	}{
		{"tab indented", "provider: cashgit\noptions:\n\tsign_style: append\n", false, 3, "spaces, not tabs"},
		{"yaml unterminated", "provider: cashgit\nsecret: \"" + secret + "\n", false, 0, "malformed YAML"},
		{"json trailing comma", "{\"provider\":\"cashgit\",\n\"secret\":\"" + secret + "\",\n}", true, 3, "malformed JSON"},
		{"json bare secret", "{\"secret\":" + secret + "}", true, 1, "malformed JSON"},
		{"json after the end", "{\"secret\":\"" + secret + "\"}\n{}", true, 2, "text after the closing brace"},
		{"not a mapping", "- " + secret + "\n", false, 1, "must be a mapping"},
		{"unclosed flow", "provider: cashgit\nsecret: [" + secret + "\n", false, 0, "did not find expected ',' or ']'"},
		{"quoted comma in a secret", "provider: cashgit\nsecret: '" + secret + ",x\n", false, 0, "malformed YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.in), tt.isJSON)
			ces := configErrors(t, err)
			if tt.line > 0 {
				require.Equal(t, tt.line, ces[0].Line, "%v", err)
			}
			require.Contains(t, err.Error(), tt.want)
			require.NotContains(t, err.Error(), "hunter2")
		})
	}
}

// TestConfigUnmarshalJSONStrict: json.Unmarshal into a Config is as strict as ParseConfig.
func TestConfigUnmarshalJSONStrict(t *testing.T) {
	var cfg Config
	err := cfg.UnmarshalJSON([]byte(`{"provider":"cashgit","base_ur":"x"}`))
	require.ErrorIs(t, err, ErrInvalidConfig)
	require.Contains(t, err.Error(), "did you mean `base_url`?")

	// MarshalJSON's output reads back.
	in := Config{Provider: "cashgit", MerchantID: "m", Timeout: 90 * time.Second, Options: map[string]string{"a": "b"}}
	b, err := in.MarshalJSON()
	require.NoError(t, err)
	var out Config
	require.NoError(t, out.UnmarshalJSON(b))
	require.Equal(t, in, out)
}

func TestConfigError(t *testing.T) {
	e := &ConfigError{Provider: "cashgit", Field: "merchant_id", Reason: "is required"}
	require.Equal(t, "paygate: cashgit: config: merchant_id: is required", e.Error())
	e = &ConfigError{Field: "base_ur", Line: 3, Reason: "unknown key; did you mean `base_url`?"}
	require.Equal(t, "paygate: config line 3: base_ur: unknown key; did you mean `base_url`?", e.Error())
	require.ErrorIs(t, e, ErrInvalidConfig)
	require.False(t, errors.Is(e, ErrInvalidRequest))
	require.Equal(t, "paygate: deekpay: config: base_url: is required", ConfigErr("deekpay", "base_url", "is required").Error())
}

func TestNearest(t *testing.T) {
	for in, want := range map[string]string{
		"base_ur": "base_url", "timeuot": "timeout", "option": "options", "merchantid": "merchant_id",
		"MerchantID": "merchant_id", "api-key": "api_key", "secrte": "secret", "xyz": "", "": "",
	} {
		require.Equal(t, want, nearest(in, configKeys), in)
	}
	require.Equal(t, 1, editDistance("sandobx", "sandbox"))
	require.Equal(t, 0, editDistance("", ""))
	require.Equal(t, 3, editDistance("abc", ""))
	require.True(t, strings.HasPrefix(suggest("zzzz", []string{"a"}), " (known: a"))
}

// TestParseConfigEnvInValuesOnly: ${NAME} is replaced in values after parsing, so a commented
// reference (the sample file's optional lines) is ignored and a value cannot change the
// file's structure.
func TestParseConfigEnvInValuesOnly(t *testing.T) {
	t.Setenv("PAYGATE_TEST_ENV_SECRET", "s3cr3t: [not yaml")
	cfg, err := ParseConfig([]byte("secret: ${PAYGATE_TEST_ENV_SECRET}\n# previous_secrets: ${PAYGATE_TEST_NEVER_SET}\n"), false)
	require.NoError(t, err)
	require.Equal(t, "s3cr3t: [not yaml", cfg.Secret)

	cfg, err = ParseConfig([]byte(`{"secret":"${PAYGATE_TEST_ENV_SECRET}","options":{"previous_secrets":"a,${PAYGATE_TEST_ENV_SECRET}"}}`), true)
	require.NoError(t, err)
	require.Equal(t, "s3cr3t: [not yaml", cfg.Secret)
	require.Equal(t, "a,s3cr3t: [not yaml", cfg.Options["previous_secrets"])

	var plain Config
	require.NoError(t, plain.UnmarshalJSON([]byte(`{"secret":"${PAYGATE_TEST_NEVER_SET}"}`)))
	require.Equal(t, "${PAYGATE_TEST_NEVER_SET}", plain.Secret, "UnmarshalJSON does not read the environment")
}

// TestParseConfigOneYAMLDocument: a config file is one YAML document. A stream of several (as
// `paygate sandbox` prints for all providers) used to load as its first document alone, the
// others dropped silently; it is refused, naming the line where the second begins.
func TestParseConfigOneYAMLDocument(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
	}{
		{"two providers", "provider: cashgit\nmerchant_id: M1\nsecret: sec-OLD-1\n---\nprovider: cashy\nmerchant_id: M2\nsecret: sec-NEW-2\n", 4},
		{"an empty second document", "provider: cashgit\n---\n", 2},
		{"a second document of comments", "provider: cashgit\n---\n# dashboard: http://127.0.0.1:8080/\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tt.text), false)
			require.Equal(t, Config{}, cfg)
			errs := configErrors(t, err)
			require.Len(t, errs, 1)
			require.Equal(t, tt.line, errs[0].Line)
			require.Contains(t, errs[0].Reason, "second YAML document")
			require.NotContains(t, err.Error(), "sec-OLD-1")
			require.NotContains(t, err.Error(), "sec-NEW-2")
		})
	}

	_, err := ParseConfig([]byte("provider: cashgit\n---\nsecret: [\n"), false)
	require.ErrorIs(t, err, ErrInvalidConfig, "a malformed second document is malformed YAML")
	require.ErrorContains(t, err, "malformed YAML")

	for _, one := range []string{"---\nprovider: cashgit\n", "provider: cashgit\n...\n", "# only a comment\n", ""} {
		_, err := ParseConfig([]byte(one), false)
		require.NoError(t, err, "%q is one document (or none)", one)
	}
}

// TestParseConfigYAMLTags: an explicit YAML tag changes what a value is (!!binary is base64
// of bytes); the loader used to keep the text as written and drop the tag. Only the plain
// scalar tags are accepted, and each must fit its value; any other is refused naming the key.
func TestParseConfigYAMLTags(t *testing.T) {
	refused := []struct {
		name, text, field string
	}{
		{"binary secret", "provider: cashgit\nsecret: !!binary c2VjcmV0\n", "secret"},
		{"custom tag", "provider: cashgit\nmerchant_id: !custom abc\n", "merchant_id"},
		{"local tag on an option", "provider: cashgit\noptions:\n  sign_style: !style append\n", "options.sign_style"},
		{"timestamp", "provider: cashgit\nbase_url: !!timestamp 2001-12-14\n", "base_url"},
		{"tagged mapping", "provider: cashgit\noptions: !!omap\n  sign_style: append\n", "options"},
		{"int tag on text", "provider: cashgit\nsecret: !!int abc\n", "secret"},
		{"tag through an alias", "provider: cashgit\nmerchant_id: &m !custom M1\napi_key: *m\n", "merchant_id"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tt.text), false)
			require.Equal(t, Config{}, cfg)
			errs := configErrors(t, err)
			require.Equal(t, tt.field, errs[0].Field, err.Error())
			require.Contains(t, errs[0].Reason, "tag")
			require.NotContains(t, err.Error(), "c2VjcmV0")
			require.NotContains(t, err.Error(), "abc")
		})
	}

	// A secret that starts with '!' reads as a tag: the error must not quote it.
	for _, key := range []string{"secret", "api_key", "options:\n  previous_secrets"} {
		_, err := ParseConfig([]byte("provider: cashgit\n"+key+": !Xy9kP2qLm7Zq\n"), false)
		require.ErrorIs(t, err, ErrInvalidConfig, key)
		require.NotContains(t, err.Error(), "Xy9kP2", key)
		require.ErrorContains(t, err, "quote", key)
	}

	cfg, err := ParseConfig([]byte("provider: !!str cashgit\nmerchant_id: !!str 10001\nsecret: !!str 123\ntimeout: !!str 30s\napi_key: !!null\n"), false)
	require.NoError(t, err, "the plain scalar tags are accepted")
	require.Equal(t, Config{Provider: "cashgit", MerchantID: "10001", Secret: "123", Timeout: 30 * time.Second}, cfg)
}

// TestParseConfigDollarEscape: a value that holds "${" (a secret may) is written with "$${";
// an unset variable in a secret-named key is reported by key, never by a piece of its value
// (which may be the secret itself, not a variable).
func TestParseConfigDollarEscape(t *testing.T) {
	t.Setenv("PAYGATE_TEST_ESCAPE", "from-env")
	tests := []struct{ text, want string }{
		{"secret: 'Xy$${Zq9}w'", "Xy${Zq9}w"},
		{"secret: 'a$${b'", "a${b"},
		{"secret: '$${PAYGATE_TEST_ESCAPE}'", "${PAYGATE_TEST_ESCAPE}"},
		{"secret: '$$${PAYGATE_TEST_ESCAPE}'", "$${PAYGATE_TEST_ESCAPE}"},
		{"secret: '$${PAYGATE_TEST_ESCAPE}-${PAYGATE_TEST_ESCAPE}'", "${PAYGATE_TEST_ESCAPE}-from-env"},
		{"secret: '$$ and $'", "$$ and $"},
	}
	for _, tt := range tests {
		for _, isJSON := range []bool{false, true} {
			text := tt.text
			if isJSON {
				k, v, _ := strings.Cut(text, ": ")
				text = `{"` + k + `":"` + strings.Trim(v, "'") + `"}`
			}
			cfg, err := ParseConfig([]byte(text), isJSON)
			require.NoError(t, err, text)
			require.Equal(t, tt.want, cfg.Secret, text)
		}
	}

	for _, text := range []string{
		"provider: cashgit\nsecret: 'Xy${Zq9}w'\n",
		"provider: cashgit\napi_key: 'Xy${Zq9}w'\n",
		"provider: cashgit\noptions:\n  previous_secrets: 'Xy${Zq9}w'\n",
		`{"provider":"cashgit","secret":"Xy${Zq9}w"}`,
	} {
		_, err := ParseConfig([]byte(text), strings.HasPrefix(text, "{"))
		errs := configErrors(t, err)
		require.NotContains(t, err.Error(), "Zq9", "the error quotes a piece of the secret")
		require.Contains(t, []string{"secret", "api_key", "options.previous_secrets"}, errs[0].Field, "it names the key instead")
		require.Contains(t, errs[0].Reason, "$${", "it says how to write a literal ${")
	}

	_, err := ParseConfig([]byte("provider: cashgit\nmerchant_id: ${PAYGATE_TEST_UNSET_MERCHANT}\n"), false)
	errs := configErrors(t, err)
	require.Equal(t, "merchant_id", errs[0].Field)
	require.Contains(t, errs[0].Reason, "PAYGATE_TEST_UNSET_MERCHANT", "a key that holds no secret names its variable")
}

// TestParseConfigMalformedReference: a "${" that is not a ${NAME} reference nor the $${
// escape is refused naming the key, never quoting a secret: taken as written it became the
// secret itself ("${CASHGIT-SECRET}"), and the provider refused every signature.
func TestParseConfigMalformedReference(t *testing.T) {
	t.Setenv("CASHGIT_SECRET", "from-env")
	for _, v := range []string{"${CASHGIT-SECRET}", "${CASHGIT_SECRET", "${1SECRET}", "${}", "abc${ def", "${CASHGIT_SECRET}${"} {
		_, err := ParseConfig([]byte("provider: cashgit\nsecret: \""+v+"\"\n"), false)
		errs := configErrors(t, err)
		require.Equal(t, "secret", errs[0].Field, v)
		require.Equal(t, 2, errs[0].Line, v)
		require.Contains(t, errs[0].Reason, "not a reference", v)
		require.NotContains(t, err.Error(), "SECRET}", v)
	}
	cfg, err := ParseConfig([]byte("provider: cashgit\nsecret: \"$${CASHGIT-SECRET}-${CASHGIT_SECRET}\"\n"), false)
	require.NoError(t, err)
	require.Equal(t, "${CASHGIT-SECRET}-from-env", cfg.Secret)
}
