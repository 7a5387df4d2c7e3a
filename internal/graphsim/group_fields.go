package graphsim

import "strconv"

// renderGroup writes a campaign or an ad set. Campaigns carry the
// objective, bid strategy and (with campaign budget optimisation) the
// budget; ad sets the targeting, optimisation goal and their own budget.
func (w *world) renderGroup(j *jw, r *request, g *group, fs []field) {
	class := "Campaign"
	if g.kind == kindAdset {
		class = "AdSet"
	}
	t := w.campaignTraits(g.acct, g.campaignIndex())
	gen := genCtx{r: r, seed: g.key, created: g.created}
	j.obj()
	j.kstr("id", g.id(w))
	for _, f := range fs {
		switch f.name {
		case "id":
		case "name":
			j.kstr("name", g.name())
		case "status", "configured_status":
			j.kstr(f.name, configuredStatus(g.status))
		case "effective_status":
			j.kstr("effective_status", g.status)
		case "account_id":
			j.kstr("account_id", w.accounts[g.acct].num)
		case "created_time", "start_time":
			j.kstr(f.name, graphTime(g.created))
		case "updated_time":
			j.kstr("updated_time", graphTime(g.updated))
		case "objective":
			j.kstr("objective", t.objective)
		case "buying_type":
			j.kstr("buying_type", "AUCTION")
		case "bid_strategy":
			j.kstr("bid_strategy", t.bidStrategy)
		case "daily_budget":
			if t.cbo == (g.kind == kindCampaign) {
				j.kstr(f.name, strconv.FormatInt(t.budgetCents, 10))
			}
		case "budget_remaining":
			// What is left of today's budget where the budget is set,
			// "0" at the other level, as the API writes it.
			left := int64(0)
			if t.cbo == (g.kind == kindCampaign) {
				left = t.budgetCents * (86400 - int64(r.now.Sub(r.now.Truncate(day)).Seconds())) / 86400
			}
			j.kstr(f.name, strconv.FormatInt(left, 10))
		case "lifetime_budget":
			j.kstr("lifetime_budget", "0")
		case "special_ad_categories", "special_ad_category_country":
			j.key(f.name)
			j.arr()
			j.endArr()
		case "special_ad_category":
			j.kstr(f.name, "NONE")
		case "pacing_type":
			j.key(f.name)
			strList(j, "standard")
		case "adlabels":
			j.key("adlabels")
			renderLabel(j, w, g.acct, (g.acct*7+g.index)%len(nameThemes))
		case "issues_info":
			j.key("issues_info")
			renderIssues(j, g.status, map[objKind]string{kindCampaign: "CAMPAIGN", kindAdset: "AD_SET"}[g.kind])
		case "source_campaign_id", "source_adset_id", "topline_id":
			j.kstr(f.name, "0")
		case "campaign_id":
			if g.kind == kindAdset {
				j.kstr("campaign_id", w.objectID(g.acct, g.campaignIndex(), kindCampaign))
			}
		case "campaign":
			c, _ := w.groupAt(g.acct, g.campaignIndex(), kindCampaign, r.now)
			j.key("campaign")
			if len(f.sub) == 0 {
				j.obj()
				j.kstr("id", c.id(w))
				j.endObj()
			} else {
				w.renderGroup(j, r, &c, f.sub)
			}
		case "optimization_goal":
			j.kstr(f.name, t.goal)
		case "billing_event":
			j.kstr(f.name, "IMPRESSIONS")
		case "bid_amount":
			if t.bidStrategy != "LOWEST_COST_WITHOUT_CAP" {
				j.kint("bid_amount", bidAmount(g.acct, g.index, w))
			}
		case "targeting":
			j.key("targeting")
			renderTargeting(j, w.audienceOf(g.acct, g.index))
		case "destination_type":
			j.kstr(f.name, "WEBSITE")
		case "promoted_object":
			j.key(f.name)
			j.obj()
			if t.objective == "OUTCOME_SALES" {
				j.kstr("pixel_id", w.pixelID(g.acct))
				j.kstr("custom_event_type", "PURCHASE")
			} else {
				j.kstr("page_id", w.brandPageID(g.acct))
			}
			j.endObj()
		case "attribution_spec":
			j.key(f.name)
			j.arr()
			for _, s := range []struct {
				typ  string
				days int64
			}{{"CLICK_THROUGH", 7}, {"VIEW_THROUGH", 1}} {
				j.obj()
				j.kstr("event_type", s.typ)
				j.kint("window_days", s.days)
				j.endObj()
			}
			j.endArr()
		default:
			if ft, ok := sdkClasses[class].field(f.name); ok {
				gen.genField(j, f, ft)
			}
		}
	}
	j.endObj()
}

// brandPageID is the Facebook page of the account's brand, the actor of
// every creative.
func (w *world) brandPageID(acct int) string {
	return strconv.FormatUint(100_000_000_000_000+h(uint64(w.seed), saltBusiness, uint64(w.accounts[acct].brand), 7)%900_000_000_000_000, 10)
}
