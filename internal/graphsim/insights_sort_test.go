package graphsim

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// sortValue reads the value a sort orders a row by; absent ratios are 0.
func sortValue(t *testing.T, row map[string]any, field string) float64 {
	t.Helper()
	switch field {
	case "spend":
		return float64(cents(t, row["spend"]))
	case "impressions", "clicks", "reach":
		return float64(num(t, row[field]))
	case "actions:purchase":
		return float64(actionValue(t, row, "actions", "purchase", false))
	}
	if row[field] == nil {
		return 0
	}
	return ratioOf(t, row[field])
}

// stableSorted sorts rows by field the way a client would sort the unsorted
// result itself: equal values keep the API's ad order.
func stableSorted(t *testing.T, rows []map[string]any, field string, desc bool) []map[string]any {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(x, y map[string]any) int {
		c := cmp.Compare(sortValue(t, x, field), sortValue(t, y, field))
		if desc {
			return -c
		}
		return c
	})
	return out
}

// TestSortedInsightsEqualSortedUnsorted pages sorted insights and checks
// the rows are the unsorted rows, each once, in the sort's order; for exact
// metrics, row for row what sorting the unsorted result gives.
func TestSortedInsightsEqualSortedUnsorted(t *testing.T) {
	h := newHarness(t, Options{Seed: 31, Ads: 400, CallBudget: 1e9})
	h.advance(9 * time.Hour)
	rangeQ := `{"since":"2026-11-01","until":"2026-11-28"}`
	tests := []struct {
		give  string // the sort parameter as sent
		field string
		desc  bool
		exact bool // values compare exactly, so ties are real ties
		incr  string
	}{
		{give: `["spend_descending"]`, field: "spend", desc: true, exact: true},
		{give: "spend_ascending", field: "spend", exact: true},
		{give: "spend", field: "spend", exact: true}, // no suffix is ascending
		{give: `["impressions_descending"]`, field: "impressions", desc: true, exact: true, incr: "7"},
		{give: "actions:purchase_descending", field: "actions:purchase", desc: true, exact: true},
		{give: "ctr_descending", field: "ctr", desc: true},
		{give: "cpc_ascending", field: "cpc"},
		{give: "frequency_descending", field: "frequency", desc: true},
	}
	for _, tt := range tests {
		t.Run(tt.give+"/incr="+tt.incr, func(t *testing.T) {
			q := url.Values{"level": {"ad"}, "time_range": {rangeQ}, "fields": {insightFieldsAll}, "limit": {"500"}}
			if tt.incr != "" {
				q.Set("time_increment", tt.incr)
			}
			unsorted, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
			q.Set("sort", tt.give)
			q.Set("limit", "13")
			got, pages := h.pageAll("/v21.0/"+h.acct+"/insights", q)
			if pages < 3 {
				t.Fatalf("only %d pages; the test needs paging", pages)
			}
			if len(got) != len(unsorted) {
				t.Fatalf("sorted result has %d rows, unsorted %d", len(got), len(unsorted))
			}
			seen := map[string]bool{}
			for i, r := range got {
				k := rowKey(r)
				if seen[k] {
					t.Fatalf("row %s repeated at %d", k, i)
				}
				seen[k] = true
				if i == 0 {
					continue
				}
				prev, cur := sortValue(t, got[i-1], tt.field), sortValue(t, r, tt.field)
				if (tt.desc && cur > prev) || (!tt.desc && cur < prev) {
					t.Fatalf("row %d (%s) has %s %v after %v", i, k, tt.field, cur, prev)
				}
			}
			for _, r := range unsorted {
				if !seen[rowKey(r)] {
					t.Fatalf("unsorted row %s missing from the sorted result", rowKey(r))
				}
			}
			if !tt.exact {
				return
			}
			want := stableSorted(t, unsorted, tt.field, tt.desc)
			for i := range want {
				if rowKey(got[i]) != rowKey(want[i]) {
					t.Fatalf("row %d = %s, sorting the unsorted result gives %s", i, rowKey(got[i]), rowKey(want[i]))
				}
			}
		})
	}
}

