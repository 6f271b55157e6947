package paygate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// configKeys are the keys of a config file, in the order of Config's fields.
var configKeys = []string{"provider", "base_url", "merchant_id", "api_key", "secret", "timeout", "options"}

// valueKind is the shape of one value of a config file.
type valueKind int

const (
	vNull valueKind = iota
	vString
	vNumber
	vBool
	vMap
	vList
)

// cfgValue is one value of a config file, JSON or YAML, with the line it starts on.
type cfgValue struct {
	kind    valueKind
	text    string // scalars: the text as written
	line    int
	entries []cfgEntry // vMap
}

// cfgEntry is one key of a mapping.
type cfgEntry struct {
	key  string
	line int
	val  cfgValue
}

// buildConfig checks the top-level mapping of a config file and fills a Config, collecting
// every problem.
func buildConfig(root cfgValue, checkOpts bool) (Config, error) {
	var cfg Config
	if root.kind == vNull {
		return cfg, nil // an empty file: New says what is missing
	}
	if root.kind != vMap {
		return Config{}, &ConfigError{Line: root.line, Reason: "the file must be a mapping of keys (provider, merchant_id, secret, …)"}
	}
	var errs []error
	fail := func(key string, line int, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: key, Line: line, Reason: fmt.Sprintf(format, args...)})
	}
	seen := map[string]bool{}
	var optionLines map[string]int
	for _, e := range root.entries {
		if seen[e.key] {
			fail(e.key, e.line, "given twice")
			continue
		}
		seen[e.key] = true
		switch e.key {
		case "provider", "base_url", "merchant_id", "api_key", "secret":
			s, ok := scalarText(e.val)
			if !ok {
				fail(e.key, e.line, "must be a single value, not a list or mapping")
				continue
			}
			switch e.key {
			case "provider":
				cfg.Provider = s
			case "base_url":
				cfg.BaseURL = s
			case "merchant_id":
				cfg.MerchantID = s
			case "api_key":
				cfg.APIKey = s
			case "secret":
				cfg.Secret = s
			}
		case "timeout":
			d, reason := durationValue(e.val)
			if reason != "" {
				fail(e.key, e.line, "%s", reason)
				continue
			}
			cfg.Timeout = d
		case "options":
			switch e.val.kind {
			case vNull:
			case vMap:
				cfg.Options = make(map[string]string, len(e.val.entries))
				optionLines = make(map[string]int, len(e.val.entries))
				for _, o := range e.val.entries {
					field := "options." + o.key
					if _, dup := cfg.Options[o.key]; dup {
						fail(field, o.line, "given twice")
						continue
					}
					s, ok := scalarText(o.val)
					if !ok {
						fail(field, o.line, "must be a single value; a list of previous secrets is one comma-separated text")
						continue
					}
					cfg.Options[o.key] = s
					optionLines[o.key] = o.line
				}
			default:
				fail(e.key, e.line, "must be a mapping of option names to values (options:\\n  sign_style: append)")
			}
		default:
			if isOption(e.key) {
				fail(e.key, e.line, "unknown key; `%s` is a provider option and belongs under `options:`", e.key)
				continue
			}
			fail(e.key, e.line, "unknown key%s", suggest(e.key, configKeys))
		}
	}
	if checkOpts {
		if err := checkOptions(cfg.Provider, cfg.Options, optionLines); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return cfg, nil
}

func isOption(key string) bool { return slices.Contains(allOptionNames(), key) }

// scalarText is the text of a scalar value ("" for null), false for a list or mapping.
func scalarText(v cfgValue) (string, bool) {
	switch v.kind {
	case vMap, vList:
		return "", false
	}
	return v.text, true
}

// durationValue reads timeout: a string with a unit, positive. The reason says how to fix a
// refused value.
func durationValue(v cfgValue) (time.Duration, string) {
	switch v.kind {
	case vNull:
		return 0, ""
	case vNumber:
		return 0, fmt.Sprintf("`%s` is a bare number; write %ss (a duration needs a unit: ms, s, m, h)", truncate(v.text, 20), truncate(v.text, 20))
	case vString:
		if v.text == "" {
			return 0, ""
		}
		d, err := time.ParseDuration(v.text)
		if err != nil {
			return 0, fmt.Sprintf("`%s` is not a duration; write a number with a unit such as 30s, 1m30s or 500ms", truncate(v.text, 20))
		}
		if d <= 0 {
			return 0, fmt.Sprintf("`%s` must be positive, such as 30s", truncate(v.text, 20))
		}
		return d, ""
	}
	return 0, "must be a duration such as 30s"
}

