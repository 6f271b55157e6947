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

// schemes returns the signing schemes to sign or verify with, as the provider package
// registered them (signing.Schemes): the one --style names, else the default one, or for
// verify every one.
func (f *signFlags) schemes(verify bool) ([]signing.Scheme, error) {
	if f.provider == "" {
		return nil, usagef("--provider is required")
	}
	all := signing.Schemes(f.provider)
	if all == nil {
		return nil, usagef("unknown provider %q (known: %s)", f.provider, strings.Join(signing.Providers(), ", "))
	}
	if f.style == "" {
		if verify {
			return all, nil
		}
		return all[:1], nil
	}
	if len(all) == 1 {
		return nil, usagef("--style applies to %s only", strings.Join(styled(), ", "))
	}
	var names []string
	for _, s := range all {
		if s.Name == f.style {
			return []signing.Scheme{s}, nil
		}
		names = append(names, s.Name)
	}
	return nil, usagef("--style must be %s, not %q", strings.Join(names, " or "), f.style)
}

// styled returns the providers with more than one sign style.
func styled() []string {
	var out []string
	for _, p := range signing.Providers() {
		if len(signing.Schemes(p)) > 1 {
			out = append(out, p)
		}
	}
	return out
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
// arguments, none given twice; each of requires must be among them.
func (f *signFlags) fields(c *cli, args []string, requires []string) (map[string]string, error) {
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
	for _, k := range requires {
		if fields[k] == "" {
			return nil, usagef("%s signs the %s headers with the fields: add %s=…", f.provider, and(requires), k)
		}
	}
	return fields, nil
}

// inputs checks the flags and reads what is to be signed: the fields, or the body where the
// provider signs the raw body.
func (f *signFlags) inputs(c *cli, args []string, verify bool) (schemes []signing.Scheme, fields map[string]string, body []byte, secret string, err error) {
	if schemes, err = f.schemes(verify); err != nil {
		return nil, nil, nil, "", err
	}
	if secret, err = f.resolveSecret(); err != nil {
		return nil, nil, nil, "", err
	}
	if schemes[0].SignBody != nil {
		if len(args) > 0 {
			return nil, nil, nil, "", usagef("%s signs the raw request body: give --body FILE, not key=value arguments", f.provider)
		}
		if f.body == "" {
			return nil, nil, nil, "", usagef("%s signs the raw request body: --body FILE (or - for standard input) is required", f.provider)
		}
		if body, err = f.readBody(c); err == nil && len(body) == 0 {
			err = usagef("--body %s is empty: nothing to sign", f.body)
		}
		return schemes, nil, body, secret, err
	}
	if fields, err = f.fields(c, args, schemes[0].Requires); err == nil && schemes[0].Canonical(fields) == "" {
		// Empty fields are not signed: the "signature" would be a hash of the secret alone.
		err = usagef("nothing to sign: every field given is empty, and empty fields are not signed")
	}
	return schemes, fields, nil, secret, err
}

// and joins names as "a, b and c".
func and(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func (f *signFlags) runSign(c *cli, args []string) error {
	schemes, fields, body, secret, err := f.inputs(c, args, false)
	if err != nil {
		return err
	}
	s := schemes[0]
	if s.SignBody != nil {
		printBody(c.stdout, body)
		fmt.Fprintf(c.stdout, "hashed:    %s\nsignature: %s\n", s.Formula, s.SignBody(body, secret))
		return nil
	}
	fmt.Fprintf(c.stdout, "canonical: %s\nhashed:    %s\nsignature: %s\n", s.Canonical(fields), s.Formula, s.Sign(fields, secret))
	return nil
}

// printBody prints cashy's signed body quoted, so that trailing newlines and spaces, which are
// signed too, show.
func printBody(w io.Writer, body []byte) {
	fmt.Fprintf(w, "canonical: %q\nbytes:     %d\n", body, len(body))
}

func (f *signFlags) runVerify(c *cli, args []string) error {
	schemes, fields, body, secret, err := f.inputs(c, args, true)
	if err != nil {
		return err
	}
	got, field := f.sign, schemes[0].Field
	if got == "" && field != "" {
		got = fields[field]
	}
	if got == "" {
		if field != "" {
			return usagef("--sign is required (or a %s field in the body)", field)
		}
		return usagef("--sign is required: %s sends the signature in a header", f.provider)
	}
	if s := schemes[0]; s.SignBody != nil {
		want := s.SignBody(body, secret)
		if signing.Equal(got, want) {
			fmt.Fprintln(c.stdout, "valid")
			return nil
		}
		fmt.Fprintln(c.stdout, "invalid")
		printBody(c.stderr, body)
		fmt.Fprintf(c.stderr, "hashed:    %s\nexpected:  %s\n", s.Formula, want)
		return exitStatus(exitFailed)
	}
	for _, s := range schemes {
		if signing.Equal(got, s.Sign(fields, secret)) {
			fmt.Fprintln(c.stdout, "valid")
			if s.Name != "" {
				fmt.Fprintf(c.stdout, "sign_style: %s\n", s.Name)
			}
			return nil
		}
	}
	fmt.Fprintln(c.stdout, "invalid")
	fmt.Fprintf(c.stderr, "canonical: %s\n", schemes[0].Canonical(fields))
	for _, s := range schemes {
		label := "expected: "
		if s.Name != "" {
			label = "expected (" + s.Name + "):"
		}
		fmt.Fprintf(c.stderr, "%s %s  = %s\n", label, s.Sign(fields, secret), s.Formula)
	}
	return exitStatus(exitFailed)
}
