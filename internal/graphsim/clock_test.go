package graphsim

import (
	"bytes"
	"net/url"
	"testing"
	"time"
)

var allStatuses = `["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED","ADSET_PAUSED","DISAPPROVED","WITH_ISSUES","PENDING_REVIEW","IN_PROCESS","PENDING_BILLING_INFO","PREAPPROVED"]`

// TestClockMakesChanges advances the clock and checks a refresh has real
// changes to find: new ads, status changes with a newer updated_time, a
// growing current day, restated recent days and frozen older days.
func TestClockMakesChanges(t *testing.T) {
	h := newHarness(t, Options{Seed: 31, Ads: 400, CallBudget: 1e9})
	adsQ := url.Values{"limit": {"500"}, "effective_status": {allStatuses}, "fields": {"id,effective_status,updated_time"}}
	daily := url.Values{"level": {"ad"}, "time_increment": {"1"}, "limit": {"500"}, "fields": {"ad_id,spend,impressions"},
		"time_range": {`{"since":"2026-11-20","until":"2026-11-30"}`}}
	h.advance(7 * time.Hour)
	before, _ := h.pageAll("/v21.0/"+h.acct+"/ads", adsQ)
	dBefore, _ := h.pageAll("/v21.0/"+h.acct+"/insights", daily)
	h.advance(30 * time.Hour) // now 2026-11-29T13:00
	after, _ := h.pageAll("/v21.0/"+h.acct+"/ads", adsQ)
	dAfter, _ := h.pageAll("/v21.0/"+h.acct+"/insights", daily)

	if len(after) <= len(before) {
		t.Fatalf("%d ads before, %d after: no new ads", len(before), len(after))
	}
	old := map[string]map[string]any{}
	for _, r := range before {
		old[r["id"].(string)] = r
	}
	changed := 0
	for _, r := range after {
		o, ok := old[r["id"].(string)]
		if !ok || o["effective_status"] == r["effective_status"] {
			continue
		}
		changed++
		if r["updated_time"].(string) <= o["updated_time"].(string) {
			t.Fatalf("status changed but updated_time did not move: %v → %v", o, r)
		}
	}
	if changed == 0 {
		t.Fatal("no ad changed status in 30 hours")
	}
	filtered, _ := h.pageAll("/v21.0/"+h.acct+"/ads", url.Values{"limit": {"500"}, "effective_status": {allStatuses},
		"filtering": {`[{"field":"ad.updated_time","operator":"GREATER_THAN","value":` + itoa(int(time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC).Unix())) + `}]`}})
	if len(filtered) < changed || len(filtered) >= len(after) {
		t.Fatalf("updated_time filter returned %d ads; %d changed, %d in all", len(filtered), changed, len(after))
	}

	byDay := func(rows []map[string]any) map[string]int64 {
		out := map[string]int64{}
		for _, r := range rows {
			out[r["date_start"].(string)] += num(t, r["impressions"])
		}
		return out
	}
	b, a := byDay(dBefore), byDay(dAfter)
	tests := []struct {
		day  string
		want string
	}{
		{"2026-11-20", "same"},     // older than the restatement window
		{"2026-11-24", "same"},     // frozen: it left the window before the first read
		{"2026-11-26", "restated"}, // inside the window at both reads
		{"2026-11-28", "grown"},    // was today, now complete
		{"2026-11-29", "new"},      // today now, partial
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			switch tt.want {
			case "same":
				if a[tt.day] != b[tt.day] {
					t.Fatalf("impressions moved %d → %d", b[tt.day], a[tt.day])
				}
			case "restated":
				if a[tt.day] == b[tt.day] {
					t.Fatalf("not restated: %d", a[tt.day])
				}
			case "grown":
				if a[tt.day] <= b[tt.day] {
					t.Fatalf("did not grow: %d → %d", b[tt.day], a[tt.day])
				}
			case "new":
				if b[tt.day] != 0 || a[tt.day] == 0 {
					t.Fatalf("today: %d → %d", b[tt.day], a[tt.day])
				}
			}
		})
	}
}

// TestDeterminism checks two servers with one seed answer byte for byte alike,
// and another seed differs.
func TestDeterminism(t *testing.T) {
	paths := []struct {
		path string
		q    url.Values
	}{
		{"/ads", url.Values{"fields": {"id,name,effective_status,updated_time,created_time,creative{id,object_type,video_id,image_url}"}, "limit": {"50"}}},
		{"/insights", url.Values{"level": {"ad"}, "fields": {insightFieldsAll}, "limit": {"50"}, "time_increment": {"1"}}},
	}
	body := func(seed int64) [][]byte {
		h := newHarness(t, Options{Seed: seed, Ads: 100})
		h.advance(20 * time.Hour)
		var out [][]byte
		for _, p := range paths {
			_, _, b := h.get("/v21.0/"+h.acct+p.path, p.q)
			out = append(out, bytes.ReplaceAll(b, []byte(h.srv.URL), nil))
		}
		return out
	}
	a, b, c := body(42), body(42), body(43)
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("%s differs between runs with one seed", paths[i].path)
		}
		if bytes.Equal(a[i], c[i]) {
			t.Fatalf("%s equal for seeds 42 and 43", paths[i].path)
		}
	}
}
