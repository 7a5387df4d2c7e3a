package graphsim

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cents parses a money string like "14.35" exactly.
func cents(t *testing.T, v any) int64 {
	t.Helper()
	s, _ := v.(string)
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 2 {
		t.Fatalf("money %q is not a string with two decimals", v)
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("money %q: %v %v", s, err1, err2)
	}
	return w*100 + f
}

// num parses an integer string field; absent means 0.
func num(t *testing.T, v any) int64 {
	t.Helper()
	if v == nil {
		return 0
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("value %v (%T) is not a JSON string", v, v)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("integer %q: %v", s, err)
	}
	return n
}

func ratioOf(t *testing.T, v any) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(v.(string), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// actionValue picks one action_type from an actions-style list.
func actionValue(t *testing.T, row map[string]any, list, typ string, money bool) int64 {
	t.Helper()
	items, _ := row[list].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		if m["action_type"] == typ {
			if money {
				return cents(t, m["value"])
			}
			return num(t, m["value"])
		}
	}
	return 0
}

// summable are the additive values of a row, as integers.
func summable(t *testing.T, r map[string]any) map[string]int64 {
	t.Helper()
	return map[string]int64{
		"spend":          cents(t, r["spend"]),
		"impressions":    num(t, r["impressions"]),
		"clicks":         num(t, r["clicks"]),
		"purchase":       actionValue(t, r, "actions", "purchase", false),
		"pixel_purchase": actionValue(t, r, "actions", "offsite_conversion.fb_pixel_purchase", false),
		"video_view":     actionValue(t, r, "actions", "video_view", false),
		"link_click":     actionValue(t, r, "actions", "link_click", false),
		"post_eng":       actionValue(t, r, "actions", "post_engagement", false),
		"revenue":        actionValue(t, r, "action_values", "purchase", true),
		"plays":          actionValue(t, r, "video_play_actions", "video_view", false),
		"thruplay":       actionValue(t, r, "video_thruplay_watched_actions", "video_view", false),
		"p25":            actionValue(t, r, "video_p25_watched_actions", "video_view", false),
		"p50":            actionValue(t, r, "video_p50_watched_actions", "video_view", false),
		"p75":            actionValue(t, r, "video_p75_watched_actions", "video_view", false),
		"p100":           actionValue(t, r, "video_p100_watched_actions", "video_view", false),
	}
}

