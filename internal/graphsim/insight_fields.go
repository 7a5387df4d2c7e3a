package graphsim

import (
	"strconv"
	"strings"
)

// insightRow is one insights row being written: the row's metrics and what
// it is a row of.
type insightRow struct {
	s    *Server
	r    *request
	q    *insightsQuery
	a    *ad // the row's ad, the first of its group at adset and campaign level; nil at account level
	br   dateRange
	m    *metrics
	cell []int // the row's value of each of q.dims
}

// insightWriter writes field name of a row, or nothing when the row has no
// value for it (the API leaves such fields out).
type insightWriter func(c *insightRow, j *jw, name string)

// insightWriters holds a writer for every field the SDK declares for
// AdsInsights: the ones below by hand, the rest by the rules of
// insight_rules.go. Built by init.
var insightWriters = map[string]insightWriter{}

func init() {
	for name, w := range handInsightWriters {
		insightWriters[name] = w
	}
	for name, w := range listInsightWriters() {
		insightWriters[name] = w
	}
	for _, f := range sdkClasses["AdsInsights"].fields {
		if insightWriters[f.name] == nil {
			insightWriters[f.name] = ruleWriter(f.name, sdkClasses["AdsInsights"].types[f.name])
		}
	}
}

// Helpers turning a row into a value.
func countStr(f func(*metrics) int64) insightWriter {
	return func(c *insightRow, j *jw, name string) { j.kcount(name, f(c.m)) }
}

func ratioStr(num, den func(*metrics) float64) insightWriter {
	return func(c *insightRow, j *jw, name string) {
		if d := den(c.m); d > 0 {
			j.kratio(name, num(c.m)/d)
		}
	}
}

func spendOf(m *metrics) float64        { return float64(m.SpendCents) / 100 }
func imprOf(m *metrics) float64         { return float64(m.Impressions) }
func clicksOf(m *metrics) float64       { return float64(m.Clicks) }
func linkClicksOf(m *metrics) float64   { return float64(m.LinkClicks) }
func reachOf(m *metrics) float64        { return float64(m.Reach) }
func engagementOf(m *metrics) float64   { return float64(m.Engagement) }
func uniqueClicksOf(m *metrics) float64 { return float64(unique(m, m.Clicks)) }
func uniqueLinksOf(m *metrics) float64  { return float64(unique(m, m.LinkClicks)) }
func pct(f func(*metrics) float64) func(*metrics) float64 {
	return func(m *metrics) float64 { return f(m) * 100 }
}

// unique is how many people did something n times: the row's reach over its
// impressions, scaled, never above n nor below one person when n > 0.
func unique(m *metrics, n int64) int64 {
	if n <= 0 || m.Impressions == 0 {
		return 0
	}
	u := int64(float64(n)*float64(m.Reach)/float64(m.Impressions)*1.15) + 1
	return min(u, n)
}

// recallers is the estimated ad recall lift in people.
func recallers(m *metrics) int64 { return m.Reach * 8 / 100 }

