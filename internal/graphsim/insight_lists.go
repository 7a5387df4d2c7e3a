package graphsim

import "strings"

// listValue is how an actions-style list turns an entry's count into its
// value string.
type listValue int

const (
	asCount   listValue = iota // "12"
	asMoney                    // revenue in cents → "123.45"
	asCostPer                  // spend / count
	asROAS                     // revenue / spend
	asCTR                      // count × 100 / impressions
	asPerImpr                  // count / impressions
)

// listSpec is one list field: which entries it has and how they read.
type listSpec struct {
	value   listValue
	unique  bool // counts of people, not events
	entries func(m *metrics, out []action) []action
}

// Entry sets shared by several list fields.
func purchaseActions(m *metrics, out []action) []action {
	return append(out, []action{{"offsite_conversion.fb_pixel_purchase", m.Purchases}, {"purchase", m.Purchases}, {"omni_purchase", m.Purchases}}...)
}

func revenueActions(m *metrics, out []action) []action {
	return append(out, []action{{"offsite_conversion.fb_pixel_purchase", m.RevenueCents}, {"purchase", m.RevenueCents}, {"omni_purchase", m.RevenueCents}}...)
}

func allActions(m *metrics, out []action) []action {
	x := &m.X
	return append(out, []action{
		{"link_click", m.LinkClicks}, {"landing_page_view", x[xLandingViews]}, {"post_engagement", m.Engagement},
		{"page_engagement", m.Engagement}, {"post_reaction", x[xReactions]}, {"comment", x[xComments]}, {"post", x[xShares]},
		{"video_view", m.Video3s}, {"offsite_conversion.fb_pixel_view_content", x[xViewContent]},
		{"offsite_conversion.fb_pixel_add_to_cart", x[xAddToCart]}, {"add_to_cart", x[xAddToCart]},
		{"offsite_conversion.fb_pixel_initiate_checkout", x[xCheckout]}, {"initiate_checkout", x[xCheckout]},
		{"offsite_conversion.fb_pixel_purchase", m.Purchases}, {"purchase", m.Purchases}, {"omni_purchase", m.Purchases},
	}...)
}

func conversionActions(m *metrics, out []action) []action {
	return append(out, []action{{"offsite_conversion.fb_pixel_add_to_cart", m.X[xAddToCart]},
		{"offsite_conversion.fb_pixel_initiate_checkout", m.X[xCheckout]}, {"offsite_conversion.fb_pixel_purchase", m.Purchases}}...)
}

func one(typ string, f func(m *metrics) int64) func(m *metrics, out []action) []action {
	return func(m *metrics, out []action) []action { return append(out, action{typ, f(m)}) }
}

func video(f func(m *metrics) int64) func(m *metrics, out []action) []action {
	return one("video_view", f)
}