// TestInsightsRangeIsSumOfDays checks that a range row equals the sum of the
// same ad's time_increment rows, with the clock mid-day so today is partial
// and the last days are being restated.
func TestInsightsRangeIsSumOfDays(t *testing.T) {
	h := newHarness(t, Options{Seed: 11, Ads: 300, CallBudget: 1e9})
	h.advance(30 * time.Hour)
	rng := `{"since":"2026-10-20","until":"2026-11-29"}`
	base := url.Values{"level": {"ad"}, "time_range": {rng}, "fields": {insightFieldsAll}, "limit": {"200"}}
	ranged, _ := h.pageAll("/v21.0/"+h.acct+"/insights", base)
	for _, incr := range []string{"1", "7"} {
		t.Run("time_increment="+incr, func(t *testing.T) {
			q := url.Values{"time_increment": {incr}}
			for k, v := range base {
				q[k] = v
			}
			rows, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
			sums := map[string]map[string]int64{}
			reachSum, reachMax := map[string]int64{}, map[string]int64{}
			for _, r := range rows {
				id := r["ad_id"].(string)
				if sums[id] == nil {
					sums[id] = map[string]int64{}
				}
				for k, v := range summable(t, r) {
					sums[id][k] += v
				}
				rc := num(t, r["reach"])
				reachSum[id] += rc
				reachMax[id] = max(reachMax[id], rc)
			}
			if len(sums) != len(ranged) {
				t.Fatalf("%d ads in increment rows, %d in range rows", len(sums), len(ranged))
			}
			for _, r := range ranged {
				id := r["ad_id"].(string)
				want := summable(t, r)
				for k, v := range want {
					if sums[id][k] != v {
						t.Fatalf("ad %s %s: range %d, sum of rows %d", id, k, v, sums[id][k])
					}
				}
				if incr == "1" {
					if got := num(t, r["reach"]); got != rangeReach(reachSum[id], reachMax[id]) {
						t.Fatalf("ad %s reach %d, want rule(%d,%d)", id, got, reachSum[id], reachMax[id])
					}
				}
			}
		})
	}
	t.Run("row invariants", func(t *testing.T) {
		for _, r := range ranged {
			v := summable(t, r)
			imp, reach := float64(v["impressions"]), float64(num(t, r["reach"]))
			switch {
			case v["impressions"] <= 0:
				t.Fatalf("row with no impressions: %v", r)
			case reach > imp || reach <= 0:
				t.Fatalf("reach %v outside (0, impressions %v]", reach, imp)
			case math.Abs(ratioOf(t, r["frequency"])-imp/reach) > 1e-6:
				t.Fatalf("frequency %v != impressions/reach", r["frequency"])
			case math.Abs(ratioOf(t, r["ctr"])-float64(v["clicks"])*100/imp) > 1e-6:
				t.Fatalf("ctr %v inconsistent", r["ctr"])
			case math.Abs(ratioOf(t, r["cpm"])-float64(v["spend"])*10/imp) > 1e-6:
				t.Fatalf("cpm %v inconsistent", r["cpm"])
			case !(v["p25"] >= v["p50"] && v["p50"] >= v["p75"] && v["p75"] >= v["p100"]):
				t.Fatalf("video quartiles not decreasing: %v", v)
			case v["pixel_purchase"] != v["purchase"]:
				t.Fatalf("pixel purchases %d != purchases %d", v["pixel_purchase"], v["purchase"])
			}
			for _, k := range []string{"spend", "impressions", "clicks", "reach", "ctr", "cpm", "cpp", "frequency"} {
				if _, ok := r[k].(string); !ok {
					t.Fatalf("%s = %v is not a JSON string", k, r[k])
				}
			}
		}
	})
}

// classifyAds maps ad id → creative kind the way a client would, from the
// creative fields only.
func (h *harness) classifyAds(acct string) map[string]string {
	h.t.Helper()
	q := url.Values{
		"limit":            {"500"},
		"effective_status": {`["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED","ADSET_PAUSED","DISAPPROVED","WITH_ISSUES","PENDING_REVIEW","IN_PROCESS","PENDING_BILLING_INFO","PREAPPROVED"]`},
		"fields":           {"id,creative{id,image_url,video_id,object_story_spec,asset_feed_spec}"},
	}
	rows, _ := h.pageAll("/v21.0/"+acct+"/ads", q)
	out := map[string]string{}
	for _, r := range rows {
		c := r["creative"].(map[string]any)
		oss, _ := c["object_story_spec"].(map[string]any)
		ld, _ := oss["link_data"].(map[string]any)
		switch {
		case c["video_id"] != nil:
			out[r["id"].(string)] = "video"
		case ld["child_attachments"] != nil:
			out[r["id"].(string)] = "carousel"
		case c["image_url"] != nil:
			out[r["id"].(string)] = "image"
		default:
			out[r["id"].(string)] = "unknown"
		}
	}
	return out
}

