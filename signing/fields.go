package signing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrNotObject is returned by Fields for input that is not one well-formed JSON object.
var ErrNotObject = errors.New("signing: body is not a JSON object")

// Fields turns a JSON object into the field map the signers take, as the providers' callback
// signers see it: strings as their decoded text, numbers as their JSON text ("20000.00" stays
// "20000.00", never a float), booleans as "true"/"false", null as empty (so unsigned), and
// nested objects or arrays as their compact JSON text. A duplicated key is an error: a body
// that could be read two ways must not verify one way and be trusted the other.
func Fields(body []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, ErrNotObject
	}
	out := make(map[string]string, 16)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotObject, err)
		}
		key := tok.(string) // object keys are always strings
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%w: key %q appears twice", ErrNotObject, key)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotObject, err)
		}
		v, err := Scalar(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: field %q: %v", ErrNotObject, key, err)
		}
		out[key] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, ErrNotObject
	}
	// Anything after the object, even text that is not JSON, is refused: only io.EOF will do.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the object", ErrNotObject)
	}
	return out, nil
}

// Scalar is the canonical text of one JSON value, as Fields defines it.
func Scalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", errors.New("empty value")
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 'n':
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
