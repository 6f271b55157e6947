package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/paygate-go/paygate/signing"
)

// signFlags are the inputs of sign and verify.
type signFlags struct {
	provider  string
	secret    string
	secretEnv string
	style     string
	body      string
	sign      string // verify only
}

func (f *signFlags) declare(fs *flag.FlagSet, verify bool) {
	fs.StringVar(&f.provider, "provider", "", "provider: caipay, deekpay, paypro, cashgit or cashy (required)")
	fs.StringVar(&f.secretEnv, "secret-env", "", "name of the environment variable holding the signing secret (preferred over --secret)")
	fs.StringVar(&f.secret, "secret", "", "the signing secret; visible to other users in the process list, prefer --secret-env")
	styleHelp := "cashgit sign style: key_param (md5 of k=v&…&key=SECRET) or append (md5 of k=v&…SECRET)"
	if verify {
		styleHelp += "; default: accept either"
	} else {
		styleHelp += " (default key_param)"
	}
	fs.StringVar(&f.style, "style", "", styleHelp)
	fs.StringVar(&f.body, "body", "", "JSON file whose fields are signed (cashy: the exact bytes are signed); - reads standard input")
	if verify {
		fs.StringVar(&f.sign, "sign", "", "the signature to check (default: the body's own sign/signKey field)")
	}
}

const signSynopsis = "--provider NAME (--secret-env VAR | --secret S) [--style key_param|append] [--body FILE|-] [key=value ...]"

const signAbout = `Signs the fields given as key=value arguments, or the top-level fields of a JSON body
(--body; numbers sign as their JSON text), with the provider's algorithm, and prints the
canonical string that is hashed and the signature. The secret is never printed.

  caipay   md5hex(values in key order + secret)                  field signKey
  deekpay  base64(hmac-sha1(secret, "k=v&k=v" in key order))      header sign; the fields must
           include access_key, timestamp and nonce (the header values)
  paypro   md5hex("k1=v1k2=v2" in key order + secret)             field sign
  cashgit  md5hex("k=v&k=v" + "&key=" + secret)  (--style key_param, the default)
           md5hex("k=v&k=v" + secret)            (--style append)  field sign
  cashy    MD5HEX(body bytes + secret), upper case                header Sign; --body only

Empty values and the signature's own field are never signed.
`

var signCmd = &command{
	name:     "sign",
	synopsis: signSynopsis,
	summary:  "print a provider's canonical string and signature over the given fields",
	example:  "paygate sign --provider cashgit --secret-env CASHGIT_SECRET appid=cgpay orderid=ORDER_1 amount=100.00",
	about:    signAbout,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var f signFlags
		f.declare(fs, false)
		return func(_ context.Context, c *cli, args []string) error { return f.runSign(c, args) }
	},
}

var verifyCmd = &command{
	name:     "verify",
	synopsis: signSynopsis + " [--sign SIG]",
	summary:  `check a signature: prints "valid" (exit 0) or "invalid" (exit 1)`,
	example:  "paygate verify --provider cashgit --secret-env CASHGIT_SECRET --body callback.json",
	about: `Takes the same inputs as sign, plus the signature to check (--sign, or the body's own
sign/signKey field for caipay, paypro and cashgit). For cashgit either sign style is accepted
unless --style names one; the style that matched is printed. When the signature is invalid,
the canonical string and the expected signature are printed on standard error.
`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var f signFlags
		f.declare(fs, true)
		return func(_ context.Context, c *cli, args []string) error { return f.runVerify(c, args) }
	},
}

// algorithm is one provider's field signature.
type algorithm struct {
	style     string // cashgit's sign style, else empty
	canonical func(map[string]string) string
	sign      func(map[string]string, string) string
	formula   string // how the canonical string and the secret are hashed
}

// sigField is the body field that carries each provider's signature; DeekPay and Cashy send
// theirs in a header.
var sigField = map[string]string{"caipay": "signKey", "paypro": "sign", "cashgit": "sign"}