// listSpecs are the list fields graphsim models one by one.
var listSpecs = map[string]listSpec{
	"actions":                                       {entries: allActions},
	"action_values":                                 {value: asMoney, entries: revenueActions},
	"unique_actions":                                {unique: true, entries: allActions},
	"conversions":                                   {entries: conversionActions},
	"unique_conversions":                            {unique: true, entries: conversionActions},
	"conversion_values":                             {value: asMoney, entries: one("offsite_conversion.fb_pixel_purchase", func(m *metrics) int64 { return m.RevenueCents })},
	"cost_per_action_type":                          {value: asCostPer, entries: allActions},
	"cost_per_unique_action_type":                   {value: asCostPer, unique: true, entries: allActions},
	"cost_per_conversion":                           {value: asCostPer, entries: conversionActions},
	"cost_per_unique_conversion":                    {value: asCostPer, unique: true, entries: conversionActions},
	"purchase_roas":                                 {value: asROAS, entries: one("omni_purchase", func(m *metrics) int64 { return m.RevenueCents })},
	"website_purchase_roas":                         {value: asROAS, entries: one("offsite_conversion.fb_pixel_purchase", func(m *metrics) int64 { return m.RevenueCents })},
	"outbound_clicks":                               {entries: one("outbound_click", func(m *metrics) int64 { return m.X[xOutbound] })},
	"unique_outbound_clicks":                        {unique: true, entries: one("outbound_click", func(m *metrics) int64 { return m.X[xOutbound] })},
	"outbound_clicks_ctr":                           {value: asCTR, entries: one("outbound_click", func(m *metrics) int64 { return m.X[xOutbound] })},
	"unique_outbound_clicks_ctr":                    {value: asCTR, unique: true, entries: one("outbound_click", func(m *metrics) int64 { return m.X[xOutbound] })},
	"cost_per_outbound_click":                       {value: asCostPer, entries: one("outbound_click", func(m *metrics) int64 { return m.X[xOutbound] })},
	"cost_per_unique_outbound_click":                {value: asCostPer, unique: true, entries: one("outbound_click", func(m *metrics) int64 { return m.X[xOutbound] })},
	"website_ctr":                                   {value: asCTR, entries: one("link_click", func(m *metrics) int64 { return m.LinkClicks })},
	"ad_click_actions":                              {entries: one("ad_click", func(m *metrics) int64 { return m.Clicks })},
	"ad_impression_actions":                         {entries: one("ad_impression", func(m *metrics) int64 { return m.Impressions })},
	"cost_per_ad_click":                             {value: asCostPer, entries: one("ad_click", func(m *metrics) int64 { return m.Clicks })},
	"cost_per_one_thousand_ad_impression":           {value: asCostPer, entries: one("ad_impression", func(m *metrics) int64 { return m.Impressions / 1000 })},
	"video_play_actions":                            {entries: video(func(m *metrics) int64 { return m.VideoPlays })},
	"video_thruplay_watched_actions":                {entries: video(func(m *metrics) int64 { return m.Thruplay })},
	"video_p25_watched_actions":                     {entries: video(func(m *metrics) int64 { return m.P25 })},
	"video_p50_watched_actions":                     {entries: video(func(m *metrics) int64 { return m.P50 })},
	"video_p75_watched_actions":                     {entries: video(func(m *metrics) int64 { return m.P75 })},
	"video_p95_watched_actions":                     {entries: video(func(m *metrics) int64 { return m.X[xVideoP95] })},
	"video_p100_watched_actions":                    {entries: video(func(m *metrics) int64 { return m.P100 })},
	"video_continuous_2_sec_watched_actions":        {entries: video(func(m *metrics) int64 { return m.X[xVideo2s] })},
	"unique_video_continuous_2_sec_watched_actions": {unique: true, entries: video(func(m *metrics) int64 { return m.X[xVideo2s] })},
	"video_6_sec_watched_actions":                   {entries: video(func(m *metrics) int64 { return m.X[xVideo6s] })},
	"video_15_sec_watched_actions":                  {entries: video(func(m *metrics) int64 { return m.X[xVideo15s] })},
	"unique_video_view_15_sec":                      {unique: true, entries: video(func(m *metrics) int64 { return m.X[xVideo15s] })},
	"video_30_sec_watched_actions":                  {entries: video(func(m *metrics) int64 { return m.X[xVideo30s] })},
	"video_time_watched_actions":                    {entries: video(func(m *metrics) int64 { return m.X[xVideoSeconds] })},
	"video_view_per_impression":                     {value: asPerImpr, entries: video(func(m *metrics) int64 { return m.Video3s })},
	"cost_per_thruplay":                             {value: asCostPer, entries: video(func(m *metrics) int64 { return m.Thruplay })},
	"cost_per_15_sec_video_view":                    {value: asCostPer, entries: video(func(m *metrics) int64 { return m.X[xVideo15s] })},
	"cost_per_2_sec_continuous_video_view":          {value: asCostPer, entries: video(func(m *metrics) int64 { return m.X[xVideo2s] })},
	"cost_per_6_sec_video_view":                     {value: asCostPer, entries: video(func(m *metrics) int64 { return m.X[xVideo6s] })},
}

// ruleListSpec is the list spec for a declared list field graphsim has no
// spec for, chosen by what its name says it counts.
func ruleListSpec(name string) listSpec {
	has := func(s string) bool { return strings.Contains(name, s) }
	spec := listSpec{entries: purchaseActions}
	switch {
	case has("click"):
		spec.entries = one("link_click", func(m *metrics) int64 { return m.LinkClicks })
	case has("video") || has("play"):
		spec.entries = video(func(m *metrics) int64 { return m.Video3s })
	case has("value") || has("roas"):
		spec.entries = revenueActions
	}
	switch {
	case has("cost_per"):
		spec.value = asCostPer
	case has("roas"):
		spec.value = asROAS
	case has("value"):
		spec.value = asMoney
	case has("ctr") || has("rate"):
		spec.value = asCTR
	}
	spec.unique = has("unique")
	return spec
}

// listWriter writes a list field through its spec.
func listWriter(spec listSpec) insightWriter {
	return func(c *insightRow, j *jw, name string) { c.writeList(j, name, spec) }
}

func listInsightWriters() map[string]insightWriter {
	out := map[string]insightWriter{}
	for _, f := range sdkClasses["AdsInsights"].fields {
		if !strings.HasPrefix(f.typ, "list<AdsActionStats>") {
			continue
		}
		spec, ok := listSpecs[f.name]
		if !ok {
			spec = ruleListSpec(f.name)
		}
		out[f.name] = listWriter(spec)
	}
	return out
}

// isPurchase reports whether an action type has attribution windows.
func isPurchase(typ string) bool {
	return typ == "purchase" || typ == "omni_purchase" || typ == "offsite_conversion.fb_pixel_purchase"
}
