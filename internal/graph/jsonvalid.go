package graph

// validJSON reports whether b is exactly one JSON value with white space
// around it, as json.Valid does (FuzzValidJSON holds it to that), in a
// fraction of its time: json.Valid steps a state machine through a function
// call per byte, and every page a producer reads is checked before it is
// decoded. Like json.Valid it accepts bytes that are not UTF-8 inside
// strings and nesting up to 10,000 levels.
func validJSON(b []byte) bool {
	v := validator{b: b}
	v.space()
	if !v.value(0) {
		return false
	}
	v.space()
	return v.i == len(b)
}

// maxValidDepth is encoding/json's nesting limit.
const maxValidDepth = 10000

type validator struct {
	b []byte
	i int
}

func (v *validator) space() {
	for v.i < len(v.b) {
		switch v.b[v.i] {
		case ' ', '\t', '\n', '\r':
			v.i++
		default:
			return
		}
	}
}

// eat skips c when it is the next byte.
func (v *validator) eat(c byte) bool {
	if v.i < len(v.b) && v.b[v.i] == c {
		v.i++
		return true
	}
	return false
}

func (v *validator) value(depth int) bool {
	if v.i >= len(v.b) {
		return false
	}
	switch c := v.b[v.i]; {
	case c == '{':
		return depth < maxValidDepth && v.object(depth+1)
	case c == '[':
		return depth < maxValidDepth && v.array(depth+1)
	case c == '"':
		return v.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return v.number()
	}
	for _, w := range [...]string{"true", "false", "null"} {
		if len(v.b)-v.i >= len(w) && string(v.b[v.i:v.i+len(w)]) == w {
			v.i += len(w)
			return true
		}
	}
	return false
}

func (v *validator) object(depth int) bool {
	v.i++ // {
	v.space()
	if v.eat('}') {
		return true
	}
	for {
		if !v.str() {
			return false
		}
		v.space()
		if !v.eat(':') {
			return false
		}
		v.space()
		if !v.value(depth) {
			return false
		}
		v.space()
		if v.eat('}') {
			return true
		}
		if !v.eat(',') {
			return false
		}
		v.space()
	}
}

func (v *validator) array(depth int) bool {
	v.i++ // [
	v.space()
	if v.eat(']') {
		return true
	}
	for {
		if !v.value(depth) {
			return false
		}
		v.space()
		if v.eat(']') {
			return true
		}
		if !v.eat(',') {
			return false
		}
		v.space()
	}
}

func (v *validator) str() bool {
	if !v.eat('"') {
		return false
	}
	for v.i < len(v.b) {
		for v.i < len(v.b) && !validSpecial[v.b[v.i]] {
			v.i++
		}
		if v.i >= len(v.b) {
			return false
		}
		c := v.b[v.i]
		v.i++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if v.i >= len(v.b) {
				return false
			}
			e := v.b[v.i]
			v.i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(v.b)-v.i < 4 {
					return false
				}
				for _, h := range v.b[v.i : v.i+4] {
					if !isHex(h) {
						return false
					}
				}
				v.i += 4
			default:
				return false
			}
		}
	}
	return false
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (v *validator) number() bool {
	v.eat('-')
	switch {
	case v.eat('0'):
	case v.i < len(v.b) && v.b[v.i] >= '1' && v.b[v.i] <= '9':
		v.digits()
	default:
		return false
	}
	if v.eat('.') && v.digits() == 0 {
		return false
	}
	if v.eat('e') || v.eat('E') {
		if !v.eat('+') {
			v.eat('-')
		}
		if v.digits() == 0 {
			return false
		}
	}
	return true
}

func (v *validator) digits() int {
	start := v.i
	for v.i < len(v.b) && v.b[v.i] >= '0' && v.b[v.i] <= '9' {
		v.i++
	}
	return v.i - start
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// validSpecial marks the bytes inside a string that str must look at: the
// closing quote, escapes and control characters.
var validSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()
