package graphsim

import (
	"strconv"
)

// Insight values are JSON strings, as the Marketing API writes them: money
// with two decimals, ratios with six.
func money(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	s := strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
	if neg {
		return "-" + s
	}
	return s
}

func ratio(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

func count(n int64) string { return strconv.FormatInt(n, 10) }

// renderInsight writes one insights row; a is nil at account level.
func (s *Server) renderInsight(j *jw, r *request, q *insightsQuery, a *ad, br dateRange, m *metrics) {
	w := s.w
	acct := w.accounts[q.account]
	j.obj()
	dates := 0
	for _, f := range q.fields {
		switch f.name {
		case "account_id":
			j.kstr("account_id", acct.num)
		case "account_name":
			j.kstr("account_name", acct.name)
		case "account_currency":
			j.kstr("account_currency", "USD")
		case "objective":
			j.kstr("objective", "OUTCOME_SALES")
		case "date_start":
			j.kstr("date_start", dateString(br.since))
			dates |= 1
		case "date_stop":
			j.kstr("date_stop", dateString(br.until))
			dates |= 2
		case "spend":
			j.kstr("spend", money(m.SpendCents))
		case "impressions":
			j.kstr("impressions", count(m.Impressions))
		case "clicks":
			j.kstr("clicks", count(m.Clicks))
		case "inline_link_clicks":
			j.kstr("inline_link_clicks", count(m.LinkClicks))
		case "reach":
			j.kstr("reach", count(m.Reach))
		case "frequency":
			j.kstr("frequency", ratio(float64(m.Impressions)/float64(m.Reach)))
		case "cpc":
			if m.Clicks > 0 {
				j.kstr("cpc", ratio(float64(m.SpendCents)/100/float64(m.Clicks)))
			}
		case "ctr":
			j.kstr("ctr", ratio(float64(m.Clicks)*100/float64(m.Impressions)))
		case "cpm":
			j.kstr("cpm", ratio(float64(m.SpendCents)*10/float64(m.Impressions)))
		case "cpp":
			j.kstr("cpp", ratio(float64(m.SpendCents)*10/float64(m.Reach)))
		case "actions":
			renderActions(j, "actions", []action{
				{"link_click", m.LinkClicks}, {"post_engagement", m.Engagement}, {"video_view", m.Video3s},
				{"offsite_conversion.fb_pixel_purchase", m.Purchases}, {"purchase", m.Purchases},
			}, false)
		case "action_values":
			renderActions(j, "action_values", []action{
				{"offsite_conversion.fb_pixel_purchase", m.RevenueCents}, {"purchase", m.RevenueCents},
			}, true)
		case "purchase_roas":
			if m.RevenueCents > 0 && m.SpendCents > 0 {
				j.key("purchase_roas")
				j.arr()
				j.obj()
				j.kstr("action_type", "omni_purchase")
				j.kstr("value", ratio(float64(m.RevenueCents)/float64(m.SpendCents)))
				j.endObj()
				j.endArr()
			}
		case "video_play_actions":
			renderActions(j, f.name, []action{{"video_view", m.VideoPlays}}, false)
		case "video_thruplay_watched_actions":
			renderActions(j, f.name, []action{{"video_view", m.Thruplay}}, false)
		case "video_p25_watched_actions":
			renderActions(j, f.name, []action{{"video_view", m.P25}}, false)
		case "video_p50_watched_actions":
			renderActions(j, f.name, []action{{"video_view", m.P50}}, false)
		case "video_p75_watched_actions":
			renderActions(j, f.name, []action{{"video_view", m.P75}}, false)
		case "video_p100_watched_actions":
			renderActions(j, f.name, []action{{"video_view", m.P100}}, false)
		}
		if a == nil {
			continue
		}
		// Ids of levels finer than the row's level are left out.
		switch level := q.level; {
		case level == "campaign" && (f.name == "adset_id" || f.name == "adset_name"):
			continue
		case level != "ad" && (f.name == "ad_id" || f.name == "ad_name"):
			continue
		}
		switch f.name {
		case "ad_id":
			j.kstr("ad_id", w.objectID(a.acct, a.index, kindAd))
		case "ad_name":
			j.kstr("ad_name", a.adName())
		case "adset_id":
			j.kstr("adset_id", w.objectID(a.acct, a.index/adsPerAdset, kindAdset))
		case "adset_name":
			j.kstr("adset_name", adsetName(a.acct, a.index/adsPerAdset))
		case "campaign_id":
			j.kstr("campaign_id", w.objectID(a.acct, a.index/adsPerCampaign, kindCampaign))
		case "campaign_name":
			j.kstr("campaign_name", campaignName(a.acct, a.index/adsPerCampaign))
		}
	}
	// The real API always closes a row with its dates.
	if dates&1 == 0 {
		j.kstr("date_start", dateString(br.since))
	}
	if dates&2 == 0 {
		j.kstr("date_stop", dateString(br.until))
	}
	j.endObj()
}

type action struct {
	typ string
	n   int64
}

// renderActions writes an action list, leaving out zero entries and the whole
// list when empty, as the real API does.
func renderActions(j *jw, key string, list []action, isMoney bool) {
	any := false
	for _, x := range list {
		if x.n == 0 {
			continue
		}
		if !any {
			j.key(key)
			j.arr()
			any = true
		}
		j.obj()
		j.kstr("action_type", x.typ)
		if isMoney {
			j.kstr("value", money(x.n))
		} else {
			j.kstr("value", count(x.n))
		}
		j.endObj()
	}
	if any {
		j.endArr()
	}
}
