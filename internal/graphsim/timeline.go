package graphsim

import (
	"math"
	"time"
)

// slot is the granularity of status changes: the world moves in 6-hour steps
// so that a clock advance of a few hours already changes something.
const slot = 6 * time.Hour

// meanGapSlots is the mean time between status changes of one ad (20 days),
// so about 1 % of ads change per 6 hours.
const meanGapSlots = 80

// span says an ad had status from this time on.
type span struct {
	from   time.Time
	status string
}

var transitionsFromActive = []struct {
	status string
	weight float64
}{
	{"PAUSED", 0.5}, {"CAMPAIGN_PAUSED", 0.1}, {"ADSET_PAUSED", 0.1}, {"ARCHIVED", 0.1},
	{"WITH_ISSUES", 0.05}, {"DISAPPROVED", 0.05}, {"DELETED", 0.05}, {"PENDING_BILLING_INFO", 0.05},
}

func nextStatus(cur string, x uint64) string {
	u := unit(x)
	if cur != "ACTIVE" {
		switch {
		case u < 0.7:
			return "ACTIVE"
		case u < 0.8:
			return "PAUSED"
		case u < 0.95:
			return "ARCHIVED"
		default:
			return "DELETED"
		}
	}
	for _, t := range transitionsFromActive {
		if u < t.weight {
			return t.status
		}
		u -= t.weight
	}
	return "PAUSED"
}

// timeline lists the ad's status spans up to now, oldest first. Changes after
// the clock start fall on 6-hour slots with geometric gaps, so computing them
// costs one hash per change rather than one per slot.
func (w *world) timeline(a *ad, now time.Time, buf []span) []span {
	tl := buf[:0]
	if now.Before(a.created) {
		return tl
	}
	if a.isNew {
		tl = append(tl, span{a.created, a.initStatus})
	} else if a.initStatus == "ACTIVE" {
		tl = append(tl, span{a.created, "ACTIVE"})
	} else {
		tl = append(tl, span{a.created, "ACTIVE"}, span{a.preStop, a.initStatus})
	}
	base := w.start
	if a.isNew {
		base = w.start.Add(a.created.Sub(w.start).Truncate(slot) + slot)
	}
	cur := tl[len(tl)-1].status
	at := 0
	for k := uint64(0); cur != "DELETED"; k++ {
		x := h(a.key, saltEvent, k, 0)
		at += 1 + int(-math.Log(1-unit(x))*meanGapSlots)
		t := base.Add(time.Duration(at) * slot)
		if t.After(now) {
			break
		}
		cur = nextStatus(cur, mix(x))
		tl = append(tl, span{t, cur})
	}
	return tl
}

// statusAt is the effective status at the end of the timeline.
func statusOf(tl []span) string {
	if len(tl) == 0 {
		return "IN_PROCESS"
	}
	return tl[len(tl)-1].status
}

// updatedAt is when the ad last changed.
func updatedOf(tl []span, a *ad) time.Time {
	if len(tl) == 0 {
		return a.created
	}
	return tl[len(tl)-1].from
}

// activeSeconds is how long the ad delivered (status ACTIVE) in
// [from, to), where to is already clipped to now by the caller.
func activeSeconds(tl []span, from, to time.Time) float64 {
	var total time.Duration
	for i, s := range tl {
		if s.status != "ACTIVE" {
			continue
		}
		end := to
		if i+1 < len(tl) && tl[i+1].from.Before(end) {
			end = tl[i+1].from
		}
		start := s.from
		if start.Before(from) {
			start = from
		}
		if end.After(start) {
			total += end.Sub(start)
		}
	}
	return total.Seconds()
}

// configuredStatus is what the ad's own switch says; parent pauses and review
// states leave it ACTIVE, as in the Marketing API.
func configuredStatus(effective string) string {
	switch effective {
	case "PAUSED", "DELETED", "ARCHIVED":
		return effective
	}
	return "ACTIVE"
}
