package graphsim

import "strconv"

var defaultAdFields = []field{{name: "id"}}

func (a *ad) adsetIndex() int    { return a.index / adsPerAdset }
func (a *ad) campaignIndex() int { return a.index / adsPerCampaign }

// renderAd writes ad a with its status timeline tl. Fields graphsim models
// are written here; every other field the SDK declares gets a generic value
// of its type.
func (w *world) renderAd(j *jw, r *request, a *ad, tl []span, fs []field) {
	j.obj()
	j.kstr("id", w.objectID(a.acct, a.index, kindAd))
	g := genCtx{r: r, seed: a.key, created: a.created}
	for _, f := range fs {
		switch f.name {
		case "id":
		case "name":
			j.kstr("name", a.adName())
		case "status", "configured_status":
			j.kstr(f.name, configuredStatus(statusOf(tl)))
		case "effective_status":
			j.kstr("effective_status", statusOf(tl))
		case "updated_time":
			j.kstr("updated_time", graphTime(updatedOf(tl, a)))
		case "created_time":
			j.kstr("created_time", graphTime(a.created))
		case "account_id":
			j.kstr("account_id", w.accounts[a.acct].num)
		case "adset_id":
			j.kstr("adset_id", w.objectID(a.acct, a.adsetIndex(), kindAdset))
		case "campaign_id":
			j.kstr("campaign_id", w.objectID(a.acct, a.campaignIndex(), kindCampaign))
		case "adset", "campaign":
			kind, index := kindAdset, a.adsetIndex()
			if f.name == "campaign" {
				kind, index = kindCampaign, a.campaignIndex()
			}
			j.key(f.name)
			if len(f.sub) == 0 {
				j.obj()
				j.kstr("id", w.objectID(a.acct, index, kind))
				j.endObj()
				break
			}
			grp, _ := w.groupAt(a.acct, index, kind, r.now)
			w.renderGroup(j, r, &grp, f.sub)
		case "creative":
			j.key("creative")
			w.renderCreative(j, r, a, f.sub)
		case "targeting":
			j.key("targeting")
			renderTargeting(j, w.audienceOf(a.acct, a.adsetIndex()))
		case "bid_type":
			j.kstr("bid_type", "ABSOLUTE_OCPM")
		case "bid_amount":
			if t := w.campaignTraits(a.acct, a.campaignIndex()); t.bidStrategy != "LOWEST_COST_WITHOUT_CAP" {
				j.kint("bid_amount", bidAmount(a.acct, a.adsetIndex(), w))
			}
		case "tracking_specs":
			j.key("tracking_specs")
			renderTrackingSpecs(j, w.pixelID(a.acct), w.pageID(a), w.postID(a))
		case "conversion_specs":
			j.key("conversion_specs")
			renderConversionSpecs(j, w.pixelID(a.acct))
		case "adlabels":
			j.key("adlabels")
			renderLabel(j, w, a.acct, int(a.key%uint64(len(nameThemes))))
		case "special_ad_categories":
			j.key(f.name)
			j.arr()
			j.endArr()
		case "issues_info":
			j.key("issues_info")
			renderIssues(j, statusOf(tl), "AD")
		case "ad_active_time":
			j.kstr("ad_active_time", strconv.FormatInt(int64(activeSeconds(tl, a.created, r.now)), 10))
		case "conversion_domain":
			j.kstr("conversion_domain", "shop.example.com")
		case "source_ad_id":
			j.kstr("source_ad_id", "0")
		default:
			if t, ok := sdkClasses["Ad"].field(f.name); ok {
				g.genField(j, f, t)
			}
		}
	}
	j.endObj()
}

// bidAmount is an ad set's bid cap in cents, for capped bid strategies.
func bidAmount(acct, adset int, w *world) int64 {
	return 100 + int64(h(uint64(w.seed), saltGroup, uint64(acct), uint64(adset))%2900)
}

// postID is the page post behind an ad's creative.
func (w *world) postID(a *ad) string { return strconv.FormatUint(a.key%1_000_000_000_000, 10) }

func renderTrackingSpecs(j *jw, pixel, page, post string) {
	j.arr()
	j.obj()
	j.key("action.type")
	strList(j, "offsite_conversion")
	j.key("fb_pixel")
	strList(j, pixel)
	j.endObj()
	j.obj()
	j.key("action.type")
	strList(j, "post_engagement")
	j.key("page")
	strList(j, page)
	j.key("post")
	strList(j, post)
	j.endObj()
	j.endArr()
}

func renderConversionSpecs(j *jw, pixel string) {
	j.arr()
	j.obj()
	j.key("action.type")
	strList(j, "offsite_conversion")
	j.key("conversion_id")
	strList(j, pixel)
	j.endObj()
	j.endArr()
}

// renderLabel writes the one ad label an object carries: its theme.
func renderLabel(j *jw, w *world, acct, theme int) {
	j.arr()
	j.obj()
	j.kstr("id", genID(h(uint64(w.seed), saltGroup, uint64(acct), uint64(theme)<<8|0xab)))
	j.kstr("name", nameThemes[theme])
	j.endObj()
	j.endArr()
}

// renderIssues writes issues_info: one soft error for objects WITH_ISSUES,
// none otherwise.
func renderIssues(j *jw, status, level string) {
	j.arr()
	if status == "WITH_ISSUES" {
		j.obj()
		j.kstr("level", level)
		j.kint("error_code", 1815869)
		j.kstr("error_summary", "Ad account has no payment method")
		j.kstr("error_message", "Your ads are not delivering because the payment method failed.")
		j.kstr("error_type", "SOFT_ERROR")
		j.endObj()
	}
	j.endArr()
}

func strList(j *jw, vals ...string) {
	j.arr()
	for _, v := range vals {
		j.str(v)
	}
	j.endArr()
}
