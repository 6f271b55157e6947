package paygate

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/paygate-go/paygate/internal/registry"
)

// OptionSpec declares one provider-specific entry of [Config.Options]: its name, what it
// means, its default and, where the provider takes only certain values, those values or the
// form they take. Each provider package registers its declarations with [RegisterOptions];
// [New], the provider's own constructor and [ParseConfig] (with the line) refuse an option
// the provider does not declare, a value outside Allowed and one Check refuses.
type OptionSpec struct {
	Name    string   // the key under "options:", e.g. "sign_style"
	Meaning string   // what it does, one or two sentences
	Default string   // the value used when it is unset; empty when there is none
	Allowed []string // the only values accepted; nil when any value, or any Check accepts, is
	// Check, when set, refuses a value of the wrong form, its error saying what the form is
	// ("must be a positive duration such as 5m"). It is not called for an unset option.
	Check func(value string) error
}

var optionReg = registry.New[[]OptionSpec]("paygate: RegisterOptions")

// RegisterOptions declares the options provider reads. Provider packages call it from init,
// beside Register. Registering a provider's options twice, or one name twice, panics.
func RegisterOptions(provider string, specs ...OptionSpec) {
	seen := map[string]bool{}
	for _, s := range specs {
		if s.Name == "" || seen[s.Name] {
			panic(fmt.Sprintf("paygate: RegisterOptions(%s): empty or repeated option name %q", provider, s.Name))
		}
		seen[s.Name] = true
	}
	optionReg.Add(provider, slices.Clone(specs))
}

// OptionSpecs returns the options provider declares, in the order it declared them, or nil
// when it declares none (or is not registered).
func OptionSpecs(provider string) []OptionSpec {
	specs, _ := optionReg.Get(provider)
	return slices.Clone(specs)
}

// allOptionNames is every option name any provider declares, for telling a misplaced option
// at the top level of a config file.
func allOptionNames() []string {
	set := map[string]bool{"previous_secrets": true}
	for specs := range optionReg.All() {
		for _, s := range specs {
			set[s.Name] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// CheckOptions refuses the options of c that provider does not declare, naming the nearest
// declared one, and values outside a declaration's Allowed list. An empty provider means
// c.Provider. A provider that declares no options (none registered) accepts any. Every
// problem is reported: the error joins one *ConfigError per option at fault, and matches
// ErrInvalidConfig.
func (c Config) CheckOptions(provider string) error {
	if provider == "" {
		provider = c.Provider
	}
	return checkOptions(provider, c.Options, nil)
}

// checkOptions is CheckOptions with the file line of each option, when known.
func checkOptions(provider string, options map[string]string, lines map[string]int) error {
	specs := OptionSpecs(provider)
	if len(specs) == 0 || len(options) == 0 {
		return nil
	}
	known := make([]string, len(specs))
	for i, s := range specs {
		known[i] = s.Name
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(options)) {
		i := slices.Index(known, name)
		if i < 0 {
			errs = append(errs, &ConfigError{Provider: provider, Field: "options." + name, Line: lines[name],
				Reason: "unknown option" + suggest(name, known)})
			continue
		}
		v, allowed := options[name], specs[i].Allowed
		if v == "" {
			continue
		}
		shown := "this value"
		if !IsSecretOption(name) {
			shown = "`" + truncate(v, 40) + "`"
		}
		switch {
		case allowed != nil && !slices.Contains(allowed, v):
			errs = append(errs, &ConfigError{Provider: provider, Field: "options." + name, Line: lines[name],
				Reason: fmt.Sprintf("%s is not allowed; write one of: %s", shown, strings.Join(allowed, ", "))})
		case specs[i].Check != nil:
			if err := specs[i].Check(v); err != nil {
				errs = append(errs, &ConfigError{Provider: provider, Field: "options." + name, Line: lines[name],
					Reason: fmt.Sprintf("%s: %v", shown, err)})
			}
		}
	}
	return errors.Join(errs...)
}

// suggest is "; did you mean `x`?" naming the known name nearest to name, or the list of
// known names when none is near.
func suggest(name string, known []string) string {
	if n := nearest(name, known); n != "" {
		return "; did you mean `" + n + "`?"
	}
	return " (known: " + strings.Join(known, ", ") + ")"
}

// nearest returns the entry of known closest to name by edit distance, ignoring case, "_"
// and "-", or "" when none is close: at most 2 edits, and fewer than half the letters.
func nearest(name string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
	}
	n := norm(name)
	best, bestD := "", 3
	for _, k := range known {
		d := editDistance(n, norm(k))
		if d < bestD && 2*d < len([]rune(k)) {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (optimal string alignment) of a and b:
// insertions, deletions, substitutions and transpositions of neighbours.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
