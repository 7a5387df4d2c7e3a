package graph

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseMicros turns a decimal string as the API writes money ("14.35") into
// integer micro-units (14350000) exactly, without going through a float.
// Digits past the sixth decimal round half away from zero. Exponents, empty
// strings and values beyond int64 are errors.
func ParseMicros(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 {
		return 0, fmt.Errorf("decimal %q: %w", s, errNotDecimal)
	}
	whole, frac, _ := strings.Cut(digits, ".")
	if (whole == "" && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("decimal %q: %w", s, errNotDecimal)
	}
	roundUp := false
	if len(frac) > 6 {
		roundUp = frac[6] >= '5'
		frac = frac[:6]
	}
	frac += strings.Repeat("0", 6-len(frac))
	w := int64(0)
	if whole != "" {
		var err error
		if w, err = strconv.ParseInt(whole, 10, 64); err != nil {
			return 0, fmt.Errorf("decimal %q: %w", s, errOverflow)
		}
	}
	f, _ := strconv.ParseInt(frac, 10, 64) // six digits: cannot fail
	if roundUp {
		f++
	}
	if w > (math.MaxInt64-f)/1_000_000 {
		return 0, fmt.Errorf("decimal %q: %w", s, errOverflow)
	}
	v := w*1_000_000 + f
	if neg {
		v = -v
	}
	return v, nil
}

var (
	errNotDecimal = errors.New("not a decimal number")
	errOverflow   = errors.New("out of int64 micro-unit range")
)

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseCount reads a count the API writes as a decimal string ("3", rarely
// "2.5" with fractional attribution), rounded to the nearest whole number.
func parseCount(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	m, err := ParseMicros(s)
	if err != nil {
		return 0, err
	}
	if m < 0 {
		return -((-m + 500_000) / 1_000_000), nil
	}
	return (m + 500_000) / 1_000_000, nil
}
