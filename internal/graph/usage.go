package graph

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Usage is the rate-limit state the API reported in its usage headers
// (X-Business-Use-Case-Usage, X-Ad-Account-Usage, X-FB-Ads-Insights-Throttle).
type Usage struct {
	// MaxPct is the highest utilisation in any header, in percent; the API
	// throttles past 100.
	MaxPct float64
	// RegainAfter is the longest estimated_time_to_regain_access: how long
	// a throttled caller must stay away.
	RegainAfter time.Duration
	// ResetAfter is X-Ad-Account-Usage's reset_time_duration: when the ad
	// account's usage resets.
	ResetAfter time.Duration
}

// wait is how long a throttled call should stay away, or zero when the
// headers did not say.
func (u Usage) wait() time.Duration {
	if u.RegainAfter > 0 {
		return u.RegainAfter
	}
	return u.ResetAfter
}

// parseUsage reads the usage headers; ok is false when none was present or
// readable. A malformed header is skipped rather than failing the call.
func parseUsage(h http.Header) (u Usage, ok bool) {
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var buc map[string][]struct {
			CallCount  float64 `json:"call_count"`
			CPUTime    float64 `json:"total_cputime"`
			TotalTime  float64 `json:"total_time"`
			RegainMins float64 `json:"estimated_time_to_regain_access"`
		}
		if json.Unmarshal([]byte(v), &buc) == nil {
			ok = true
			for _, entries := range buc {
				for _, e := range entries {
					u.MaxPct = max(u.MaxPct, e.CallCount, e.CPUTime, e.TotalTime)
					u.RegainAfter = max(u.RegainAfter, time.Duration(e.RegainMins*float64(time.Minute)))
				}
			}
		}
	}
	if v := h.Get("X-Ad-Account-Usage"); v != "" {
		var acc struct {
			Pct       float64 `json:"acc_id_util_pct"`
			ResetSecs float64 `json:"reset_time_duration"`
		}
		if json.Unmarshal([]byte(v), &acc) == nil {
			ok = true
			u.MaxPct = max(u.MaxPct, acc.Pct)
			u.ResetAfter = time.Duration(acc.ResetSecs * float64(time.Second))
		}
	}
	if v := h.Get("X-FB-Ads-Insights-Throttle"); v != "" {
		var ins struct {
			App float64 `json:"app_id_util_pct"`
			Acc float64 `json:"acc_id_util_pct"`
		}
		if json.Unmarshal([]byte(v), &ins) == nil {
			ok = true
			u.MaxPct = max(u.MaxPct, ins.App, ins.Acc)
		}
	}
	return u, ok
}

// usageBook keeps the last Usage seen per ad account ("" for calls that
// name none). It is safe for concurrent use.
type usageBook struct {
	mu sync.Mutex
	m  map[string]usageSeen
}

type usageSeen struct {
	u  Usage
	at time.Time
}

func (b *usageBook) set(account string, u Usage, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = make(map[string]usageSeen)
	}
	b.m[account] = usageSeen{u, at}
}

func (b *usageBook) get(account string) (Usage, time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.m[account]
	return s.u, s.at, ok
}
