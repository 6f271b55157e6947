package signing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrNotObject is returned by Fields for input that is not one well-formed JSON object.
var ErrNotObject = errors.New("signing: body is not a JSON object")

// Fields turns a JSON object into the field map the signers take, as the providers' callback
// signers see it: strings as their decoded text, numbers as their JSON text ("20000.00" stays
// "20000.00", never a float), booleans as "true"/"false", null as empty (so unsigned), and
// nested objects or arrays as their compact JSON text. A duplicated key is an error: a body
// that could be read two ways must not verify one way and be trusted the other.
//
// The body is validated whole with json.Valid first; the walk that follows relies on that and
// only finds the boundaries of the top-level members.
func Fields(body []byte) (map[string]string, error) {
	if !json.Valid(body) {
		return nil, ErrNotObject
	}
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return nil, ErrNotObject
	}
	out := make(map[string]string, 16)
	i = skipSpace(body, i+1)
	for body[i] != '}' {
		end := stringEnd(body, i)
		key, err := Scalar(body[i:end])
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotObject, err)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%w: key %q appears twice", ErrNotObject, key)
		}
		i = skipSpace(body, skipSpace(body, end)+1) // past the colon
		end = valueEnd(body, i)
		v, err := Scalar(body[i:end])
		if err != nil {
			return nil, fmt.Errorf("%w: field %q: %w", ErrNotObject, key, err)
		}
		out[key] = v
		i = skipSpace(body, end)
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	return out, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i] == '"'.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for ; i < len(b); i++ { // number, true, false, null
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return len(b)
}

// Scalar is the canonical text of one JSON value, as Fields defines it.
func Scalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", errors.New("empty value")
	}
	switch raw[0] {
	case '"':
		// Plain strings, the usual case, need no decoding; escapes and invalid UTF-8 (which
		// encoding/json replaces with U+FFFD) go through encoding/json so both paths agree.
		if len(raw) >= 2 && raw[len(raw)-1] == '"' {
			inner := raw[1 : len(raw)-1]
			if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) && !bytes.ContainsAny(inner, "\"") {
				return string(inner), nil
			}
		}
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 'n':
		if string(raw) != "null" {
			return "", errors.New("invalid literal")
		}
		return "", nil
	case '{', '[':
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	return string(raw), nil // numbers and booleans: their JSON text
}
