package graphsim

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// additiveScalars are the insights fields that are counts or money of the
// row, which must add up across breakdown rows; additiveLists are the list
// fields whose entries do (counts and money, not costs, rates or people).
var additiveScalars = []string{"spend", "impressions", "clicks", "inline_link_clicks", "inline_post_engagement",
	"full_view_impressions", "product_views", "instagram_profile_visits", "social_spend"}

func additiveLists() []string {
	var out []string
	for _, f := range sdkClasses["AdsInsights"].fields {
		if !strings.HasPrefix(f.typ, "list<AdsActionStats>") {
			continue
		}
		spec, ok := listSpecs[f.name]
		if !ok {
			spec = ruleListSpec(f.name)
		}
		if !spec.unique && (spec.value == asCount || spec.value == asMoney) {
			out = append(out, f.name)
		}
	}
	return out
}

// additiveValues reads every additive value of a row as an integer (money
// in cents), list entries keyed by field, action type and attribution window.
func additiveValues(t *testing.T, r map[string]any) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	read := func(k string, v any) {
		s, _ := v.(string)
		if strings.Contains(s, ".") {
			out[k] += cents(t, s)
		} else {
			out[k] += num(t, s)
		}
	}
	for _, f := range additiveScalars {
		if v, ok := r[f]; ok {
			read(f, v)
		}
	}
	for _, f := range additiveLists() {
		items, _ := r[f].([]any)
		for _, it := range items {
			e := it.(map[string]any)
			for k, v := range e {
				if k == "value" || strings.HasSuffix(k, "_click") || strings.HasSuffix(k, "_view") || strings.HasSuffix(k, "_ev") {
					read(f+"/"+e["action_type"].(string)+"/"+k, v)
				}
			}
		}
	}
	return out
}

// objectDayKey names the object and period a row is about, breakdowns aside.
func objectDayKey(r map[string]any) string {
	return fmt.Sprint(r["ad_id"], r["adset_id"], r["campaign_id"], r["date_start"], r["date_stop"])
}

var breakdownCombos = []string{
	"age", "gender", "age,gender", "country", "region", "publisher_platform",
	"publisher_platform,platform_position", "publisher_platform,platform_position,impression_device",
	"publisher_platform,impression_device", "impression_device", "device_platform",
	"publisher_platform,platform_position,device_platform", "hourly_stats_aggregated_by_advertiser_time_zone",
}

