package graphsim

import (
	"maps"
	"slices"
	"strings"
)

// sortSpec is a parsed insights sort parameter: one metric and a direction.
// The Marketing API documents sort as a list of "<field>_ascending" or
// "<field>_descending" (ascending when no suffix is given) holding at most
// one element, where field is an insights metric or "actions:<action_type>".
type sortSpec struct {
	field string // "spend", "actions:purchase"
	desc  bool
	value func(*metrics) float64
}

// String is the canonical form, part of a sorted order's cache key.
func (s *sortSpec) String() string {
	if s.desc {
		return s.field + "_descending"
	}
	return s.field + "_ascending"
}

// sortedRow is one row of a sorted insights result: its key (ad index and
// time bucket) and the value it is sorted by.
type sortedRow struct {
	key int64
	val float64
}

// before reports whether row x comes before row y. Equal values keep ad
// order (ascending key, so ascending ad id), which makes the order total and
// a sorted result equal to a stable sort of the unsorted one.
func (s *sortSpec) before(x, y sortedRow) bool {
	if x.val != y.val {
		return (x.val > y.val) == s.desc
	}
	return x.key < y.key
}

// cmp is before as a three-way comparison for slices.SortFunc.
func (s *sortSpec) cmp(x, y sortedRow) int {
	switch {
	case s.before(x, y):
		return -1
	case s.before(y, x):
		return 1
	}
	return 0
}

// per divides, giving 0 for a zero denominator: a row without the ratio
// (cpc of an ad with no clicks) sorts as 0, as the API's own store does.
func per(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// sortMetrics are the insights fields a sort can name, valued as the row
// renders them (money in cents orders the same as in currency units).
var sortMetrics = map[string]func(*metrics) float64{
	"spend":              func(m *metrics) float64 { return float64(m.SpendCents) },
	"impressions":        func(m *metrics) float64 { return float64(m.Impressions) },
	"clicks":             func(m *metrics) float64 { return float64(m.Clicks) },
	"inline_link_clicks": func(m *metrics) float64 { return float64(m.LinkClicks) },
	"reach":              func(m *metrics) float64 { return float64(m.Reach) },
	"frequency":          func(m *metrics) float64 { return per(float64(m.Impressions), float64(m.Reach)) },
	"ctr":                func(m *metrics) float64 { return per(float64(m.Clicks)*100, float64(m.Impressions)) },
	"cpc":                func(m *metrics) float64 { return per(float64(m.SpendCents)/100, float64(m.Clicks)) },
	"cpm":                func(m *metrics) float64 { return per(float64(m.SpendCents)*10, float64(m.Impressions)) },
	"cpp":                func(m *metrics) float64 { return per(float64(m.SpendCents)*10, float64(m.Reach)) },
}

// sortActions are the action types "actions:<action_type>" can name: the
// ones the actions field of a graphsim row carries.
var sortActions = map[string]func(*metrics) float64{
	"link_click":                           func(m *metrics) float64 { return float64(m.LinkClicks) },
	"post_engagement":                      func(m *metrics) float64 { return float64(m.Engagement) },
	"video_view":                           func(m *metrics) float64 { return float64(m.Video3s) },
	"offsite_conversion.fb_pixel_purchase": func(m *metrics) float64 { return float64(m.Purchases) },
	"purchase":                             func(m *metrics) float64 { return float64(m.Purchases) },
}

// parseSort reads the sort parameter in its "a,b" or JSON array form; ""
// and [] mean no sort.
func parseSort(s string) (*sortSpec, *graphError) {
	list, err := parseList(s)
	if err != nil {
		return nil, errParam("param sort must be a list of strings like [\"spend_descending\"]")
	}
	list = slices.DeleteFunc(list, func(x string) bool { return x == "" })
	switch len(list) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, errParam("param sort supports no more than one element, got %d: %s", len(list), strings.Join(list, ", "))
	}
	spec := &sortSpec{field: list[0]}
	if f, ok := strings.CutSuffix(spec.field, "_descending"); ok {
		spec.field, spec.desc = f, true
	} else if f, ok := strings.CutSuffix(spec.field, "_ascending"); ok {
		spec.field = f
	}
	if typ, ok := strings.CutPrefix(spec.field, "actions:"); ok {
		spec.value = sortActions[typ]
	} else {
		spec.value = sortMetrics[spec.field]
	}
	if spec.value == nil {
		return nil, errSortField(list[0])
	}
	return spec, nil
}

// errSortField names the sort that cannot be honoured and what can be.
func errSortField(give string) *graphError {
	return errParam("Cannot sort by %s: sort must be one of {%s} or actions:<action_type> with action_type one of {%s}, followed by _ascending or _descending, e.g. spend_descending",
		give, strings.Join(slices.Sorted(maps.Keys(sortMetrics)), ", "), strings.Join(slices.Sorted(maps.Keys(sortActions)), ", "))
}
