package api

import (
	"slices"
	"strings"
)

// keys lists a map's keys sorted, for error messages that name the choices.
func keys[V any](m map[string]V) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
