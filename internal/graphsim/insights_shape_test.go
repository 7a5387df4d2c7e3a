package graphsim

import (
	"fmt"
	"maps"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestActionBreakdownsAndWindows checks action_breakdowns split each action
// into entries keyed by the breakdown whose values add up to the action, and
// that attribution windows nest: 1d ≤ 7d ≤ 28d, and the default value is the
// 7-day click plus 1-day view count.
func TestActionBreakdownsAndWindows(t *testing.T) {
	h := newHarness(t, Options{Seed: 47, Ads: 40, CallBudget: 1e9})
	base := url.Values{"level": {"ad"}, "fields": {"ad_id,actions,action_values,video_play_actions"}, "limit": {"100"}}
	plain, _ := h.pageAll("/v21.0/"+h.acct+"/insights", base)
	for _, dims := range []string{`["action_type","action_device"]`, `["action_device","action_video_sound"]`, "action_destination,action_target_id", "action_carousel_card_name"} {
		t.Run(dims, func(t *testing.T) {
			q := maps.Clone(base)
			q.Set("action_breakdowns", dims)
			rows, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
			if len(rows) != len(plain) {
				t.Fatalf("%d rows, %d without action breakdowns", len(rows), len(plain))
			}
			keys := strings.Split(strings.Trim(strings.ReplaceAll(dims, `"`, ""), "[]"), ",")
			for i, r := range rows {
				for _, list := range []string{"actions", "action_values", "video_play_actions"} {
					want := map[string]string{}
					for _, e := range listOf(plain[i], list) {
						want[e["action_type"].(string)] = e["value"].(string)
					}
					sums := map[string]int64{}
					for _, e := range listOf(r, list) {
						for _, k := range keys {
							if _, ok := e[k].(string); !ok {
								t.Fatalf("%s entry without %s: %v", list, k, e)
							}
						}
						sums[e["action_type"].(string)] += wholeOrCents(t, e["value"].(string))
					}
					for typ, v := range want {
						if sums[typ] != wholeOrCents(t, v) {
							t.Fatalf("ad %s %s %s: entries sum to %d, the action is %s", r["ad_id"], list, typ, sums[typ], v)
						}
					}
				}
			}
		})
	}
	t.Run("windows", func(t *testing.T) {
		q := maps.Clone(base)
		q.Set("action_attribution_windows", `["1d_click","7d_click","28d_click","1d_view","7d_view","28d_view"]`)
		rows, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
		checked := 0
		for _, r := range rows {
			for _, e := range listOf(r, "actions") {
				if !isPurchase(e["action_type"].(string)) {
					if _, ok := e["7d_click"]; ok {
						t.Fatalf("%s has attribution windows: %v", e["action_type"], e)
					}
					continue
				}
				w := func(k string) int64 { return num(t, e[k]) }
				if !(w("1d_click") <= w("7d_click") && w("7d_click") <= w("28d_click") && w("1d_view") <= w("7d_view") &&
					w("7d_view") <= w("28d_view") && w("7d_click")+w("1d_view") == w("value")) {
					t.Fatalf("windows do not nest: %v", e)
				}
				if e["action_type"] == "purchase" {
					checked++
				}
			}
		}
		if checked < 5 {
			t.Fatalf("only %d purchase entries", checked)
		}
	})
}

func listOf(r map[string]any, list string) []map[string]any {
	var out []map[string]any
	items, _ := r[list].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	return out
}

// wholeOrCents reads "12" as 12 and "12.34" as 1234.
func wholeOrCents(t *testing.T, s string) int64 {
	t.Helper()
	if strings.Contains(s, ".") {
		return cents(t, s)
	}
	return num(t, s)
}

// TestTimeRangesIncrementsAndSummary checks time_ranges answer each range's
// rows, monthly increments follow calendar months, and default_summary sums
// every row of the result on every page.
func TestTimeRangesIncrementsAndSummary(t *testing.T) {
	h := newHarness(t, Options{Seed: 49, Ads: 50, CallBudget: 1e9})
	fields := url.Values{"level": {"ad"}, "fields": {"ad_id,spend,impressions,clicks"}, "limit": {"500"}}
	ranges := [][2]string{{"2026-10-03", "2026-10-09"}, {"2026-11-01", "2026-11-27"}, {"2026-11-20", "2026-11-21"}}
	var list []string
	var want []map[string]any
	for _, rg := range ranges {
		list = append(list, fmt.Sprintf(`{"since":"%s","until":"%s"}`, rg[0], rg[1]))
		q := maps.Clone(fields)
		q.Set("time_range", list[len(list)-1])
		rows, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
		want = append(want, rows...)
	}
	q := maps.Clone(fields)
	q.Set("time_ranges", "["+strings.Join(list, ",")+"]")
	got, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
	index := func(rows []map[string]any) map[string]string {
		out := map[string]string{}
		for _, r := range rows {
			out[fmt.Sprint(r["ad_id"], r["date_start"], r["date_stop"])] = fmt.Sprint(r)
		}
		return out
	}
	if fmt.Sprint(index(got)) != fmt.Sprint(index(want)) || len(got) != len(want) {
		t.Fatalf("time_ranges: %d rows, the three time_range calls %d", len(got), len(want))
	}

	q = maps.Clone(fields)
	q.Set("time_range", `{"since":"2026-09-20","until":"2026-11-27"}`)
	q.Set("time_increment", "monthly")
	q.Set("level", "account")
	months, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
	var periods []string
	for _, r := range months {
		periods = append(periods, r["date_start"].(string)+".."+r["date_stop"].(string))
	}
	if fmt.Sprint(periods) != "[2026-09-20..2026-09-30 2026-10-01..2026-10-31 2026-11-01..2026-11-27]" {
		t.Fatalf("monthly periods %v", periods)
	}

	q = maps.Clone(fields)
	q.Set("time_range", `{"since":"2026-11-01","until":"2026-11-27"}`)
	q.Set("default_summary", "true")
	q.Set("limit", "7")
	code, _, b := h.get("/v21.0/"+h.acct+"/insights", q)
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	q.Set("limit", "500")
	all, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
	var spend, imp int64
	for _, r := range all {
		spend += cents(t, r["spend"])
		imp += num(t, r["impressions"])
	}
	s := decode[graphPage](t, b).Summary
	if cents(t, s["spend"]) != spend || num(t, s["impressions"]) != imp || s["ad_id"] != nil || s["date_start"] != "2026-11-01" {
		t.Fatalf("summary %v, want spend %d impressions %d over %d rows", s, spend, imp, len(all))
	}
}

// TestTruthByBreakdownAndDay checks /_sim/truth's rows against the
// account-level insights rows of every account of the brand, broken down
// the same way, day by day.
func TestTruthByBreakdownAndDay(t *testing.T) {
	h := newHarness(t, Options{Seed: 51, Ads: 70, Accounts: 2, CallBudget: 1e9})
	h.advance(15 * time.Hour)
	since, until := "2026-11-20", "2026-11-28"
	for _, combo := range []string{"age,gender", "publisher_platform,platform_position", "country"} {
		t.Run(combo, func(t *testing.T) {
			code, _, b := h.do("GET", h.srv.URL+"/_sim/truth?since="+since+"&until="+until+"&daily=true&breakdowns="+combo, nil)
			if code != 200 {
				t.Fatalf("truth: %d %s", code, b)
			}
			want := map[string]TruthRow{}
			for _, r := range decode[Truth](t, b).Rows {
				want[fmt.Sprint(r.Date, r.Breakdowns)] = r
			}
			got := map[string]TruthRow{}
			for _, acct := range h.sim.Brands()[0].AdAccountIDs {
				rows, _ := h.pageAll("/v21.0/"+acct+"/insights", url.Values{"breakdowns": {combo}, "time_increment": {"1"}, "limit": {"500"},
					"fields":     {"spend,impressions,clicks,actions,action_values"},
					"time_range": {`{"since":"` + since + `","until":"` + until + `"}`}})
				for _, r := range rows {
					cell := map[string]string{}
					for _, d := range strings.Split(combo, ",") {
						cell[d] = r[d].(string)
					}
					k := fmt.Sprint(r["date_start"], cell)
					tr := got[k]
					tr.TotalSpendMicros += cents(t, r["spend"]) * 10_000
					tr.TotalImpressions += num(t, r["impressions"])
					tr.TotalClicks += num(t, r["clicks"])
					tr.TotalOrders += actionValue(t, r, "actions", "purchase", false)
					tr.TotalRevenueMicros += actionValue(t, r, "action_values", "purchase", true) * 10_000
					got[k] = tr
				}
			}
			if len(got) != len(want) || len(want) < 10 {
				t.Fatalf("%d cells and days from insights, %d from truth", len(got), len(want))
			}
			for k, w := range want {
				g := got[k]
				if g.TotalSpendMicros != w.TotalSpendMicros || g.TotalImpressions != w.TotalImpressions || g.TotalClicks != w.TotalClicks ||
					g.TotalOrders != w.TotalOrders || g.TotalRevenueMicros != w.TotalRevenueMicros {
					t.Fatalf("%s: insights %+v, truth %+v", k, g, w)
				}
			}
		})
	}
	code, _, b := h.do("GET", h.srv.URL+"/_sim/truth?breakdowns=age,country", nil)
	if code != 400 || !strings.Contains(string(b), "Current combination of data breakdown columns (age, country) is invalid") {
		t.Fatalf("forbidden truth breakdown: %d %s", code, b)
	}
}
