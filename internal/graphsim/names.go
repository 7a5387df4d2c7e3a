package graphsim

import (
	"strconv"
	"time"
)

var (
	nameThemes  = []string{"Black Friday", "Cyber Week", "Holiday", "Evergreen", "New Arrivals", "Bestsellers", "Retargeting", "Prospecting", "UGC", "Founder Story", "Bundle", "Free Shipping"}
	nameFormats = []string{"Hook A", "Hook B", "Testimonial", "Demo", "Unboxing", "Static", "Lifestyle", "Before/After", "Offer", "Review"}
	ctaTypes    = []string{"SHOP_NOW", "LEARN_MORE", "ORDER_NOW", "GET_OFFER", "SIGN_UP"}
)

func (a *ad) adName() string {
	return nameThemes[a.key%uint64(len(nameThemes))] + " · " + creativeKindTitle[a.kind] + " · " +
		nameFormats[(a.key>>8)%uint64(len(nameFormats))] + " #" + strconv.Itoa(a.index+1)
}

var creativeKindTitle = [...]string{"Video", "Image", "Carousel", "Dynamic"}

// Ads come in ad sets of five and campaigns of fifty, the way accounts are
// usually structured.
const (
	adsPerAdset    = 5
	adsPerCampaign = 50
)

func adsetName(acct, set int) string {
	return "Ad set " + strconv.Itoa(set+1) + " · " + nameThemes[(acct+set)%len(nameThemes)]
}

func campaignName(acct, c int) string {
	return "Campaign " + strconv.Itoa(c+1) + " · " + nameThemes[(acct*7+c)%len(nameThemes)]
}

// graphTime formats times the way the Graph API does: 2026-11-28T10:00:00+0000.
func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }
