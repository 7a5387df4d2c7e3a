package graphsim

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

const insightFieldsAll = "account_id,ad_id,ad_name,adset_id,campaign_id,date_start,date_stop,spend,impressions,clicks,reach,frequency,cpc,ctr,cpp,cpm,actions,action_values,purchase_roas,video_play_actions,video_thruplay_watched_actions,video_p25_watched_actions,video_p50_watched_actions,video_p75_watched_actions,video_p100_watched_actions"

func rowKey(r map[string]any) string {
	if id, ok := r["id"]; ok {
		return fmt.Sprint(id)
	}
	if at, ok := r["event_time"]; ok {
		return fmt.Sprint(r["object_id"], "@", at)
	}
	key := fmt.Sprint(r["ad_id"], "/", r["date_start"])
	for _, d := range sortedKeys(simulatedDims) {
		if v, ok := r[d]; ok {
			key += "/" + v.(string)
		}
	}
	return key
}

// TestPagingEveryEdge pages each list edge at several page sizes and checks
// the cursor contract: every page but the last is full and has next, the
// last has none, and the rows equal one big page with nothing lost or repeated.
func TestPagingEveryEdge(t *testing.T) {
	h := newHarness(t, Options{Seed: 7, Ads: 230, Accounts: 3, CallBudget: 1e9})
	rangeQ := `{"since":"2026-11-10","until":"2026-11-27"}`
	edges := []struct {
		name   string
		path   string
		params url.Values
	}{
		{"ads", "/v21.0/" + h.acct + "/ads", url.Values{"fields": {"id,name,effective_status,creative{id,object_type}"}}},
		{"ads all statuses", "/v22.0/" + h.acct + "/ads", url.Values{"effective_status": {`["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED","ADSET_PAUSED","DISAPPROVED","WITH_ISSUES","PENDING_REVIEW","IN_PROCESS","PENDING_BILLING_INFO","PREAPPROVED"]`}}},
		{"ads updated since", "/" + h.acct + "/ads", url.Values{"filtering": {`[{"field":"ad.updated_time","operator":"GREATER_THAN","value":1780000000}]`}}},
		{"adcreatives", "/v21.0/" + h.acct + "/adcreatives", url.Values{"fields": {"id,name,image_url,video_id"}}},
		{"insights level=ad", "/v21.0/" + h.acct + "/insights", url.Values{"level": {"ad"}, "time_range": {rangeQ}, "fields": {insightFieldsAll}}},
		{"insights daily", "/v21.0/" + h.acct + "/insights", url.Values{"level": {"ad"}, "time_range": {rangeQ}, "time_increment": {"1"}, "fields": {"ad_id,spend,impressions"}}},
		{"insights weekly", "/v21.0/" + h.acct + "/insights", url.Values{"level": {"ad"}, "time_range": {rangeQ}, "time_increment": {"7"}, "fields": {"ad_id,spend"}}},
		{"insights by spend", "/v21.0/" + h.acct + "/insights", url.Values{"level": {"ad"}, "time_range": {rangeQ}, "sort": {`["spend_descending"]`}, "fields": {"ad_id,spend"}}},
		{"insights daily by clicks", "/v21.0/" + h.acct + "/insights", url.Values{"level": {"ad"}, "time_range": {rangeQ}, "time_increment": {"1"}, "sort": {"clicks_ascending"}, "fields": {"ad_id,clicks"}}},
		{"me/adaccounts", "/v21.0/me/adaccounts", url.Values{"fields": {"id,name"}}},
		{"campaigns", "/v21.0/" + h.acct + "/campaigns", url.Values{"fields": {"id,name,effective_status"}}},
		{"adsets", "/v21.0/" + h.acct + "/adsets", url.Values{"fields": {"id,campaign_id"}, "effective_status": {`["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED","IN_PROCESS","WITH_ISSUES"]`}}},
		{"advideos", "/v21.0/" + h.acct + "/advideos", url.Values{"fields": {"id,length"}}},
		{"adimages", "/v21.0/" + h.acct + "/adimages", url.Values{"fields": {"id,hash"}}},
		{"customaudiences", "/v21.0/" + h.acct + "/customaudiences", url.Values{"fields": {"id,name"}}},
		{"activities", "/v21.0/" + h.acct + "/activities", url.Values{"fields": {"object_id,event_time,event_type"}, "since": {"2026-10-01"}}},
		{"me/business_users", "/v21.0/me/business_users", url.Values{"fields": {"id,name"}}},
		{"insights by age and gender", "/v21.0/" + h.acct + "/insights", url.Values{"level": {"ad"}, "time_range": {rangeQ}, "breakdowns": {"age,gender"}, "fields": {"ad_id,spend"}}},
	}
	for _, e := range edges {
		all := url.Values{"limit": {"500"}}
		for k, v := range e.params {
			all[k] = v
		}
		want, _ := h.pageAll(e.path, all)
		if len(want) == 0 {
			t.Fatalf("%s: no rows to page", e.name)
		}
		for _, limit := range []int{1, 7, 25, 499} {
			t.Run(fmt.Sprintf("%s/limit=%d", e.name, limit), func(t *testing.T) {
				q := url.Values{"limit": {strconv.Itoa(limit)}}
				for k, v := range e.params {
					q[k] = v
				}
				code, _, b := h.get(e.path, q)
				seen := map[string]bool{}
				var got []string
				for pages := 1; ; pages++ {
					if code != 200 {
						t.Fatalf("page %d: %d %s", pages, code, b)
					}
					p := decode[graphPage](t, b)
					for _, r := range p.Data {
						k := rowKey(r)
						if seen[k] {
							t.Fatalf("page %d repeats row %s", pages, k)
						}
						seen[k] = true
						got = append(got, k)
					}
					last := len(got) == len(want)
					hasNext := p.Paging != nil && p.Paging.Next != ""
					if hasNext == last {
						t.Fatalf("page %d: next present=%v with %d of %d rows seen", pages, hasNext, len(got), len(want))
					}
					if !last && len(p.Data) != limit {
						t.Fatalf("page %d has %d rows, want %d", pages, len(p.Data), limit)
					}
					if pages > 1 && p.Paging.Previous == "" {
						t.Fatalf("page %d has no previous", pages)
					}
					if !hasNext {
						break
					}
					code, _, b = h.do(http.MethodGet, p.Paging.Next, nil)
				}
				for i, r := range want {
					if got[i] != rowKey(r) {
						t.Fatalf("row %d = %s, want %s", i, got[i], rowKey(r))
					}
				}
			})
		}
	}
}