// TestSortedFirstPageIsTopBySpend asks for what the API's fallback asks for:
// one page of 30 sorted by spend, which must be the range's 30 biggest
// spenders as a full read of the account shows them.
func TestSortedFirstPageIsTopBySpend(t *testing.T) {
	h := newHarness(t, Options{Seed: 41, Ads: 2000, CallBudget: 1e9})
	rangeQ := `{"since":"2026-10-29","until":"2026-11-27"}`
	q := url.Values{"level": {"ad"}, "time_range": {rangeQ}, "fields": {"ad_id,spend"}, "limit": {"500"}}
	all, _ := h.pageAll("/v21.0/"+h.acct+"/insights", q)
	top := stableSorted(t, all, "spend", true)[:30]

	q.Set("sort", `["spend_descending"]`)
	q.Set("limit", "30")
	code, _, b := h.get("/v21.0/"+h.acct+"/insights", q)
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	p := decode[graphPage](t, b)
	if len(p.Data) != 30 || p.Paging == nil || p.Paging.Next == "" {
		t.Fatalf("first page: %d rows, paging %+v", len(p.Data), p.Paging)
	}
	for i := range top {
		if g, w := p.Data[i]["ad_id"], top[i]["ad_id"]; g != w {
			t.Fatalf("row %d is ad %v spending %v; biggest spender #%d is %v spending %v",
				i, g, p.Data[i]["spend"], i+1, w, top[i]["spend"])
		}
	}
	if cents(t, top[29]["spend"]) <= cents(t, stableSorted(t, all, "spend", false)[0]["spend"]) {
		t.Fatalf("spend does not vary across ads; the test proves nothing")
	}
}

// TestSortedPagingBackwards follows previous links of a sorted result back
// to its first page.
func TestSortedPagingBackwards(t *testing.T) {
	h := newHarness(t, Options{Seed: 43, Ads: 120})
	q := url.Values{"level": {"ad"}, "fields": {"ad_id,spend"}, "sort": {"spend_descending"}, "limit": {"9"}}
	code, _, b := h.get("/v21.0/"+h.acct+"/insights", q)
	var forward [][]string
	var p graphPage
	for {
		if code != 200 {
			t.Fatalf("%d %s", code, b)
		}
		p = decode[graphPage](t, b)
		forward = append(forward, keys(p.Data))
		if p.Paging.Next == "" {
			break
		}
		code, _, b = h.do(http.MethodGet, p.Paging.Next, nil)
	}
	if len(forward) < 3 {
		t.Fatalf("%d pages; the test needs more", len(forward))
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
}

// TestSortedAsyncReport checks a report run keeps its sort: its result
// pages to the sorted sync answer at the time the run started, although the
// clock moved before it was read.
func TestSortedAsyncReport(t *testing.T) {
	h := newHarness(t, Options{Seed: 47, Ads: 150, AsyncPolls: 2, CallBudget: 1e9})
	h.advance(5 * time.Hour)
	params := url.Values{"level": {"ad"}, "fields": {"ad_id,spend,impressions"}, "sort": {`["spend_descending"]`},
		"time_range": {`{"since":"2026-11-20","until":"2026-11-28"}`}, "limit": {"500"}}
	want, _ := h.pageAll("/v21.0/"+h.acct+"/insights", params)
	if !slices.IsSortedFunc(want, func(x, y map[string]any) int { return cmp.Compare(cents(t, y["spend"]), cents(t, x["spend"])) }) {
		t.Fatal("sync answer is not sorted by spend")
	}
	id := h.startRun(url.Values{"level": params["level"], "fields": params["fields"], "sort": params["sort"], "time_range": params["time_range"]})
	h.advance(7 * time.Hour)
	if after, _ := h.pageAll("/v21.0/"+h.acct+"/insights", params); fmt.Sprint(after) == fmt.Sprint(want) {
		t.Fatal("the clock advance changed nothing; the test proves nothing")
	}
	for range 2 {
		h.get("/v21.0/"+id, nil)
	}
	got, _ := h.pageAll("/v21.0/"+id+"/insights", url.Values{"limit": {"11"}})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("async sorted result (%d rows) differs from the sync sorted answer (%d rows)", len(got), len(want))
	}
}