// cashgitStyles are cashgit's two sign styles, the default first.
var cashgitStyles = []algorithm{
	{style: "key_param", canonical: signing.KeyParamCanonical, sign: signing.KeyParamMD5, formula: `md5hex(canonical + "&key=" + secret)`},
	{style: "append", canonical: signing.KeyParamCanonical, sign: signing.AppendMD5, formula: "md5hex(canonical + secret)"},
}

// fieldAlgorithms are the algorithms of the providers that sign fields in one way (cashgit has
// two styles, and cashy signs the body).
var fieldAlgorithms = map[string]algorithm{
	"caipay":  {canonical: signing.ValuesCanonical, sign: signing.ValuesMD5, formula: "md5hex(canonical + secret)"},
	"deekpay": {canonical: signing.HMACCanonical, sign: signing.HMACSHA1, formula: "base64(hmac-sha1(secret, canonical))"},
	"paypro":  {canonical: signing.ConcatCanonical, sign: signing.ConcatMD5, formula: "md5hex(canonical + secret)"},
}

const cashyFormula = "MD5HEX(body + secret), upper case"

// algorithms returns the algorithms to sign or verify with: one, or for cashgit verify
// without --style both styles.
func (f *signFlags) algorithms(verify bool) ([]algorithm, error) {
	if f.style != "" && f.provider != "cashgit" {
		return nil, usagef("--style applies to cashgit only")
	}
	if a, ok := fieldAlgorithms[f.provider]; ok {
		return []algorithm{a}, nil
	}
	switch f.provider {
	case "cashgit":
		if f.style == "" {
			if verify {
				return cashgitStyles, nil
			}
			return cashgitStyles[:1], nil
		}
		for _, a := range cashgitStyles {
			if a.style == f.style {
				return []algorithm{a}, nil
			}
		}
		return nil, usagef("--style must be key_param or append, not %q", f.style)
	case "cashy":
		return nil, nil
	case "":
		return nil, usagef("--provider is required")
	}
	return nil, usagef("unknown provider %q (known: caipay, deekpay, paypro, cashgit, cashy)", f.provider)
}

// resolveSecret returns the secret from --secret-env or --secret.
func (f *signFlags) resolveSecret() (string, error) {
	return secretFrom(f.secret, f.secretEnv, true)
}

// secretFrom returns the secret given directly or through an environment variable; required
// says whether one of the two must be given.
func secretFrom(secret, env string, required bool) (string, error) {
	switch {
	case secret != "" && env != "":
		return "", usagef("give --secret or --secret-env, not both")
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok || v == "" {
			return "", usagef("environment variable %s (--secret-env) is not set or empty", env)
		}
		return v, nil
	case secret == "" && required:
		return "", usagef("--secret-env or --secret is required")
	}
	return secret, nil
}

// maxBody bounds a body read for signing.
const maxBody = 8 << 20

// readBody reads --body: a file, or standard input for "-".
func (f *signFlags) readBody(c *cli) ([]byte, error) {
	r := c.stdin
	if f.body != "-" {
		file, err := os.Open(f.body)
		if err != nil {
			// A file that is not there is a mistake on the command line, not a failed check.
			return nil, usagef("--body: %v", err)
		}
		defer func() { _ = file.Close() }()
		r = file
	}
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("read body: larger than %d bytes", maxBody)
	}
	return b, nil
}

// fields gathers the fields to sign: the body's top-level fields, then the key=value
// arguments, none given twice.
func (f *signFlags) fields(c *cli, args []string) (map[string]string, error) {
	fields := map[string]string{}
	if f.body != "" {
		b, err := f.readBody(c)
		if err != nil {
			return nil, err
		}
		if fields, err = signing.Fields(b); err != nil {
			return nil, fmt.Errorf("body %s: %w", f.body, err)
		}
	}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, usagef("argument %q is not key=value", a)
		}
		if _, dup := fields[k]; dup {
			return nil, usagef("field %q is given twice", k)
		}
		fields[k] = v
	}
	if len(fields) == 0 {
		return nil, usagef("no fields to sign: give key=value arguments or --body")
	}
	if f.provider == "deekpay" {
		for _, k := range []string{"access_key", "timestamp", "nonce"} {
			if fields[k] == "" {
				return nil, usagef("deekpay signs the access_key, timestamp and nonce headers with the fields: add %s=…", k)
			}
		}
	}
	return fields, nil
}

