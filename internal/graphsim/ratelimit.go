package graphsim

import (
	"encoding/json"
	"math"
	"time"
)

// usageType is the business-use-case bucket a call counts against.
type usageType int

const (
	useManagement usageType = iota
	useInsights
)

var usageTypeNames = [...]string{"ads_management", "ads_insights"}

// bucket is a leaky bucket of call cost: it drains a full CallBudget per
// UsageWindow. Once a call leaves it above 100 %, the account is blocked until
// the bucket drains back to 80 %, and that wait (whole minutes) is what
// estimated_time_to_regain_access advertises.
type bucket struct {
	level        float64
	at           time.Time
	blockedUntil time.Time
}

type usageKey struct {
	acct int
	typ  usageType
}

// rateNow is the rate limiter's time: clock advances plus the wall time since
// the server (re)started, so usage drains both when tests advance the clock
// and when a long-running server simply waits. ClockRate does not speed it up.
func (s *Server) rateNow() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.Now.Add(s.advanced + time.Since(s.started))
}

func (s *Server) drain(b *bucket, now time.Time) {
	if now.After(b.at) {
		b.level = math.Max(0, b.level-s.opts.CallBudget*float64(now.Sub(b.at))/float64(s.opts.UsageWindow))
		b.at = now
	}
}

// throttled reports whether the account's bucket is blocked; s.mu is held.
func (s *Server) throttled(k usageKey, now time.Time) bool {
	b := s.usage[k]
	if b == nil {
		return false
	}
	s.drain(b, now)
	return now.Before(b.blockedUntil)
}

// charge adds a call's cost; s.mu is held.
func (s *Server) charge(k usageKey, cost float64, now time.Time) {
	b := s.usage[k]
	if b == nil {
		b = &bucket{at: now}
		s.usage[k] = b
	}
	s.drain(b, now)
	b.level += cost
	s.drain(&s.app, now)
	s.app.level += cost / float64(max(1, len(s.w.accounts)))
	if b.level > s.opts.CallBudget && !now.Before(b.blockedUntil) {
		wait := time.Duration((b.level - 0.8*s.opts.CallBudget) / s.opts.CallBudget * float64(s.opts.UsageWindow))
		b.blockedUntil = now.Add(ceilMinute(wait))
	}
}

func ceilMinute(d time.Duration) time.Duration {
	m := (d + time.Minute - 1) / time.Minute
	return max(m, 1) * time.Minute
}

// usagePct is the bucket level in percent of the budget; s.mu is held.
func (s *Server) usagePct(k usageKey, now time.Time) (pct int, regainMin int) {
	b := s.usage[k]
	if b == nil {
		return 0, 0
	}
	s.drain(b, now)
	if now.Before(b.blockedUntil) {
		regainMin = int(ceilMinute(b.blockedUntil.Sub(now)) / time.Minute)
	}
	return int(math.Ceil(b.level / s.opts.CallBudget * 100)), regainMin
}

// usageHeaders are the three throttling headers of the Marketing API for an
// account; s.mu is held.
func (s *Server) usageHeaders(acct int, now time.Time) map[string]string {
	type buc struct {
		Type         string `json:"type"`
		CallCount    int    `json:"call_count"`
		TotalCPUTime int    `json:"total_cputime"`
		TotalTime    int    `json:"total_time"`
		Regain       int    `json:"estimated_time_to_regain_access"`
		Tier         string `json:"ads_api_access_tier"`
	}
	var list []buc
	pcts := [2]int{}
	for t := useManagement; t <= useInsights; t++ {
		pct, regain := s.usagePct(usageKey{acct, t}, now)
		pcts[t] = pct
		list = append(list, buc{usageTypeNames[t], pct, pct * 6 / 10, pct * 8 / 10, regain, "standard_access"})
	}
	s.drain(&s.app, now)
	appPct := int(math.Ceil(s.app.level / s.opts.CallBudget * 100))
	reset := 0
	if b := s.usage[usageKey{acct, useManagement}]; b != nil {
		reset = int(math.Ceil(b.level / s.opts.CallBudget * s.opts.UsageWindow.Seconds()))
	}
	bucJSON, _ := json.Marshal(map[string][]buc{s.w.accounts[acct].num: list})
	acctJSON, _ := json.Marshal(map[string]any{"acc_id_util_pct": pcts[useManagement], "reset_time_duration": reset, "ads_api_access_tier": "standard_access"})
	insJSON, _ := json.Marshal(map[string]any{"app_id_util_pct": appPct, "acc_id_util_pct": pcts[useInsights], "ads_api_access_tier": "standard_access"})
	appJSON, _ := json.Marshal(map[string]int{"call_count": appPct, "total_cputime": appPct * 6 / 10, "total_time": appPct * 8 / 10})
	return map[string]string{
		"X-Business-Use-Case-Usage":  string(bucJSON),
		"X-Ad-Account-Usage":         string(acctJSON),
		"X-Fb-Ads-Insights-Throttle": string(insJSON),
		"X-App-Usage":                string(appJSON),
	}
}
