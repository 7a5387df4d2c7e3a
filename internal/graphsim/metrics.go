package graphsim

import (
	"math"
	"time"
)

// metrics is one ad's delivery over a day or a range. Money is in cents: the
// world only ever produces whole cents, so sums are exact.
type metrics struct {
	Impressions, Clicks, LinkClicks, Reach, Engagement int64
	SpendCents, Purchases, RevenueCents                int64
	VideoPlays, Video3s, Thruplay                      int64
	P25, P50, P75, P100                                int64
	// X holds the further additive counts of metrics_ext.go, derived from
	// the ones above day by day so that they sum like them.
	X [nExt]int64
}

func (m *metrics) add(o metrics) {
	m.Impressions += o.Impressions
	m.Clicks += o.Clicks
	m.LinkClicks += o.LinkClicks
	m.Reach += o.Reach
	m.Engagement += o.Engagement
	m.SpendCents += o.SpendCents
	m.Purchases += o.Purchases
	m.RevenueCents += o.RevenueCents
	m.VideoPlays += o.VideoPlays
	m.Video3s += o.Video3s
	m.Thruplay += o.Thruplay
	m.P25 += o.P25
	m.P50 += o.P50
	m.P75 += o.P75
	m.P100 += o.P100
	for i := range m.X {
		m.X[i] += o.X[i]
	}
}

// vals lists every additive value, for code that treats them alike
// (splitting a day over breakdown values).
func (m *metrics) vals() [nBase + nExt]*int64 {
	var out [nBase + nExt]*int64
	copy(out[:], []*int64{&m.Impressions, &m.Clicks, &m.LinkClicks, &m.Reach, &m.Engagement, &m.SpendCents,
		&m.Purchases, &m.RevenueCents, &m.VideoPlays, &m.Video3s, &m.Thruplay, &m.P25, &m.P50, &m.P75, &m.P100})
	for i := range m.X {
		out[nBase+i] = &m.X[i]
	}
	return out
}

// nBase is how many named values metrics has.
const nBase = 15

const day = 24 * time.Hour

func dayNum(t time.Time) int64   { return int64(math.Floor(float64(t.Unix()) / 86400)) }
func dayStart(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }
func slotNum(t time.Time) uint64 { return uint64(t.Unix() / int64(slot/time.Second)) }
func dateString(d int64) string  { return dayStart(d).Format(time.DateOnly) }
func parseDay(s string) (int64, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return dayNum(t), err == nil
}

// restateDays is how many complete days keep being restated after they end.
const restateDays = 3

// daily is the ad's delivery on day d as seen at now. The current day grows
// with the share of the day elapsed while the ad was ACTIVE; the last
// restateDays complete days move by up to ±3 % every 6 simulated hours, then
// freeze at their last value.
func daily(a *ad, tl []span, d int64, now time.Time, ext bool) metrics {
	ds := dayStart(d)
	if !ds.Before(now) {
		return metrics{}
	}
	to := ds.Add(day)
	if now.Before(to) {
		to = now
	}
	act := activeSeconds(tl, ds, to)
	if act <= 0 {
		return metrics{}
	}
	x := h(a.key, saltDay, uint64(d), 0)
	r := func(i uint64) uint64 { return mix(x ^ (i * 0x9e3779b97f4a7c15)) }
	v := between(r(1), 0.6, 1.4)
	if today := dayNum(now); d < today {
		version := slotNum(now)
		if final := slotNum(dayStart(d+restateDays+1)) - 1; version > final {
			version = final
		}
		v *= between(h(a.key, saltRestate, uint64(d), version), 0.97, 1.03)
	}
	var m metrics
	m.Impressions = int64(a.impr * v * act / 86400)
	if m.Impressions == 0 {
		return metrics{}
	}
	imp := float64(m.Impressions)
	m.Clicks = int64(imp * a.ctr * between(r(2), 0.85, 1.15))
	m.LinkClicks = int64(float64(m.Clicks) * a.linkRate)
	m.Reach = max(1, int64(imp/(a.freq*between(r(3), 1, 1.05))))
	m.Engagement = m.Clicks + int64(imp*a.engRate)
	m.SpendCents = int64(math.Round(imp * a.cpmCents * between(r(4), 0.9, 1.1) / 1000))
	m.Purchases = int64(float64(m.Clicks)*a.cvr*between(r(5), 0.7, 1.3) + unit(r(6)))
	m.RevenueCents = m.Purchases * int64(a.aovCents*between(r(7), 0.9, 1.1))
	if a.kind == creativeVideo {
		m.VideoPlays = int64(imp * a.playRate)
		m.Video3s = int64(float64(m.VideoPlays) * a.view3s)
		m.P25 = int64(float64(m.Video3s) * a.r25)
		m.P50 = int64(float64(m.P25) * a.r50)
		m.P75 = int64(float64(m.P50) * a.r75)
		m.P100 = int64(float64(m.P75) * a.r100)
		m.Thruplay = m.P75 + (m.P50-m.P75)/2
	}
	if ext {
		m.extend(a, r)
	}
	return m
}

// rangeReach is the rule for reach over several days: people reached on the
// biggest day plus 30 % of the other days' reach, which stays between the
// largest daily reach and the impressions.
func rangeReach(sumDaily, maxDaily int64) int64 {
	return maxDaily + (sumDaily-maxDaily)*3/10
}

// adRange sums daily over [since, until] and applies the reach rule; ext
// asks for the extended counts too.
func adRange(a *ad, tl []span, since, until int64, now time.Time, ext bool) metrics {
	var m metrics
	var maxReach int64
	last := min(until, dayNum(now))
	for d := max(since, dayNum(a.created)); d <= last; d++ {
		dm := daily(a, tl, d, now, ext)
		maxReach = max(maxReach, dm.Reach)
		m.add(dm)
	}
	m.Reach = rangeReach(m.Reach, maxReach)
	return m
}
