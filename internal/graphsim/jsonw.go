package graphsim

import (
	"strconv"
	"unicode/utf8"
)

// jw appends JSON to a byte slice. Graph responses are built with it rather
// than encoding/json maps so that a 500-row page stays a few milliseconds and
// keys keep the order the request asked for.
type jw struct {
	b     []byte
	comma []bool // one entry per open container: whether a value was written
}

func (j *jw) sep() {
	if n := len(j.comma); n > 0 {
		if j.comma[n-1] {
			j.b = append(j.b, ',')
		}
		j.comma[n-1] = true
	}
}

func (j *jw) open(c byte) { j.sep(); j.b = append(j.b, c); j.comma = append(j.comma, false) }
func (j *jw) close(c byte) {
	j.b = append(j.b, c)
	j.comma = j.comma[:len(j.comma)-1]
}

func (j *jw) obj()    { j.open('{') }
func (j *jw) endObj() { j.close('}') }
func (j *jw) arr()    { j.open('[') }
func (j *jw) endArr() { j.close(']') }
func (j *jw) key(k string) {
	j.sep()
	j.b = appendString(j.b, k)
	j.b = append(j.b, ':')
	// The value that follows must not write another comma; its sep sets the
	// flag again.
	j.comma[len(j.comma)-1] = false
}

func (j *jw) str(s string)           { j.sep(); j.b = appendString(j.b, s) }
func (j *jw) int(n int64)            { j.sep(); j.b = strconv.AppendInt(j.b, n, 10) }
func (j *jw) num(f float64)          { j.sep(); j.b = strconv.AppendFloat(j.b, f, 'f', -1, 64) }
func (j *jw) boolean(v bool)         { j.sep(); j.b = strconv.AppendBool(j.b, v) }
func (j *jw) raw(r []byte)           { j.sep(); j.b = append(j.b, r...) }
func (j *jw) kstr(k, v string)       { j.key(k); j.str(v) }
func (j *jw) kint(k string, v int64) { j.key(k); j.int(v) }

// Insight numbers are JSON strings; these write them without building the
// string first, which matters at 500 rows of a hundred fields.

// kcount writes "k":"123".
func (j *jw) kcount(k string, n int64) {
	j.key(k)
	j.sep()
	j.b = append(strconv.AppendInt(append(j.b, '"'), n, 10), '"')
}

// kmoney writes cents as "k":"12.34".
func (j *jw) kmoney(k string, cents int64) {
	j.key(k)
	j.sep()
	j.b = append(appendMoney(append(j.b, '"'), cents), '"')
}

// kratio writes "k":"0.123456", six decimals.
func (j *jw) kratio(k string, f float64) {
	j.key(k)
	j.sep()
	j.b = append(strconv.AppendFloat(append(j.b, '"'), f, 'f', 6, 64), '"')
}

// appendString writes s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hexdigits = "0123456789abcdef"
	b = append(b, '"')
	if plain(s) {
		return append(append(b, s...), '"')
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexdigits[c>>4], hexdigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// plain reports whether s is printable ASCII without quotes or backslashes,
// the common case that can be copied as is.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