// handInsightWriters are the fields graphsim models one by one.
var handInsightWriters = map[string]insightWriter{
	"account_id":        func(c *insightRow, j *jw, n string) { j.kstr(n, c.s.w.accounts[c.q.account].num) },
	"account_name":      func(c *insightRow, j *jw, n string) { j.kstr(n, c.s.w.accounts[c.q.account].name) },
	"account_currency":  func(c *insightRow, j *jw, n string) { j.kstr(n, "USD") },
	"ad_id":             levelID("ad", func(c *insightRow) string { return c.s.w.objectID(c.a.acct, c.a.index, kindAd) }),
	"ad_name":           levelID("ad", func(c *insightRow) string { return c.a.adName() }),
	"adset_id":          levelID("adset", func(c *insightRow) string { return c.s.w.objectID(c.a.acct, c.a.adsetIndex(), kindAdset) }),
	"adset_name":        levelID("adset", func(c *insightRow) string { return adsetName(c.a.acct, c.a.adsetIndex()) }),
	"campaign_id":       levelID("campaign", func(c *insightRow) string { return c.s.w.objectID(c.a.acct, c.a.campaignIndex(), kindCampaign) }),
	"campaign_name":     levelID("campaign", func(c *insightRow) string { return campaignName(c.a.acct, c.a.campaignIndex()) }),
	"objective":         traitWriter(func(t campaignTraits) string { return t.objective }),
	"optimization_goal": traitWriter(func(t campaignTraits) string { return t.goal }),
	"buying_type":       func(c *insightRow, j *jw, n string) { j.kstr(n, "AUCTION") },
	"attribution_setting": func(c *insightRow, j *jw, n string) {
		j.kstr(n, "7d_click_1d_view")
	},
	"date_start":               func(c *insightRow, j *jw, n string) { j.kstr(n, dateString(c.br.since)) },
	"date_stop":                func(c *insightRow, j *jw, n string) { j.kstr(n, dateString(c.br.until)) },
	"spend":                    func(c *insightRow, j *jw, n string) { j.kmoney(n, c.m.SpendCents) },
	"impressions":              countStr(func(m *metrics) int64 { return m.Impressions }),
	"clicks":                   countStr(func(m *metrics) int64 { return m.Clicks }),
	"inline_link_clicks":       countStr(func(m *metrics) int64 { return m.LinkClicks }),
	"inline_post_engagement":   countStr(func(m *metrics) int64 { return m.Engagement }),
	"reach":                    reachWriter(func(m *metrics) int64 { return m.Reach }),
	"full_view_impressions":    countStr(func(m *metrics) int64 { return m.X[xFullViewImpr] }),
	"full_view_reach":          reachWriter(func(m *metrics) int64 { return unique(m, m.X[xFullViewImpr]) }),
	"product_views":            countStr(func(m *metrics) int64 { return m.X[xViewContent] }),
	"instagram_profile_visits": countStr(func(m *metrics) int64 { return m.X[xProfileVisits] }),
	"frequency": func(c *insightRow, j *jw, n string) {
		if c.m.Reach > 0 && !c.q.hourly() {
			j.kratio(n, float64(c.m.Impressions)/float64(c.m.Reach))
		}
	},
	// cpc, ctr, cpm and cpp keep the arithmetic /_sim/truth uses, so the
	// six decimals agree to the last digit.
	"cpc":                                ratioStr(func(m *metrics) float64 { return float64(m.SpendCents) / 100 }, clicksOf),
	"ctr":                                ratioStr(func(m *metrics) float64 { return float64(m.Clicks) * 100 }, imprOf),
	"cpm":                                ratioStr(func(m *metrics) float64 { return float64(m.SpendCents) * 10 }, imprOf),
	"cpp":                                ratioStr(func(m *metrics) float64 { return float64(m.SpendCents) * 10 }, reachOf),
	"inline_link_click_ctr":              ratioStr(pct(linkClicksOf), imprOf),
	"cost_per_inline_link_click":         ratioStr(spendOf, linkClicksOf),
	"cost_per_inline_post_engagement":    ratioStr(spendOf, engagementOf),
	"unique_clicks":                      reachWriter(func(m *metrics) int64 { return unique(m, m.Clicks) }),
	"unique_inline_link_clicks":          reachWriter(func(m *metrics) int64 { return unique(m, m.LinkClicks) }),
	"unique_ctr":                         ratioStr(pct(uniqueClicksOf), reachOf),
	"unique_link_clicks_ctr":             ratioStr(pct(uniqueLinksOf), reachOf),
	"unique_inline_link_click_ctr":       ratioStr(pct(uniqueLinksOf), reachOf),
	"cost_per_unique_click":              ratioStr(spendOf, uniqueClicksOf),
	"cost_per_unique_inline_link_click":  ratioStr(spendOf, uniqueLinksOf),
	"estimated_ad_recallers":             reachWriter(recallers),
	"estimated_ad_recallers_lower_bound": reachWriter(func(m *metrics) int64 { return recallers(m) * 9 / 10 }),
	"estimated_ad_recallers_upper_bound": reachWriter(func(m *metrics) int64 { return recallers(m) * 11 / 10 }),
	"estimated_ad_recall_rate":           ratioStr(func(m *metrics) float64 { return float64(recallers(m)) * 100 }, reachOf),
	"cost_per_estimated_ad_recallers":    ratioStr(spendOf, func(m *metrics) float64 { return float64(recallers(m)) }),
	"landing_page_view_per_link_click":   ratioStr(func(m *metrics) float64 { return float64(m.X[xLandingViews]) }, linkClicksOf),
	"purchases_per_link_click":           ratioStr(func(m *metrics) float64 { return float64(m.Purchases) }, linkClicksOf),
	"purchase_per_landing_page_view":     ratioStr(func(m *metrics) float64 { return float64(m.Purchases) }, func(m *metrics) float64 { return float64(m.X[xLandingViews]) }),
	"quality_ranking":                    rankingWriter(1),
	"engagement_rate_ranking":            rankingWriter(2),
	"conversion_rate_ranking":            rankingWriter(3),
	"creative_media_type": func(c *insightRow, j *jw, n string) {
		if c.a != nil && c.q.level == "ad" {
			j.kstr(n, [...]string{"VIDEO", "IMAGE", "CAROUSEL", "DYNAMIC"}[c.a.kind])
		}
	},
	"age_targeting": func(c *insightRow, j *jw, n string) {
		if c.a != nil && c.q.level != "campaign" {
			au := c.s.w.audienceOf(c.a.acct, c.a.adsetIndex())
			j.kstr(n, strconv.Itoa(au.ageMin)+"-"+strconv.Itoa(au.ageMax))
		}
	},
	"gender_targeting": func(c *insightRow, j *jw, n string) {
		if c.a != nil && c.q.level != "campaign" {
			j.kstr(n, [...]string{"All", "Men", "Women"}[c.s.w.audienceOf(c.a.acct, c.a.adsetIndex()).gender])
		}
	},
	"adset_start": func(c *insightRow, j *jw, n string) {
		if c.a != nil && c.q.level != "campaign" {
			g, _ := c.s.w.groupAt(c.a.acct, c.a.adsetIndex(), kindAdset, c.r.now)
			j.kstr(n, graphTime(g.created))
		}
	},
	// Ad sets run without an end, so adset_end is never set.
	"adset_end": func(c *insightRow, j *jw, n string) {},
	"created_time": func(c *insightRow, j *jw, n string) {
		if c.a != nil {
			j.kstr(n, dateString(dayNum(c.a.created)))
		}
	},
	"updated_time": func(c *insightRow, j *jw, n string) { j.kstr(n, dateString(min(c.br.until, dayNum(c.r.now)))) },
	"labels": func(c *insightRow, j *jw, n string) {
		if c.a != nil && c.q.level == "ad" {
			j.kstr(n, nameThemes[c.a.key%uint64(len(nameThemes))])
		}
	},
	"location": func(c *insightRow, j *jw, n string) {
		if c.a != nil && c.q.level != "campaign" {
			j.kstr(n, dimCountry.values[0])
		}
	},
	"social_spend":                      func(c *insightRow, j *jw, n string) { j.kmoney(n, 0) },
	"marketing_messages_spend_currency": func(c *insightRow, j *jw, n string) { j.kstr(n, "USD") },
}