// parseYAML parses a YAML config file: one document. A second one (after ---) is refused
// rather than dropped: a stream of several documents is several configs.
func parseYAML(raw []byte) (Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Config{}, nil // an empty file, or only comments
		}
		return Config{}, yamlSyntaxError(err, raw)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return Config{}, &ConfigError{Line: next.Line, Reason: "a second YAML document begins here (---); " +
			"a config file holds one document, one provider's config: put each in its own file"}
	case !errors.Is(err, io.EOF):
		return Config{}, yamlSyntaxError(err, raw)
	}
	if len(doc.Content) == 0 {
		return Config{}, nil
	}
	root, err := fromYAML(doc.Content[0], "", 0)
	if err != nil {
		return Config{}, err
	}
	if err := expandTree(&root); err != nil {
		return Config{}, err
	}
	return buildConfig(root, true)
}

// expandTree replaces the ${NAME} references of every scalar of v, and "$${" by "${". Each
// key with an unset variable is an error: naming the variables, or, for a key whose name
// says it holds a secret (IsSecretOption), only the key, since "${…}" may be a piece of the
// secret itself.
func expandTree(v *cfgValue) error {
	var errs []error
	var walk func(key string, v *cfgValue)
	walk = func(key string, v *cfgValue) {
		if v.kind == vMap {
			for i := range v.entries {
				e := &v.entries[i]
				walk(joinKey(key, e.key), &e.val)
			}
			return
		}
		if v.kind == vNull || !strings.Contains(v.text, "${") {
			return
		}
		var missing []string
		var malformed bool
		v.text = expandEnv(v.text, &missing, &malformed)
		v.kind = vString // "${N}" may only be read as a string
		switch {
		case malformed:
			// Taken as written, a mistyped reference would become the secret itself.
			errs = append(errs, &ConfigError{Field: key, Line: v.line, Reason: "holds a ${ that is not a reference: " +
				"write ${NAME} (letters, digits and _, closed by }), or $${ for a literal ${"})
		case len(missing) == 0:
		case IsSecretOption(key[strings.LastIndexByte(key, '.')+1:]):
			errs = append(errs, &ConfigError{Field: key, Line: v.line, Reason: "refers to an environment variable " +
				"that is not set (its name is not shown: the value of a secret is never quoted); " +
				"to write a literal ${ in a value, write $${"})
		default:
			errs = append(errs, &ConfigError{Field: key, Line: v.line, Reason: fmt.Sprintf("environment variable %s is not set "+
				"(to write a literal ${ in a value, write $${)", strings.Join(missing, ", "))})
		}
	}
	walk("", v)
	return errors.Join(errs...)
}

// joinKey is key's path below parent: "options.sign_style".
func joinKey(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// yamlScalarTags are the tags a config file may write explicitly.
var yamlScalarTags = []string{"!!str", "!!int", "!!float", "!!bool", "!!null"}

// checkYAMLTag refuses an explicit tag other than the plain scalar ones, or one that does not
// fit its value (!!int abc): the loader reads values as text, so any other tag would be
// dropped silently (!!binary is base64 of bytes, not the text written). The value is never
// quoted, nor the tag of a secret key (a secret starting with '!' reads as a tag).
func checkYAMLTag(n *yaml.Node, key string) error {
	if n.Style&yaml.TaggedStyle == 0 {
		return nil
	}
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || !slices.Contains(yamlScalarTags, tag) {
		what := "the YAML tag " + truncate(tag, 20)
		if IsSecretOption(key) { // "secret: !Xy9…" is a secret that starts with '!', read as a tag
			what = "a YAML tag"
		}
		return &ConfigError{Field: key, Line: n.Line, Reason: fmt.Sprintf("%s is not supported; "+
			"write the value as plain text, in quotes if it starts with '!' (only %s are accepted)",
			what, strings.Join(yamlScalarTags, ", "))}
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return &ConfigError{Field: key, Line: n.Line, Reason: fmt.Sprintf("the value does not fit its YAML tag %s", tag)}
	}
	return nil
}

// fromYAML converts a YAML node, the value of key, into a cfgValue.
func fromYAML(n *yaml.Node, key string, depth int) (cfgValue, error) {
	if depth > 8 {
		return cfgValue{}, &ConfigError{Line: n.Line, Reason: "nested too deeply"}
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return fromYAML(n.Alias, key, depth+1)
	}
	if err := checkYAMLTag(n, key); err != nil {
		return cfgValue{}, err
	}
	v := cfgValue{line: n.Line, text: n.Value}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			v.kind, v.text = vNull, ""
		case "!!int", "!!float":
			v.kind = vNumber
		case "!!bool":
			v.kind = vBool
		default:
			v.kind = vString
		}
	case yaml.SequenceNode:
		v.kind = vList
	case yaml.MappingNode:
		v.kind = vMap
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return cfgValue{}, &ConfigError{Line: k.Line, Reason: "a key must be a name"}
			}
			if err := checkYAMLTag(k, joinKey(key, k.Value)); err != nil {
				return cfgValue{}, err
			}
			cv, err := fromYAML(val, joinKey(key, k.Value), depth+1)
			if err != nil {
				return cfgValue{}, err
			}
			v.entries = append(v.entries, cfgEntry{key: k.Value, line: k.Line, val: cv})
		}
	default:
		v.kind = vString
	}
	return v, nil
}

