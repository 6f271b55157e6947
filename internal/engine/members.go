package engine

import (
	"bytes"
	"encoding/json"
)

// namedTwice reports whether the JSON object body names a member twice at its top level.
// encoding/json keeps the last of two equal names, and matches a
// name to a field without regard to case (Unicode simple folding, as bytes.EqualFold) after
// undoing escapes, so {"code":500,"Code":200} or {"code":500,"\u0063ode":200} is read as a
// success: an envelope that says two things. Values are skipped, not decoded; only a name
// holding an escape is unquoted. body is what the envelope reader accepted as JSON; anything
// that is not an object reports nothing.
func namedTwice(body []byte) bool {
	var seen [16][]byte // an envelope has a handful of members: no allocation
	names := seen[:0]
	i := space(body, 0)
	if i >= len(body) || body[i] != '{' {
		return false
	}
	i++
	for {
		i = space(body, i)
		if i >= len(body) || body[i] != '"' { // the end of the object, or not JSON
			return false
		}
		end, escaped := stringEnd(body, i)
		if end < 0 {
			return false
		}
		name := body[i+1 : end-1]
		if escaped {
			var s string
			if json.Unmarshal(body[i:end], &s) != nil {
				return false
			}
			name = []byte(s)
		}
		for _, n := range names {
			if bytes.EqualFold(n, name) {
				return true
			}
		}
		names = append(names, name)
		i = space(body, end)
		if i >= len(body) || body[i] != ':' {
			return false
		}
		if i = valueEnd(body, space(body, i+1)); i < 0 {
			return false
		}
		i = space(body, i)
		if i >= len(body) || body[i] != ',' {
			return false // '}': every member read
		}
		i++
	}
}

// space returns the index of the first byte at or after i that is not JSON white space.
func space(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string that opens at b[i] (a '"'), and whether
// it holds an escape; -1 when it does not end.
func stringEnd(b []byte, i int) (int, bool) {
	escaped := false
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			return i + 1, escaped
		}
	}
	return -1, escaped
}

// valueEnd returns the index just past the value that starts at b[i], or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		end, _ := stringEnd(b, i)
		return end
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				end, _ := stringEnd(b, i)
				if end < 0 {
					return -1
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}
