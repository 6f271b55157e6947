package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/paygate-go/paygate"
)

// configKeys are the keys of a config file and what each holds.
var configKeys = []struct{ key, meaning string }{
	{"provider", "caipay, deekpay, paypro, cashgit or cashy"},
	{"base_url", "the provider's API host; required for deekpay, paypro and cashy"},
	{"merchant_id", "your merchant number: CaiPay tenantId, PayPro merchantNo, CashGit appid, Cashy MerchantId"},
	{"api_key", "CaiPay token, DeekPay access_key"},
	{"secret", "the signing secret; write ${NAME} to read it from the environment"},
	{"timeout", "bound of one HTTP attempt, a duration with a unit: 30s, 1m30s, 500ms (default 30s)"},
	{"options", "provider-specific settings, below; a name the provider does not declare is refused"},
}

// configHelp prints the keys of a config file and every provider's declared options.
func configHelp(w io.Writer) {
	var b strings.Builder
	b.WriteString(`Config files (--config) are YAML, or JSON when the name ends in .json. ${NAME} is replaced
by the environment variable NAME, so secrets stay out of the file; $${ writes a literal ${.
A file holds one provider's config, one YAML document (a second, after ---, is refused).
An unknown key or option is an error that names the nearest known one; timeout needs a unit
("30s", not 30). YAML tags other than !!str, !!int, !!float, !!bool and !!null are refused.

Keys:
`)
	for _, k := range configKeys {
		fmt.Fprintf(&b, "  %-12s %s\n", k.key, k.meaning)
	}
	for _, p := range paygate.Providers() {
		specs := paygate.OptionSpecs(p)
		if len(specs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\nOptions of %s:\n", p)
		for _, s := range specs {
			fmt.Fprintf(&b, "  %s\n", s.Name)
			for _, l := range wrap(s.Meaning, 72) {
				fmt.Fprintf(&b, "      %s\n", l)
			}
			var notes []string
			if s.Default != "" {
				notes = append(notes, "default "+s.Default)
			}
			if len(s.Allowed) > 0 {
				notes = append(notes, "one of: "+strings.Join(s.Allowed, ", "))
			}
			if len(notes) > 0 {
				fmt.Fprintf(&b, "      (%s)\n", strings.Join(notes, "; "))
			}
		}
	}
	b.WriteString(`
Example (examples/paygate.example.yaml in the repository):

  provider: cashgit
  merchant_id: cgpay
  secret: ${CASHGIT_SECRET}
  timeout: 30s
  options:
    sandbox: "true"
    previous_secrets: ${CASHGIT_OLD_SECRET}
`)
	_, _ = io.WriteString(w, b.String())
}

// wrap breaks s into lines of at most width bytes at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