var (
	yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	quoted   = regexp.MustCompile("'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`")
)

// yamlSyntaxError turns the parser's message into a *ConfigError with the line, with any
// quoted text removed: it may be part of a secret.
func yamlSyntaxError(err error, raw []byte) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	msg = strings.Join(strings.Fields(quoted.ReplaceAllStringFunc(msg, punctuationOnly)), " ")
	if strings.Contains(msg, "tab") || indentedWithTab(raw, line) {
		msg += " (indent YAML with spaces, not tabs)"
	}
	return &ConfigError{Line: line, Reason: "malformed YAML: " + msg}
}

// punctuationOnly keeps a quoted piece of the parser's message that is one punctuation mark
// ("did not find expected ',' or ']'"), which no secret is, and drops any other.
func punctuationOnly(q string) string {
	if r := []rune(q[1 : len(q)-1]); len(r) == 1 && unicode.IsPunct(r[0]) {
		return q
	}
	return ""
}

// indentedWithTab reports whether line (1-based) of raw, or the line before it, starts with
// a tab.
func indentedWithTab(raw []byte, line int) bool {
	lines := bytes.Split(raw, []byte{'\n'})
	for _, n := range []int{line - 1, line - 2} {
		if n >= 0 && n < len(lines) && bytes.HasPrefix(bytes.TrimLeft(lines[n], " "), []byte{'\t'}) {
			return true
		}
	}
	return false
}

// parseJSON parses a JSON config file; expand replaces ${NAME} references, checkOpts checks
// the options against the provider's declarations.
func parseJSON(raw []byte, expand, checkOpts bool) (Config, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	root, err := fromJSON(dec, raw, 0)
	if err != nil {
		return Config{}, jsonSyntaxError(err, dec, raw)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Config{}, &ConfigError{Line: lineAt(raw, dec.InputOffset()), Reason: "malformed JSON: text after the closing brace"}
	}
	if expand {
		if err := expandTree(&root); err != nil {
			return Config{}, err
		}
	}
	return buildConfig(root, checkOpts)
}

// fromJSON reads the next JSON value of dec.
func fromJSON(dec *json.Decoder, raw []byte, depth int) (cfgValue, error) {
	line := lineAt(raw, dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		return cfgValue{}, err
	}
	if depth > 8 {
		return cfgValue{}, &ConfigError{Line: line, Reason: "nested too deeply"}
	}
	switch t := tok.(type) {
	case nil:
		return cfgValue{kind: vNull, line: line}, nil
	case string:
		return cfgValue{kind: vString, text: t, line: line}, nil
	case json.Number:
		return cfgValue{kind: vNumber, text: t.String(), line: line}, nil
	case bool:
		return cfgValue{kind: vBool, text: strconv.FormatBool(t), line: line}, nil
	case json.Delim:
		v := cfgValue{kind: vList, line: line}
		if t == '{' {
			v.kind = vMap
		}
		for dec.More() {
			if v.kind == vList {
				if _, err := fromJSON(dec, raw, depth+1); err != nil {
					return cfgValue{}, err
				}
				continue
			}
			k, err := dec.Token()
			if err != nil {
				return cfgValue{}, err
			}
			key, _ := k.(string)
			kl := lineAt(raw, dec.InputOffset())
			cv, err := fromJSON(dec, raw, depth+1)
			if err != nil {
				return cfgValue{}, err
			}
			v.entries = append(v.entries, cfgEntry{key: key, line: kl, val: cv})
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return cfgValue{}, err
		}
		return v, nil
	}
	return cfgValue{}, fmt.Errorf("unexpected token")
}

// jsonSyntaxError turns a decoder error into a *ConfigError with the line, never quoting the
// text (a character of a secret).
func jsonSyntaxError(err error, dec *json.Decoder, raw []byte) error {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return err
	}
	off := dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		msg = "unexpected end of the file"
	}
	msg = strings.Join(strings.Fields(quoted.ReplaceAllStringFunc(msg, punctuationOnly)), " ")
	return &ConfigError{Line: lineAt(raw, off), Reason: "malformed JSON: " + msg}
}

// lineAt is the 1-based line of byte offset off in raw.
func lineAt(raw []byte, off int64) int {
	off = min(off, int64(len(raw)))
	// The decoder's offset is just past the last token; a key's line is the line it ends on.
	return bytes.Count(raw[:off], []byte{'\n'}) + 1
}
