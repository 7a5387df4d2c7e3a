package graphsim

import (
	"encoding/json"
	"strconv"
	"strings"
)

// field is one entry of a fields parameter; sub holds the expansion of
// fields like creative{id,name}.
type field struct {
	name string
	sub  []field
}

// parseFields accepts "a,b,c{d,e}" and the JSON array form; modifiers such as
// ".limit(5)" are accepted and ignored.
func parseFields(s string) ([]field, *graphError) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		var list []string
		if err := json.Unmarshal([]byte(s), &list); err != nil {
			return nil, errParam("Param fields must be a list of strings")
		}
		s = strings.Join(list, ",")
	}
	fs, rest, err := parseFieldList(s)
	if err == nil && rest != "" {
		err = errParam("Syntax error \"Expected end of string instead of \"%s\".\" at character %d: %s", rest[:1], len(s)-len(rest), s)
	}
	return fs, err
}

func parseFieldList(s string) ([]field, string, *graphError) {
	var out []field
	for {
		s = strings.TrimLeft(s, " ")
		i := strings.IndexAny(s, ",{}")
		if i < 0 {
			i = len(s)
		}
		f := field{name: strings.TrimSpace(s[:i])}
		if dot := strings.IndexByte(f.name, '.'); dot >= 0 {
			f.name = f.name[:dot]
		}
		s = s[i:]
		if strings.HasPrefix(s, "{") {
			sub, rest, err := parseFieldList(s[1:])
			if err != nil {
				return nil, "", err
			}
			if !strings.HasPrefix(rest, "}") {
				return nil, "", errParam("Syntax error \"Expected \"}\".\" in fields")
			}
			f.sub, s = sub, rest[1:]
			// Modifiers after an expansion, e.g. {..}.limit(3).
			if j := strings.IndexAny(s, ",}"); j > 0 {
				s = s[j:]
			} else if j < 0 {
				s = ""
			}
		}
		if f.name != "" {
			out = append(out, f)
		}
		if !strings.HasPrefix(s, ",") {
			return out, s, nil
		}
		s = s[1:]
	}
}

// parseList accepts "a,b" and `["a","b"]`.
func parseList(s string) ([]string, *graphError) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "[") {
		var raw []any
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			return nil, errParam("Param must be an array")
		}
		out := make([]string, 0, len(raw))
		for _, v := range raw {
			out = append(out, anyString(v))
		}
		return out, nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, nil
}

func anyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// filter is one entry of a filtering parameter.
type filter struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    any    `json:"value"`
}

func parseFiltering(s string) ([]filter, *graphError) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var fs []filter
	if err := json.Unmarshal([]byte(s), &fs); err != nil {
		return nil, errParam("param filtering must be an array.")
	}
	for _, f := range fs {
		switch f.Operator {
		case "EQUAL", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN",
			"LESS_THAN_OR_EQUAL", "IN_RANGE", "NOT_IN_RANGE", "CONTAIN", "NOT_CONTAIN", "IN",
			"NOT_IN", "ANY", "ALL", "NONE":
		default:
			return nil, errParam("Filtering operator %q is invalid", f.Operator)
		}
	}
	return fs, nil
}

// values returns the filter's value as strings (scalar or list).
func (f filter) values() []string {
	if list, ok := f.Value.([]any); ok {
		out := make([]string, len(list))
		for i, v := range list {
			out[i] = anyString(v)
		}
		return out
	}
	return []string{anyString(f.Value)}
}

// matchString applies a string-valued operator.
func (f filter) matchString(v string) bool {
	vals := f.values()
	switch f.Operator {
	case "EQUAL", "IN", "ANY":
		for _, x := range vals {
			if x == v {
				return true
			}
		}
		return false
	case "NOT_EQUAL", "NOT_IN", "NONE":
		for _, x := range vals {
			if x == v {
				return false
			}
		}
		return true
	case "CONTAIN":
		return strings.Contains(strings.ToLower(v), strings.ToLower(vals[0]))
	case "NOT_CONTAIN":
		return !strings.Contains(strings.ToLower(v), strings.ToLower(vals[0]))
	}
	return true
}

// matchNumber applies a numeric operator.
func (f filter) matchNumber(v float64) bool {
	vals := f.values()
	nums := make([]float64, 0, len(vals))
	for _, s := range vals {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return false
		}
		nums = append(nums, n)
	}
	if len(nums) == 0 {
		return false
	}
	switch f.Operator {
	case "EQUAL":
		return v == nums[0]
	case "NOT_EQUAL":
		return v != nums[0]
	case "GREATER_THAN":
		return v > nums[0]
	case "GREATER_THAN_OR_EQUAL":
		return v >= nums[0]
	case "LESS_THAN":
		return v < nums[0]
	case "LESS_THAN_OR_EQUAL":
		return v <= nums[0]
	case "IN_RANGE":
		return len(nums) == 2 && v >= nums[0] && v <= nums[1]
	case "NOT_IN_RANGE":
		return len(nums) == 2 && (v < nums[0] || v > nums[1])
	case "IN":
		for _, n := range nums {
			if n == v {
				return true
			}
		}
		return false
	case "NOT_IN":
		for _, n := range nums {
			if n == v {
				return false
			}
		}
		return true
	}
	return true
}
