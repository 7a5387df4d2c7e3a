package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// jsonReader walks the JSON of one insights row without reflection: the
// producer decodes hundreds of thousands of rows a sync, and encoding/json's
// reflection, validity pass and nested Unmarshal calls cost it more CPU than
// everything else it does. It reads only what a row holds (objects, arrays,
// strings, numbers, literals); a value it cannot read is an error naming its
// offset, never a panic. Strings with escapes or invalid UTF-8 are handed to
// encoding/json, so they decode exactly as before.
type jsonReader struct {
	b []byte
	i int
}

// maxSkipDepth bounds the nesting skip follows, as encoding/json does.
const maxSkipDepth = 10000

func (r *jsonReader) errorf(format string, args ...any) error {
	return fmt.Errorf("json offset %d: %s", r.i, fmt.Sprintf(format, args...))
}

// peek skips white space and returns the next byte, 0 at the end.
func (r *jsonReader) peek() byte {
	for r.i < len(r.b) {
		switch c := r.b[r.i]; c {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return c
		}
	}
	return 0
}

// consume skips c, the next byte after white space, and reports whether it was there.
func (r *jsonReader) consume(c byte) bool {
	if r.peek() == c {
		r.i++
		return true
	}
	return false
}

// null skips a null and reports whether there was one.
func (r *jsonReader) null() bool {
	if r.peek() == 'n' && len(r.b)-r.i >= 4 && string(r.b[r.i:r.i+4]) == "null" {
		r.i += 4
		return true
	}
	return false
}

// quoted returns the next string with its quotes, and whether its content
// needs encoding/json to decode it (escapes or bytes that are not UTF-8).
func (r *jsonReader) quoted() (q []byte, slow bool, err error) {
	if r.peek() != '"' {
		return nil, false, r.errorf("want a string")
	}
	start, high := r.i, false
	for j := start + 1; ; {
		for j < len(r.b) && !stringSpecial[r.b[j]] {
			j++
		}
		if j >= len(r.b) {
			return nil, false, r.errorf("unterminated string")
		}
		switch c := r.b[j]; {
		case c == '"':
			r.i = j + 1
			q = r.b[start:r.i]
			return q, slow || (high && !utf8.Valid(q)), nil
		case c == '\\':
			slow = true
			j += 2
		case c < 0x20:
			r.i = j
			return nil, false, r.errorf("control character in string")
		default:
			high = true
			j++
		}
	}
}

// stringSpecial marks the bytes inside a string that quoted must look at:
// the closing quote, escapes, control characters and bytes past ASCII.
var stringSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// str reads a string, or null as "".
func (r *jsonReader) str() (string, error) {
	if r.null() {
		return "", nil
	}
	q, slow, err := r.quoted()
	if err != nil {
		return "", err
	}
	if !slow {
		return string(q[1 : len(q)-1]), nil
	}
	var s string
	err = json.Unmarshal(q, &s)
	return s, err
}

// number reads a number the API writes as a string ("14.35") or a bare
// number, or null as empty: its text, still to be parsed, in r's bytes
// unless it had to be unescaped.
func (r *jsonReader) number() ([]byte, error) {
	switch c := r.peek(); {
	case c == '"':
		q, slow, err := r.quoted()
		if err != nil {
			return nil, err
		}
		if !slow {
			return q[1 : len(q)-1], nil
		}
		var s string
		err = json.Unmarshal(q, &s)
		return []byte(s), err
	case c == '-' || (c >= '0' && c <= '9'):
		start := r.i
		for r.i < len(r.b) && isNumberByte(r.b[r.i]) {
			r.i++
		}
		return r.b[start:r.i], nil
	case r.null():
		return nil, nil
	}
	return nil, r.errorf("want a number")
}

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// object reads an object, calling field for each key with the reader at its
// value; field must read the value (or skip it). null is an empty object.
func (r *jsonReader) object(field func(key []byte) error) error {
	if r.null() {
		return nil
	}
	if !r.consume('{') {
		return r.errorf("want an object")
	}
	if r.consume('}') {
		return nil
	}
	for {
		q, slow, err := r.quoted()
		if err != nil {
			return err
		}
		key := q[1 : len(q)-1]
		if slow { // an escaped key is none of the keys a row decoder knows
			key = nil
		}
		if !r.consume(':') {
			return r.errorf("want ':' after a key")
		}
		if err := field(key); err != nil {
			return err
		}
		switch {
		case r.consume(','):
		case r.consume('}'):
			return nil
		default:
			return r.errorf("want ',' or '}' in an object")
		}
	}
}

// array reads an array, calling elem with the reader at each element; null
// is an empty array.
func (r *jsonReader) array(elem func() error) error {
	if r.null() {
		return nil
	}
	if !r.consume('[') {
		return r.errorf("want an array")
	}
	if r.consume(']') {
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch {
		case r.consume(','):
		case r.consume(']'):
			return nil
		default:
			return r.errorf("want ',' or ']' in an array")
		}
	}
}

// skip reads past any value. It looks only for where the value ends: the
// values it skips (a page's rows before they are decoded, fields no
// decoder keeps) come from a body the client checked is valid JSON, and what
// is not is read past or refused, never a panic.
func (r *jsonReader) skip() error {
	switch c := r.peek(); {
	case c == '"':
		return r.skipString()
	case c == '{' || c == '[':
		return r.skipNested()
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := r.number()
		return err
	}
	for _, w := range [...]string{"null", "true", "false"} {
		if len(r.b)-r.i >= len(w) && string(r.b[r.i:r.i+len(w)]) == w {
			r.i += len(w)
			return nil
		}
	}
	return r.errorf("want a value")
}

// skipString reads past the string at r.i: to its first quote not escaped.
func (r *jsonReader) skipString() error {
	for j := r.i + 1; ; j++ {
		k := bytes.IndexByte(r.b[j:], '"')
		if k < 0 {
			return r.errorf("unterminated string")
		}
		j += k
		escapes := 0
		for p := j - 1; p > r.i && r.b[p] == '\\'; p-- {
			escapes++
		}
		if escapes%2 == 0 {
			r.i = j + 1
			return nil
		}
	}
}

// skipNested reads past the object or array at r.i: to the bracket that
// closes it, strings skipped whole.
func (r *jsonReader) skipNested() error {
	start, depth := r.i, 0
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case '"':
			if err := r.skipString(); err != nil {
				return err
			}
			continue
		case '{', '[':
			if depth++; depth > maxSkipDepth {
				return r.errorf("nested too deep")
			}
		case '}', ']':
			if depth--; depth == 0 {
				r.i++
				return nil
			}
		}
		r.i++
	}
	r.i = start
	return r.errorf("unterminated object or array")
}

// end checks nothing but white space follows the value read.
func (r *jsonReader) end() error {
	if r.peek() != 0 {
		return r.errorf("data after the value")
	}
	return nil
}