// TestPagingBackwards follows previous links back to the first page.
func TestPagingBackwards(t *testing.T) {
	h := newHarness(t, Options{Seed: 3, Ads: 40})
	code, _, b := h.get("/v21.0/"+h.acct+"/ads", url.Values{"limit": {"7"}})
	var forward [][]string
	var p graphPage
	for {
		if code != 200 {
			t.Fatalf("%d %s", code, b)
		}
		p = decode[graphPage](t, b)
		var ids []string
		for _, r := range p.Data {
			ids = append(ids, rowKey(r))
		}
		forward = append(forward, ids)
		if p.Paging.Next == "" {
			break
		}
		code, _, b = h.do(http.MethodGet, p.Paging.Next, nil)
	}
	for i := len(forward) - 2; i >= 0; i-- {
		code, _, b = h.do(http.MethodGet, p.Paging.Previous, nil)
		if code != 200 {
			t.Fatalf("%d %s", code, b)
		}
		p = decode[graphPage](t, b)
		if got, want := fmt.Sprint(keys(p.Data)), fmt.Sprint(forward[i]); got != want {
			t.Fatalf("previous page %d = %s, want %s", i, got, want)
		}
	}
	if p.Paging.Previous != "" {
		t.Fatalf("first page reached backwards still has previous")
	}
}

func keys(rows []map[string]any) []string {
	var out []string
	for _, r := range rows {
		out = append(out, rowKey(r))
	}
	return out
}

func TestPagingLimits(t *testing.T) {
	h := newHarness(t, Options{Seed: 1, Ads: 30, MaxPageSize: 100})
	tests := []struct {
		give       string
		wantStatus int
		wantCode   int
		wantRows   int
	}{
		{give: "", wantStatus: 200, wantRows: 25},
		{give: "0", wantStatus: 200, wantRows: 25},
		{give: "100", wantStatus: 200, wantRows: 30},
		{give: "101", wantStatus: 500, wantCode: 1},
		{give: "-3", wantStatus: 400, wantCode: 100},
		{give: "x", wantStatus: 400, wantCode: 100},
	}
	for _, tt := range tests {
		t.Run("limit="+tt.give, func(t *testing.T) {
			q := url.Values{"effective_status": {"ACTIVE,PAUSED,ARCHIVED,DELETED,CAMPAIGN_PAUSED,ADSET_PAUSED,DISAPPROVED,WITH_ISSUES,PENDING_REVIEW,IN_PROCESS,PENDING_BILLING_INFO,PREAPPROVED"}}
			if tt.give != "" {
				q.Set("limit", tt.give)
			}
			code, _, b := h.get("/v21.0/"+h.acct+"/ads", q)
			if code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", code, tt.wantStatus, b)
			}
			if tt.wantCode != 0 {
				if e := decode[graphErr](t, b); e.Error.Code != tt.wantCode {
					t.Fatalf("code %d, want %d", e.Error.Code, tt.wantCode)
				}
				return
			}
			if n := len(decode[graphPage](t, b).Data); n != tt.wantRows {
				t.Fatalf("%d rows, want %d", n, tt.wantRows)
			}
		})
	}
}

func TestSummaryTotalCount(t *testing.T) {
	h := newHarness(t, Options{Seed: 5, Ads: 120})
	all, _ := h.pageAll("/v21.0/"+h.acct+"/ads", url.Values{"limit": {"50"}})
	code, _, b := h.get("/v21.0/"+h.acct+"/ads", url.Values{"summary": {"true"}, "limit": {"3"}})
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	p := decode[graphPage](t, b)
	if got := p.Summary["total_count"]; got != float64(len(all)) {
		t.Fatalf("total_count %v, want %d", got, len(all))
	}
}