// inputs checks the flags and reads what is to be signed: the fields, or cashy's body.
func (f *signFlags) inputs(c *cli, args []string, verify bool) (algs []algorithm, fields map[string]string, body []byte, secret string, err error) {
	if algs, err = f.algorithms(verify); err != nil {
		return nil, nil, nil, "", err
	}
	if secret, err = f.resolveSecret(); err != nil {
		return nil, nil, nil, "", err
	}
	if f.provider == "cashy" {
		if len(args) > 0 {
			return nil, nil, nil, "", usagef("cashy signs the raw request body: give --body FILE, not key=value arguments")
		}
		if f.body == "" {
			return nil, nil, nil, "", usagef("cashy signs the raw request body: --body FILE (or - for standard input) is required")
		}
		body, err = f.readBody(c)
		return nil, nil, body, secret, err
	}
	fields, err = f.fields(c, args)
	return algs, fields, nil, secret, err
}

func (f *signFlags) runSign(c *cli, args []string) error {
	algs, fields, body, secret, err := f.inputs(c, args, false)
	if err != nil {
		return err
	}
	if f.provider == "cashy" {
		printBody(c.stdout, body)
		fmt.Fprintf(c.stdout, "hashed:    %s\nsignature: %s\n", cashyFormula, signing.BodyMD5(body, secret))
		return nil
	}
	a := algs[0]
	fmt.Fprintf(c.stdout, "canonical: %s\nhashed:    %s\nsignature: %s\n", a.canonical(fields), a.formula, a.sign(fields, secret))
	return nil
}

// printBody prints cashy's signed body quoted, so that trailing newlines and spaces, which are
// signed too, show.
func printBody(w io.Writer, body []byte) {
	fmt.Fprintf(w, "canonical: %q\nbytes:     %d\n", body, len(body))
}

func (f *signFlags) runVerify(c *cli, args []string) error {
	algs, fields, body, secret, err := f.inputs(c, args, true)
	if err != nil {
		return err
	}
	got := f.sign
	if got == "" {
		got = fields[sigField[f.provider]]
	}
	if got == "" {
		if name := sigField[f.provider]; name != "" {
			return usagef("--sign is required (or a %s field in the body)", name)
		}
		return usagef("--sign is required: %s sends the signature in a header", f.provider)
	}
	if f.provider == "cashy" {
		want := signing.BodyMD5(body, secret)
		if signing.Equal(got, want) {
			fmt.Fprintln(c.stdout, "valid")
			return nil
		}
		fmt.Fprintln(c.stdout, "invalid")
		printBody(c.stderr, body)
		fmt.Fprintf(c.stderr, "hashed:    %s\nexpected:  %s\n", cashyFormula, want)
		return exitStatus(exitFailed)
	}
	for _, a := range algs {
		if signing.Equal(got, a.sign(fields, secret)) {
			fmt.Fprintln(c.stdout, "valid")
			if a.style != "" {
				fmt.Fprintf(c.stdout, "sign_style: %s\n", a.style)
			}
			return nil
		}
	}
	fmt.Fprintln(c.stdout, "invalid")
	fmt.Fprintf(c.stderr, "canonical: %s\n", algs[0].canonical(fields))
	for _, a := range algs {
		label := "expected: "
		if a.style != "" {
			label = "expected (" + a.style + "):"
		}
		fmt.Fprintf(c.stderr, "%s %s  = %s\n", label, a.sign(fields, secret), a.formula)
	}
	return exitStatus(exitFailed)
}