// TestBreakdownRowsSumToUnbrokenRows checks, at every level and for every
// breakdown combination, that the rows of each object and day sum to its
// unbroken row for every additive metric, attribution windows included,
// with the clock mid-day so today is partial and recent days restate.
// Every level and combination is checked on the modelled metrics; every
// additive field the SDK declares is checked on three combinations.
func TestBreakdownRowsSumToUnbrokenRows(t *testing.T) {
	h := newHarness(t, Options{Seed: 41, Ads: 60, CallBudget: 1e9})
	h.advance(30 * time.Hour)
	var modelled []string
	for _, f := range additiveLists() {
		if _, ok := listSpecs[f]; ok {
			modelled = append(modelled, f)
		}
	}
	fieldsOf := func(lists []string) string {
		return "ad_id,adset_id,campaign_id,reach," + strings.Join(additiveScalars, ",") + "," + strings.Join(lists, ",")
	}
	type run struct{ level, combo, fields string }
	var runs []run
	for _, level := range []string{"ad", "adset", "campaign", "account"} {
		for _, combo := range breakdownCombos {
			runs = append(runs, run{level, combo, fieldsOf(modelled)})
		}
	}
	for _, combo := range []string{"age,gender", "region", "publisher_platform,platform_position"} {
		runs = append(runs, run{"ad", combo, fieldsOf(additiveLists())})
	}
	wants := map[string]map[string]map[string]int64{}
	for _, tt := range runs {
		t.Run(fmt.Sprintf("%s/%s/%d", tt.level, tt.combo, len(tt.fields)), func(t *testing.T) {
			q := url.Values{"fields": {tt.fields}, "time_increment": {"1"}, "limit": {"500"}, "level": {tt.level},
				"time_range":                 {`{"since":"2026-11-25","until":"2026-11-29"}`},
				"action_attribution_windows": {`["1d_click","7d_click","28d_click","1d_view","7d_view"]`}}
			want := wants[tt.level+tt.fields]
			if want == nil {
				whole, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
				want = map[string]map[string]int64{}
				for _, r := range whole {
					want[objectDayKey(r)] = additiveValues(t, r)
				}
				if len(want) < 2 {
					t.Fatalf("%d unbroken rows", len(want))
				}
				wants[tt.level+tt.fields] = want
			}
			q.Set("breakdowns", tt.combo)
			rows, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
			got := map[string]map[string]int64{}
			cells := map[string]bool{}
			for _, r := range rows {
				var cell []string
				for _, d := range strings.Split(tt.combo, ",") {
					v, ok := r[d].(string)
					if !ok || v == "" {
						t.Fatalf("row without its %s: %v", d, r)
					}
					cell = append(cell, v)
				}
				if c := objectDayKey(r) + fmt.Sprint(cell); cells[c] {
					t.Fatalf("two rows for %s", c)
				} else {
					cells[c] = true
				}
				if got[objectDayKey(r)] == nil {
					got[objectDayKey(r)] = map[string]int64{}
				}
				for k, v := range additiveValues(t, r) {
					got[objectDayKey(r)][k] += v
				}
			}
			if len(rows) <= len(want) {
				t.Fatalf("%d breakdown rows for %d unbroken rows", len(rows), len(want))
			}
			for key, w := range want {
				for k, v := range w {
					if got[key][k] != v {
						t.Fatalf("%s %s: breakdown rows sum to %d, unbroken row says %d", key, k, got[key][k], v)
					}
				}
				for k, v := range got[key] {
					if _, ok := w[k]; !ok && v != 0 {
						t.Fatalf("%s %s: breakdown rows sum to %d, unbroken row has none", key, k, v)
					}
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d objects and days with breakdown rows, %d without", len(got), len(want))
			}
		})
	}
}

// TestBreakdownsFollowTargeting checks an ad's breakdown rows show only
// countries, ages and platforms its ad set targets.
func TestBreakdownsFollowTargeting(t *testing.T) {
	h := newHarness(t, Options{Seed: 43, Ads: 60, CallBudget: 1e9})
	ads, _ := h.pageAll("/v21.0/"+h.acct+"/ads", url.Values{"fields": {"targeting"}, "effective_status": {allStatuses}, "limit": {"100"}})
	targeting := map[string]map[string]any{}
	for _, a := range ads {
		targeting[a["id"].(string)] = a["targeting"].(map[string]any)
	}
	strs := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, x.(string))
		}
		return out
	}
	q := url.Values{"level": {"ad"}, "fields": {"ad_id,impressions"}, "limit": {"500"}}
	for _, combo := range []string{"country", "age", "publisher_platform"} {
		q.Set("breakdowns", combo)
		rows, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
		for _, r := range rows {
			tg := targeting[r["ad_id"].(string)]
			switch combo {
			case "country":
				if c := strs(tg["geo_locations"].(map[string]any)["countries"]); !slices.Contains(c, r["country"].(string)) {
					t.Fatalf("ad %s delivered in %s, targets %v", r["ad_id"], r["country"], c)
				}
			case "age":
				lo, hi := int(tg["age_min"].(float64)), int(tg["age_max"].(float64))
				var a, b int
				fmt.Sscanf(strings.TrimSuffix(r["age"].(string), "+"), "%d-%d", &a, &b)
				if a > hi || (b != 0 && b < lo) {
					t.Fatalf("ad %s delivered to %s, targets %d-%d", r["ad_id"], r["age"], lo, hi)
				}
			case "publisher_platform":
				if p, ok := tg["publisher_platforms"]; ok && !slices.Contains(strs(p), r["publisher_platform"].(string)) {
					t.Fatalf("ad %s delivered on %s, targets %v", r["ad_id"], r["publisher_platform"], p)
				}
			}
		}
	}
}