// TestSortErrors checks bad sorts answer the Graph error envelope, code 100,
// naming what was wrong, and the forms the API documents are accepted.
func TestSortErrors(t *testing.T) {
	h := newHarness(t, Options{Seed: 53, Ads: 30})
	tests := []struct {
		give      string
		level     string
		wantCode  int
		wantInMsg string
	}{
		{give: "spend_descending"},
		{give: `["spend_descending"]`},
		{give: "reach"},
		{give: "actions:video_view_ascending"},
		{give: "[]"},
		{give: "ad_name_descending", wantCode: 100, wantInMsg: "Cannot sort by ad_name_descending"},
		{give: "revenue_descending", wantCode: 100, wantInMsg: "Cannot sort by revenue_descending"},
		{give: "actions_descending", wantCode: 100, wantInMsg: "Cannot sort by actions_descending"},
		{give: "purchase_roas_descending", wantCode: 100, wantInMsg: "Cannot sort by purchase_roas"},
		{give: "actions:bogus_descending", wantCode: 100, wantInMsg: "action_type one of {"},
		{give: `["spend_descending","clicks_ascending"]`, wantCode: 100, wantInMsg: "no more than one element"},
		{give: "spend_descending,clicks_ascending", wantCode: 100, wantInMsg: "no more than one element"},
		{give: `["spend_descending"`, wantCode: 100, wantInMsg: "param sort must be a list"},
		{give: "spend_descending", level: "campaign", wantCode: 100, wantInMsg: "only at level=ad"},
	}
	for _, tt := range tests {
		t.Run(tt.give+"/"+tt.level, func(t *testing.T) {
			q := url.Values{"level": {cmp.Or(tt.level, "ad")}, "fields": {"ad_id,spend"}, "sort": {tt.give}}
			code, _, b := h.get("/v21.0/"+h.acct+"/insights", q)
			if tt.wantCode == 0 {
				if code != 200 || len(decode[graphPage](t, b).Data) == 0 {
					t.Fatalf("%d %s", code, b)
				}
				return
			}
			e := decode[graphErr](t, b)
			if code != 400 || e.Error.Code != tt.wantCode || e.Error.Type != "OAuthException" || e.Error.FBTraceID == "" {
				t.Fatalf("status %d, error %+v; want 400 with code %d", code, e.Error, tt.wantCode)
			}
			if !strings.HasPrefix(e.Error.Message, "(#100) ") || !strings.Contains(e.Error.Message, tt.wantInMsg) {
				t.Fatalf("message %q does not say %q", e.Error.Message, tt.wantInMsg)
			}
		})
	}
}

// TestSortedReduceData checks a sort over more rows than graphsim sorts
// answers code 1, as the API does for a query too heavy to run.
func TestSortedReduceData(t *testing.T) {
	h := newHarness(t, Options{Seed: 59, Ads: maxSortedRows/365 + 1})
	q := url.Values{"level": {"ad"}, "sort": {"spend_descending"}, "time_increment": {"1"},
		"time_range": {`{"since":"2025-11-28","until":"2026-11-27"}`}}
	code, _, b := h.get("/v21.0/"+h.acct+"/insights", q)
	if e := decode[graphErr](t, b); code != 500 || e.Error.Code != 1 {
		t.Fatalf("status %d %s; want 500 code 1", code, b)
	}
	q.Set("time_range", `{"since":"2026-11-21","until":"2026-11-27"}`)
	if code, _, b := h.get("/v21.0/"+h.acct+"/insights", q); code != 200 {
		t.Fatalf("a week of daily rows should fit: %d %s", code, b)
	}
}