// levelID writes an id or name of a level at or above the query's level.
func levelID(level string, v func(*insightRow) string) insightWriter {
	need := levelDepth(level)
	return func(c *insightRow, j *jw, n string) {
		if c.a != nil && c.q.depth >= need {
			j.kstr(n, v(c))
		}
	}
}

func traitWriter(v func(campaignTraits) string) insightWriter {
	return func(c *insightRow, j *jw, n string) {
		if c.a != nil {
			j.kstr(n, v(c.s.w.campaignTraits(c.a.acct, c.a.campaignIndex())))
		}
	}
}

// reachWriter writes a count of people, which hourly breakdowns leave out.
func reachWriter(f func(*metrics) int64) insightWriter {
	return func(c *insightRow, j *jw, n string) {
		if !c.q.hourly() {
			j.kcount(n, f(c.m))
		}
	}
}

// rankingWriter writes an ad's quality rankings; they exist for ads with
// enough impressions only, and at other levels say UNKNOWN.
func rankingWriter(salt uint64) insightWriter {
	ranks := []string{"ABOVE_AVERAGE", "AVERAGE", "AVERAGE", "BELOW_AVERAGE_35", "BELOW_AVERAGE_20", "BELOW_AVERAGE_10"}
	return func(c *insightRow, j *jw, n string) {
		if c.a == nil || c.q.level != "ad" || c.m.Impressions < 500 {
			j.kstr(n, "UNKNOWN")
			return
		}
		j.kstr(n, ranks[mix(c.a.key^salt)%uint64(len(ranks))])
	}
}

// isIDField reports whether an insights field names an object, so summary
// rows, which sum over objects, leave it out.
func isIDField(name string) bool {
	return strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_name")
}

// baseOnlyFields read nothing but the base counts of metrics, so rows of
// queries asking only for them skip the extended counts.
var baseOnlyFields = map[string]bool{}

func init() {
	for _, name := range []string{"account_id", "account_name", "account_currency", "ad_id", "ad_name", "adset_id",
		"adset_name", "campaign_id", "campaign_name", "objective", "optimization_goal", "buying_type",
		"attribution_setting", "date_start", "date_stop", "spend", "impressions", "clicks", "inline_link_clicks",
		"inline_post_engagement", "reach", "frequency", "cpc", "ctr", "cpm", "cpp", "inline_link_click_ctr",
		"cost_per_inline_link_click", "cost_per_inline_post_engagement", "unique_clicks", "unique_inline_link_clicks",
		"unique_ctr", "unique_link_clicks_ctr", "unique_inline_link_click_ctr", "cost_per_unique_click",
		"cost_per_unique_inline_link_click", "purchases_per_link_click", "action_values", "purchase_roas",
		"website_purchase_roas", "conversion_values", "video_play_actions", "video_thruplay_watched_actions",
		"video_p25_watched_actions", "video_p50_watched_actions", "video_p75_watched_actions",
		"video_p100_watched_actions", "cost_per_thruplay", "ad_click_actions", "ad_impression_actions",
		"cost_per_ad_click", "website_ctr", "video_view_per_impression"} {
		baseOnlyFields[name] = true
	}
}

func baseOnly(fs []field) bool {
	for _, f := range fs {
		if !baseOnlyFields[f.name] {
			return false
		}
	}
	return true
}
