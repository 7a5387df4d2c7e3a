package graphsim

import (
	"strconv"
	"strings"
)

// actionDim is an action breakdown: it splits each entry of an
// actions-style list into one entry per value, which carry the breakdown's
// key beside action_type.
type actionDim struct {
	name   string
	values func(c *insightRow, typ string) ([]string, []float64)
}

func fixed(values []string, share []float64) func(*insightRow, string) ([]string, []float64) {
	return func(*insightRow, string) ([]string, []float64) { return values, share }
}

// onFacebook reports whether an action happens on Meta's surfaces rather
// than on the shop's site.
func onFacebook(typ string) bool {
	switch typ {
	case "post_engagement", "page_engagement", "post_reaction", "comment", "post", "video_view", "ad_click", "ad_impression":
		return true
	}
	return false
}

// destination is where an action leads: the brand's page for actions on
// Facebook, the shop's pixel for the rest.
func (c *insightRow) destination(typ string) string {
	if onFacebook(typ) {
		return c.s.w.brandPageID(c.q.account)
	}
	return c.s.w.pixelID(c.q.account)
}

var actionDims = map[string]*actionDim{
	"action_device": {name: "action_device", values: fixed(
		[]string{"iphone", "android_smartphone", "desktop", "ipad", "android_tablet", "other"},
		[]float64{0.46, 0.33, 0.13, 0.04, 0.02, 0.02})},
	"action_destination": {name: "action_destination", values: func(c *insightRow, typ string) ([]string, []float64) {
		if onFacebook(typ) {
			return []string{c.s.w.brands[c.s.w.accounts[c.q.account].brand].name}, []float64{1}
		}
		return []string{"shop.example.com"}, []float64{1}
	}},
	"action_target_id": {name: "action_target_id", values: func(c *insightRow, typ string) ([]string, []float64) {
		return []string{c.destination(typ)}, []float64{1}
	}},
	"conversion_destination": {name: "conversion_destination", values: func(c *insightRow, typ string) ([]string, []float64) {
		if onFacebook(typ) {
			return []string{"facebook"}, []float64{1}
		}
		return []string{"website"}, []float64{1}
	}},
	"action_video_sound": {name: "action_video_sound", values: func(c *insightRow, typ string) ([]string, []float64) {
		if typ == "video_view" {
			return []string{"sound_off", "sound_on"}, []float64{0.7, 0.3}
		}
		return []string{"unknown"}, []float64{1}
	}},
	"action_video_type": {name: "action_video_type", values: fixed([]string{"total"}, []float64{1})},
	"action_reaction": {name: "action_reaction", values: func(c *insightRow, typ string) ([]string, []float64) {
		if typ == "post_reaction" {
			return []string{"like", "love", "haha", "wow", "care"}, []float64{0.7, 0.18, 0.05, 0.04, 0.03}
		}
		return []string{"unknown"}, []float64{1}
	}},
	"action_carousel_card_id":   {name: "action_carousel_card_id", values: carouselCards(true)},
	"action_carousel_card_name": {name: "action_carousel_card_name", values: carouselCards(false)},
}

// carouselCards splits a carousel ad's actions over its cards, the first
// cards taking most; other ads have one card named after the ad.
func carouselCards(ids bool) func(*insightRow, string) ([]string, []float64) {
	return func(c *insightRow, typ string) ([]string, []float64) {
		if c.a == nil || c.q.level != "ad" || c.a.kind != creativeCarousel {
			return []string{"-"}, []float64{1}
		}
		var vals []string
		var share []float64
		for k := 0; k < c.a.children; k++ {
			n := strconv.Itoa(k + 1)
			if ids {
				vals = append(vals, strconv.FormatUint(c.a.key%1_000_000_000*10+uint64(k+1), 10))
			} else {
				vals = append(vals, "Card "+n)
			}
			share = append(share, 1/float64(k+1))
		}
		return vals, share
	}
}

// parseActionDims reads action_breakdowns: the SDK's names, of which
// graphsim splits the ones above; action_type is always the first key.
func parseActionDims(s string) ([]*actionDim, []string, *graphError) {
	list, err := parseList(s)
	if err != nil {
		return nil, nil, errParam("param action_breakdowns must be a list of strings")
	}
	var dims []*actionDim
	var names []string
	for i, name := range list {
		if name == "" || name == "action_type" {
			continue
		}
		if !contains(sdkActionBreakdowns, name) {
			return nil, nil, errParam("action_breakdowns[%d] must be one of the following values: %s", i, strings.Join(sdkActionBreakdowns, ", "))
		}
		d := actionDims[name]
		if d == nil {
			return nil, nil, errParam("graphsim does not simulate action breakdown %s; it splits actions by action_type and %s", name, strings.Join(sortedKeys(actionDims), ", "))
		}
		dims, names = append(dims, d), append(names, name)
	}
	return dims, names, nil
}

// parseWindows reads action_attribution_windows.
func parseWindows(s string) ([]string, *graphError) {
	list, err := parseList(s)
	if err != nil {
		return nil, errParam("param action_attribution_windows must be a list of strings")
	}
	var out []string
	for i, w := range list {
		if w == "" {
			continue
		}
		if !contains(sdkAttributionWindows, w) {
			return nil, errParam("action_attribution_windows[%d] must be one of the following values: %s", i, strings.Join(sdkAttributionWindows, ", "))
		}
		if _, ok := (&metrics{}).window(w, false); !ok {
			return nil, errParam("graphsim does not simulate attribution window %s; it answers 1d_click, 7d_click, 28d_click, 1d_view, 7d_view, 28d_view, 1d_ev, dda and default", w)
		}
		out = append(out, w)
	}
	return out, nil
}
