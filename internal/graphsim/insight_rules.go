package graphsim

import "strings"

// ruleWriter is the writer of a declared insights field graphsim does not
// model one by one. The shop graphsim simulates runs no messaging,
// playable, instant-experience or app campaigns, so their counts are "0";
// rates, costs and labels get a value of their kind from the row.
func ruleWriter(name string, t *fieldType) insightWriter {
	has := func(s string) bool { return strings.Contains(name, s) }
	switch {
	case t.kind == tList && t.elem.class == "AdsHistogramStats":
		return histogramWriter
	case t.kind == tList && resultsFamily(name):
		return resultsWriter(name)
	case t.kind == tList || t.kind == tObject || t.kind == tMap:
		return func(c *insightRow, j *jw, n string) {
			g := genCtx{r: c.r, seed: h(uint64(c.s.w.seed), saltTrace, uint64(c.q.account), 0)}
			g.genField(j, field{name: n}, t)
		}
	case t.kind == tInt:
		return func(c *insightRow, j *jw, n string) { j.kint(n, 0) }
	case has("advanced_reach"):
		return reachWriter(func(m *metrics) int64 { return m.Reach })
	case has("attribution_setting"):
		return func(c *insightRow, j *jw, n string) { j.kstr(n, "7d_click_1d_view") }
	case has("indicator"):
		return func(c *insightRow, j *jw, n string) { j.kstr(n, "actions:offsite_conversion.fb_pixel_purchase") }
	case has("label"):
		return func(c *insightRow, j *jw, n string) { j.kstr(n, "MEDIUM") }
	case has("_name"):
		return func(c *insightRow, j *jw, n string) { j.kstr(n, c.s.w.brands[c.s.w.accounts[c.q.account].brand].name) }
	case has("retailer_id"):
		return func(c *insightRow, j *jw, n string) {
			if c.a != nil && c.q.level == "ad" {
				j.kstr(n, "sku-"+itoa(c.a.index%977+1))
			}
		}
	case has("currency"):
		return func(c *insightRow, j *jw, n string) { j.kstr(n, "USD") }
	case has("dda_countby_convs") && !has("cost_per"):
		return countStr(func(m *metrics) int64 { return m.Purchases })
	case has("cost_per") && !has("marketing_messages") && !has("message"):
		return ratioStr(spendOf, func(m *metrics) float64 { return float64(m.Purchases) })
	case has("bid"):
		return ratioStr(func(m *metrics) float64 { return float64(m.SpendCents) * 10 }, imprOf)
	case has("spend") || has("cost"):
		return func(c *insightRow, j *jw, n string) { j.kmoney(n, 0) }
	case has("rate") || has("ctr") || has("percent") || has("score") || has("competitiveness") || has("_per_") || has("time"):
		return func(c *insightRow, j *jw, n string) { j.kratio(n, 0) }
	}
	return func(c *insightRow, j *jw, n string) { j.kstr(n, "0") }
}

// resultsFamily are the list<Object> fields shaped as
// [{"indicator": ..., "values": [{"value": ...}]}].
func resultsFamily(name string) bool {
	switch name {
	case "results", "cost_per_result", "objective_results", "cost_per_objective_result",
		"result_rate", "objective_result_rate", "link_clicks_per_results", "dda_results":
		return true
	}
	return false
}

// result is what a row's campaign optimises for: its indicator and count.
func (c *insightRow) result() (string, int64) {
	goal := "OFFSITE_CONVERSIONS"
	if c.a != nil {
		goal = c.s.w.campaignTraits(c.a.acct, c.a.campaignIndex()).goal
	}
	switch goal {
	case "LINK_CLICKS":
		return "actions:link_click", c.m.LinkClicks
	case "REACH":
		return "reach", c.m.Reach
	case "POST_ENGAGEMENT":
		return "actions:post_engagement", c.m.Engagement
	case "LEAD_GENERATION":
		return "actions:lead", 0
	}
	return "actions:offsite_conversion.fb_pixel_purchase", c.m.Purchases
}

func resultsWriter(name string) insightWriter {
	return func(c *insightRow, j *jw, n string) {
		ind, v := c.result()
		var val string
		switch name {
		case "cost_per_result", "cost_per_objective_result":
			if v == 0 {
				return
			}
			val = ratio(float64(c.m.SpendCents) / 100 / float64(v))
		case "result_rate", "objective_result_rate":
			val = ratio(float64(v) * 100 / float64(max(1, c.m.Impressions)))
		case "link_clicks_per_results":
			if v == 0 {
				return
			}
			val = ratio(float64(c.m.LinkClicks) / float64(v))
		default:
			val = count(v)
		}
		j.key(n)
		j.arr()
		j.obj()
		j.kstr("indicator", ind)
		j.key("values")
		j.arr()
		j.obj()
		j.kstr("value", val)
		j.key("attribution_windows")
		strList(j, "default")
		j.endObj()
		j.endArr()
		j.endObj()
		j.endArr()
	}
}

// histogramWriter writes a video retention curve: the share of plays still
// watching at eight points of the video, for rows with plays.
func histogramWriter(c *insightRow, j *jw, n string) {
	m := c.m
	if m.VideoPlays == 0 {
		return
	}
	points := []int64{m.VideoPlays, m.X[xVideo2s], m.Video3s, m.P25, m.P50, m.P75, m.X[xVideoP95], m.P100}
	j.key(n)
	j.arr()
	j.obj()
	j.kstr("action_type", "video_view")
	j.key("value")
	j.arr()
	for _, p := range points {
		j.int(p * 100 / m.VideoPlays)
	}
	j.endArr()
	j.endObj()
	j.endArr()
}
