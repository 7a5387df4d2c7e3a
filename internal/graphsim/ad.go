package graphsim

import (
	"math"
	"time"
)

// creativeKind is the creative family the world assigns to an ad.
type creativeKind int

const (
	creativeVideo creativeKind = iota
	creativeImage
	creativeCarousel
	creativeUnknown
)

var creativeKindNames = [...]string{"video", "image", "carousel", "unknown"}

func (k creativeKind) String() string { return creativeKindNames[k] }

// ad is one ad derived on demand from (seed, account, index); it is cheap to
// build and never stored.
type ad struct {
	acct, index int
	key         uint64
	kind        creativeKind
	created     time.Time
	initStatus  string    // effective status at the clock start (or at creation for new ads)
	preStop     time.Time // initial non-active ads stopped delivering here
	isNew       bool      // created after the clock start

	// Daily delivery parameters.
	impr, cpmCents, ctr, linkRate, engRate, cvr, aovCents, freq float64
	playRate, view3s, r25, r50, r75, r100                       float64
	videoLen                                                    float64
	children                                                    int
}

// initialStatus is the mix of effective statuses at the clock start; all
// twelve effective statuses occur.
var initialStatus = []struct {
	status string
	weight float64
}{
	{"ACTIVE", 0.45}, {"PAUSED", 0.25}, {"ARCHIVED", 0.08}, {"CAMPAIGN_PAUSED", 0.06},
	{"ADSET_PAUSED", 0.05}, {"DELETED", 0.03}, {"DISAPPROVED", 0.02}, {"WITH_ISSUES", 0.02},
	{"PENDING_REVIEW", 0.01}, {"IN_PROCESS", 0.01}, {"PENDING_BILLING_INFO", 0.01}, {"PREAPPROVED", 0.01},
}

func pickStatus(x uint64) string {
	u := unit(x)
	for _, s := range initialStatus {
		if u < s.weight {
			return s.status
		}
		u -= s.weight
	}
	return "ACTIVE"
}

// adAt derives ad index of account acct. The caller checks index < adCount.
func (w *world) adAt(acct, index int) ad {
	k := h(uint64(w.seed), saltAd, uint64(acct), uint64(index))
	r := func(i uint64) uint64 { return mix(k ^ (i * 0x9e3779b97f4a7c15)) }
	a := ad{acct: acct, index: index, key: k}
	switch u := unit(r(1)); {
	case u < 0.40:
		a.kind = creativeVideo
	case u < 0.75:
		a.kind = creativeImage
	case u < 0.90:
		a.kind = creativeCarousel
	default:
		a.kind = creativeUnknown
	}
	if index < w.ads {
		back := time.Hour + time.Duration(r(2)%uint64(150*24*3600))*time.Second
		a.created = w.start.Add(-back).Truncate(time.Minute)
		a.initStatus = pickStatus(r(3))
		if a.initStatus != "ACTIVE" {
			a.preStop = a.created.Add(time.Duration(between(r(4), 2, 60)*24) * time.Hour)
			if a.preStop.After(w.start) {
				a.preStop = w.start
			}
		}
	} else {
		a.isNew = true
		a.created = w.start.Add(time.Duration(index-w.ads+1) * w.adsEvery)
		a.initStatus = "ACTIVE"
		if unit(r(3)) < 0.15 {
			a.initStatus = "PENDING_REVIEW"
		}
	}
	a.impr = logBetween(r(5), 300, 30000)
	a.cpmCents = between(r(6), 400, 2500)
	a.ctr = between(r(7), 0.008, 0.03)
	a.linkRate = between(r(8), 0.7, 0.95)
	a.engRate = between(r(9), 0.002, 0.01)
	a.cvr = between(r(10), 0.005, 0.05)
	a.aovCents = between(r(11), 2000, 12000)
	a.freq = between(r(12), 1.05, 1.6)
	if a.kind == creativeVideo {
		a.playRate = between(r(13), 0.3, 0.6)
		a.view3s = between(r(14), 0.5, 0.75)
		a.r25 = between(r(15), 0.6, 0.85)
		a.r50 = between(r(16), 0.55, 0.8)
		a.r75 = between(r(17), 0.6, 0.85)
		a.r100 = between(r(18), 0.5, 0.8)
		a.videoLen = math.Round(between(r(19), 6, 60)*100) / 100
	}
	if a.kind == creativeCarousel {
		a.children = 2 + int(r(20)%4)
	}
	return a
}
