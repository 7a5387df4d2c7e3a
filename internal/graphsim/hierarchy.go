package graphsim

import (
	"time"
)

// group is a campaign or an ad set. The world stores no groups: a group is a
// run of consecutive ads (adsPerAdset or adsPerCampaign of them), and its
// status and times follow from those ads at the clock, so every edge that
// shows a group agrees with the ads under it.
type group struct {
	kind        objKind // kindCampaign or kindAdset
	acct, index int
	key         uint64
	first, last int // the group's ads, inclusive
	status      string
	created     time.Time
	updated     time.Time
}

func groupSizeOf(kind objKind) int {
	if kind == kindCampaign {
		return adsPerCampaign
	}
	return adsPerAdset
}

// groupCount is how many groups of kind an account has at now.
func (w *world) groupCount(kind objKind, now time.Time) int {
	size := groupSizeOf(kind)
	return (w.adCount(now) + size - 1) / size
}

// groupAt derives group index of kind at now; ok is false when it has no ad yet.
func (w *world) groupAt(acct, index int, kind objKind, now time.Time) (group, bool) {
	size := groupSizeOf(kind)
	n := w.adCount(now)
	g := group{kind: kind, acct: acct, index: index, first: index * size, last: min((index+1)*size, n) - 1,
		key: h(uint64(w.seed), saltGroup, uint64(acct), uint64(index)<<3|uint64(kind))}
	if index < 0 || g.first >= n {
		return g, false
	}
	var buf [8]span
	statuses := make(map[string]int, 4)
	for i := g.first; i <= g.last; i++ {
		a := w.adAt(acct, i)
		tl := w.timeline(&a, now, buf[:0])
		statuses[statusOf(tl)]++
		if g.created.IsZero() || a.created.Before(g.created) {
			g.created = a.created
		}
		if u := updatedOf(tl, &a); u.After(g.updated) {
			g.updated = u
		}
	}
	g.created = g.created.Add(-time.Hour)
	g.status = groupStatus(kind, statuses, g.last-g.first+1)
	return g, true
}

// groupStatus is the group's effective status from its ads' statuses: active
// while any ad delivers, deleted or archived once all are, paused otherwise.
func groupStatus(kind objKind, statuses map[string]int, n int) string {
	switch {
	case statuses["ACTIVE"] > 0:
		return "ACTIVE"
	case statuses["DELETED"] == n:
		return "DELETED"
	case statuses["DELETED"]+statuses["ARCHIVED"] == n:
		return "ARCHIVED"
	case kind == kindAdset && statuses["CAMPAIGN_PAUSED"] > 0:
		return "CAMPAIGN_PAUSED"
	case statuses["IN_PROCESS"]+statuses["PENDING_REVIEW"] == n:
		return "IN_PROCESS"
	}
	return "PAUSED"
}

func (g *group) id(w *world) string { return w.objectID(g.acct, g.index, g.kind) }

func (g *group) name() string {
	if g.kind == kindCampaign {
		return campaignName(g.acct, g.index)
	}
	return adsetName(g.acct, g.index)
}

// campaignIndex is the campaign an ad set belongs to.
func (g *group) campaignIndex() int {
	if g.kind == kindCampaign {
		return g.index
	}
	return g.index * adsPerAdset / adsPerCampaign
}

// campaignTraits are a campaign's settings, drawn once from its key; its ad
// sets and ads read them, so an insights row's objective is its campaign's.
type campaignTraits struct {
	objective   string
	goal        string // the ad sets' optimization_goal
	bidStrategy string
	cbo         bool  // budget set on the campaign, not on its ad sets
	budgetCents int64 // daily budget of the campaign (cbo) or of each ad set
}

var objectives = []struct {
	objective, goal string
	weight          float64
}{
	{"OUTCOME_SALES", "OFFSITE_CONVERSIONS", 0.6}, {"OUTCOME_TRAFFIC", "LINK_CLICKS", 0.15},
	{"OUTCOME_AWARENESS", "REACH", 0.1}, {"OUTCOME_ENGAGEMENT", "POST_ENGAGEMENT", 0.1},
	{"OUTCOME_LEADS", "LEAD_GENERATION", 0.05},
}

func (w *world) campaignTraits(acct, campaign int) campaignTraits {
	k := h(uint64(w.seed), saltGroup, uint64(acct), uint64(campaign)<<3|uint64(kindCampaign))
	t := campaignTraits{objective: "OUTCOME_SALES", goal: "OFFSITE_CONVERSIONS"}
	u := unit(mix(k ^ 1))
	for _, o := range objectives {
		if u < o.weight {
			t.objective, t.goal = o.objective, o.goal
			break
		}
		u -= o.weight
	}
	// Every account mixes capped and uncapped bidding: the second
	// campaign of every three bids with a cost cap.
	switch u := unit(mix(k ^ 2)); {
	case campaign%3 == 1 || (u >= 0.8 && u < 0.9):
		t.bidStrategy = "COST_CAP"
	case u >= 0.9:
		t.bidStrategy = "LOWEST_COST_WITH_BID_CAP"
	default:
		t.bidStrategy = "LOWEST_COST_WITHOUT_CAP"
	}
	// Half the campaigns (alternately) budget at the campaign level.
	t.cbo = campaign%2 == 0
	t.budgetCents = int64(between(mix(k^4), 20, 500)) * 100
	if t.cbo {
		t.budgetCents *= adsPerCampaign / adsPerAdset
	}
	return t
}

// pixelID is the account's Meta pixel, the conversion source every ad tracks.
func (w *world) pixelID(acct int) string {
	return genID(h(uint64(w.seed), saltPixel, uint64(acct), 0))
}