// TestTruthEqualsServedInsights sums the insights a client can page and
// compares them with /_sim/truth for every creative type.
func TestTruthEqualsServedInsights(t *testing.T) {
	h := newHarness(t, Options{Seed: 21, Ads: 250, Accounts: 2, CallBudget: 1e9})
	h.advance(13 * time.Hour)
	since, until := "2026-11-01", "2026-11-28"
	kinds := map[string]string{}
	var rows []map[string]any
	for _, acct := range h.sim.Brands()[0].AdAccountIDs {
		for id, k := range h.classifyAds(acct) {
			kinds[id] = k
		}
		r, _ := h.pageAll("/v21.0/"+acct+"/insights", url.Values{"level": {"ad"}, "limit": {"100"}, "fields": {insightFieldsAll},
			"time_range": {`{"since":"` + since + `","until":"` + until + `"}`}})
		rows = append(rows, r...)
	}
	for _, ct := range []string{"all", "video", "image", "carousel", "unknown"} {
		t.Run(ct, func(t *testing.T) {
			var want Truth
			code, _, b := h.do("GET", h.srv.URL+"/_sim/truth?brand_id=demo&since="+since+"&until="+until+"&creative_type="+ct, nil)
			if code != 200 {
				t.Fatalf("truth: %d %s", code, b)
			}
			want = decode[Truth](t, b)
			var got Truth
			var spend, rev int64
			var sumCTR, sumCPC, sumCPP, sumROAS float64
			var nCPC, nROAS int
			for _, r := range rows {
				if ct != "all" && kinds[r["ad_id"].(string)] != ct {
					continue
				}
				v := summable(t, r)
				got.TotalAds++
				spend += v["spend"]
				rev += v["revenue"]
				got.TotalOrders += v["purchase"]
				got.TotalImpressions += v["impressions"]
				got.TotalClicks += v["clicks"]
				got.TotalReach += num(t, r["reach"])
				got.TotalVideoViews += v["video_view"]
				got.TotalVideoP25Watched += v["p25"]
				got.TotalVideoP50Watched += v["p50"]
				got.TotalVideoP100Watched += v["p100"]
				sumCTR += ratioOf(t, r["ctr"])
				sumCPP += ratioOf(t, r["cpp"])
				if r["cpc"] != nil {
					sumCPC += ratioOf(t, r["cpc"])
					nCPC++
				}
				if v["spend"] > 0 {
					sumROAS += float64(v["revenue"]) / float64(v["spend"])
					nROAS++
				}
			}
			if got.TotalAds == 0 {
				t.Fatalf("no ads of type %s", ct)
			}
			exact := []struct {
				name      string
				got, want int64
			}{
				{"total_ads", got.TotalAds, want.TotalAds},
				{"total_spend_micros", spend * 10_000, want.TotalSpendMicros},
				{"total_revenue_micros", rev * 10_000, want.TotalRevenueMicros},
				{"total_orders", got.TotalOrders, want.TotalOrders},
				{"total_impressions", got.TotalImpressions, want.TotalImpressions},
				{"total_clicks", got.TotalClicks, want.TotalClicks},
				{"total_video_views", got.TotalVideoViews, want.TotalVideoViews},
				{"total_video_p25_watched", got.TotalVideoP25Watched, want.TotalVideoP25Watched},
				{"total_video_p50_watched", got.TotalVideoP50Watched, want.TotalVideoP50Watched},
				{"total_video_p100_watched", got.TotalVideoP100Watched, want.TotalVideoP100Watched},
			}
			for _, e := range exact {
				if e.got != e.want {
					t.Errorf("%s: served %d, truth %d", e.name, e.got, e.want)
				}
			}
			approx := []struct {
				name      string
				got, want float64
			}{
				{"total_spend", float64(spend) / 100, want.TotalSpend},
				{"weighted_avg_ctr", float64(got.TotalClicks) * 100 / float64(got.TotalImpressions), want.WeightedAvgCTR},
				{"weighted_avg_cpc", float64(spend) / 100 / float64(got.TotalClicks), want.WeightedAvgCPC},
				{"weighted_avg_cpp", float64(spend) * 10 / float64(got.TotalReach), want.WeightedAvgCPP},
				{"weighted_avg_roas", float64(rev) / float64(spend), want.WeightedAvgROAS},
				{"avg_ctr", sumCTR / float64(got.TotalAds), want.AvgCTR},
				{"avg_cpc", sumCPC / float64(nCPC), want.AvgCPC},
				{"avg_cpp", sumCPP / float64(got.TotalAds), want.AvgCPP},
				{"avg_roas", sumROAS / float64(nROAS), want.AvgROAS},
			}
			for _, e := range approx {
				if math.Abs(e.got-e.want) > 1e-5*math.Max(1, math.Abs(e.want)) {
					t.Errorf("%s: served %.6f, truth %.6f", e.name, e.got, e.want)
				}
			}
			if ct == "video" && want.TotalVideoViews == 0 {
				t.Error("video ads without video views")
			}
			if ct != "video" && ct != "all" && want.TotalVideoViews != 0 {
				t.Errorf("%s ads with %d video views", ct, want.TotalVideoViews)
			}
		})
	}
}