// TestBreakdownErrors checks what the API refuses and how it says so.
func TestBreakdownErrors(t *testing.T) {
	h := newHarness(t, Options{Seed: 43, Ads: 20})
	tests := []struct {
		name   string
		params url.Values
		want   string
	}{
		{"forbidden pair", url.Values{"breakdowns": {"age,country"}, "fields": {"spend"}},
			"(#100) Current combination of data breakdown columns (age, country) is invalid"},
		{"forbidden pair with actions", url.Values{"breakdowns": {`["age","country"]`}, "fields": {"spend,actions"}},
			"(#100) Current combination of data breakdown columns (action_type, age, country) is invalid"},
		{"position without platform", url.Values{"breakdowns": {"platform_position"}},
			"(#100) Current combination of data breakdown columns (platform_position) is invalid"},
		{"action device with age", url.Values{"breakdowns": {"age"}, "action_breakdowns": {"action_device"}},
			"(#100) Current combination of data breakdown columns (action_device, age) is invalid"},
		{"unknown breakdown", url.Values{"breakdowns": {"age,bogus"}}, "(#100) breakdowns[1] must be one of the following values: ad_extension_domain,"},
		{"unknown action breakdown", url.Values{"action_breakdowns": {"bogus"}}, "(#100) action_breakdowns[0] must be one of the following values:"},
		{"unknown window", url.Values{"action_attribution_windows": {"3d_click"}}, "(#100) action_attribution_windows[0] must be one of the following values:"},
		{"time increment", url.Values{"time_increment": {"weekly"}}, "param time_increment must be"},
		{"time ranges", url.Values{"time_ranges": {`[{"since":"2026-11-10","until":"2026-11-01"}]`}}, "'since' should not be greater than 'until'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, b := h.get("/v21.0/"+h.acct+"/insights", tt.params)
			e := decode[graphErr](t, b)
			if code != 400 || e.Error.Code != 100 || !strings.HasPrefix(e.Error.Message, strings.TrimSuffix(tt.want, "…")) && !strings.Contains(e.Error.Message, tt.want) {
				t.Fatalf("%d %s, want %q", code, b, tt.want)
			}
		})
	}
	t.Run("empty list means none", func(t *testing.T) {
		q := url.Values{"level": {"ad"}, "fields": {"ad_id,spend"}}
		_, _, none := h.get("/v21.0/"+h.acct+"/insights", q)
		q.Set("breakdowns", "[]")
		q.Set("action_breakdowns", "[]")
		code, _, empty := h.get("/v21.0/"+h.acct+"/insights", q)
		if code != 200 || len(decode[graphPage](t, empty).Data) == 0 ||
			fmt.Sprint(decode[graphPage](t, none).Data) != fmt.Sprint(decode[graphPage](t, empty).Data) {
			t.Fatalf("breakdowns=[]: %d %s, want the rows of no breakdowns %s", code, empty, none)
		}
	})
}

// TestSortedBreakdownRows checks sort orders breakdown rows like any others:
// the same rows as unsorted, by spend, paged without loss.
func TestSortedBreakdownRows(t *testing.T) {
	h := newHarness(t, Options{Seed: 45, Ads: 40, CallBudget: 1e9})
	q := url.Values{"level": {"ad"}, "fields": {"ad_id,spend"}, "breakdowns": {"age,gender"}, "limit": {"500"}}
	plain, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
	q.Set("sort", `["spend_descending"]`)
	q.Set("limit", "9")
	sorted, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
	keys := func(rows []map[string]any) []string {
		var out []string
		for _, r := range rows {
			out = append(out, rowKey(r))
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(keys(plain), keys(sorted)) || len(plain) < 50 {
		t.Fatalf("sorted breakdown rows (%d) are not the unsorted ones (%d)", len(sorted), len(plain))
	}
	for i := 1; i < len(sorted); i++ {
		if cents(t, sorted[i]["spend"]) > cents(t, sorted[i-1]["spend"]) {
			t.Fatalf("row %d spends more than row %d", i, i-1)
		}
	}
}
