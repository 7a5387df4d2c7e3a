package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// pagedItems serves items 1..n of an edge the way the Graph API does: cursors
// on every page, next (an absolute graph.facebook.com URL carrying
// access_token) on all but the last.
func pagedItems(n int) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		if limit <= 0 {
			limit = 25
		}
		from := 0
		if a := q.Get("after"); a != "" {
			from, _ = strconv.Atoi(strings.TrimPrefix(a, "c"))
		}
		to := min(from+limit, n)
		data := []map[string]string{}
		for i := from; i < to; i++ {
			data = append(data, map[string]string{"id": strconv.Itoa(i + 1)})
		}
		paging := map[string]any{"cursors": map[string]string{"before": fmt.Sprintf("c%d", from), "after": fmt.Sprintf("c%d", to)}}
		if to < n {
			nq := url.Values{}
			for k, v := range q {
				nq[k] = v
			}
			nq.Set("access_token", string(testToken))
			nq.Set("after", fmt.Sprintf("c%d", to))
			paging["next"] = "https://graph.facebook.com" + r.URL.Path + "?" + nq.Encode()
		}
		writeJSON(w, map[string]any{"data": data, "paging": paging, "summary": map[string]int{"total_count": n}})
	}
}

func ids(t *testing.T, data []json.RawMessage) []string {
	t.Helper()
	var out []string
	for _, raw := range data {
		var v struct{ ID string }
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v.ID)
	}
	return out
}

func drain(t *testing.T, p *Pager) (got []string, pages int) {
	t.Helper()
	for !p.Done() {
		data, err := p.Next(context.Background())
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		got = append(got, ids(t, data)...)
		pages++
		if pages > 100 {
			t.Fatal("pager does not stop")
		}
	}
	return got, pages
}

func TestPagerFollowsNextUntilAbsent(t *testing.T) {
	h := newHarness(t, pagedItems(7))
	p := h.c.Pages(context.Background(), testToken, "act_1/ads", url.Values{"fields": {"id"}, "limit": {"3"}})

	got, pages := drain(t, p)

	want := []string{"1", "2", "3", "4", "5", "6", "7"}
	if !slices.Equal(got, want) {
		t.Errorf("items = %v, want %v (no loss, no repeat)", got, want)
	}
	if pages != 3 || h.callCount() != 3 {
		t.Errorf("pages = %d, requests = %d; want 3, 3", pages, h.callCount())
	}
	if p.After() != "c7" {
		t.Errorf("After() = %q, want c7", p.After())
	}
	if total, ok := p.Total(); !ok || total != 7 {
		t.Errorf("Total() = %d, %v; want 7, true", total, ok)
	}
	if data, err := p.Next(context.Background()); data != nil || err != nil || h.callCount() != 3 {
		t.Errorf("Next after the last page = %v, %v and %d requests; want nil, nil, 3", data, err, h.callCount())
	}
	for i, r := range h.calls {
		if r.URL.Path != "/v21.0/act_1/ads" || r.URL.Query().Has("access_token") {
			t.Errorf("request %d URL = %s, want /v21.0/act_1/ads without access_token", i+1, r.URL)
		}
		if r.Header.Get("Authorization") != "Bearer "+string(testToken) {
			t.Errorf("request %d has no bearer token", i+1)
		}
	}
}

func TestPagerResumesFromCursor(t *testing.T) {
	h := newHarness(t, pagedItems(7))
	first := h.c.Pages(context.Background(), testToken, "act_1/ads", url.Values{"limit": {"3"}})
	if _, err := first.Next(context.Background()); err != nil {
		t.Fatal(err)
	}

	resumed := h.c.Pages(context.Background(), testToken, "act_1/ads", url.Values{"limit": {"3"}}).Resume(first.After())
	got, _ := drain(t, resumed)

	if want := []string{"4", "5", "6", "7"}; !slices.Equal(got, want) {
		t.Errorf("resumed items = %v, want %v", got, want)
	}
}

func TestPagerStopsOnRepeatedNext(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, map[string]any{"data": []any{}, "paging": map[string]any{"next": r.URL.String()}})
	})
	p := h.c.Pages(context.Background(), testToken, "act_1/ads", nil)
	_, err := p.Next(context.Background())
	if !errors.Is(err, errNoProgress) {
		t.Errorf("Next error = %v, want errNoProgress", err)
	}
}

func TestPagerHalvesLimitOnTooMuchData(t *testing.T) {
	items := pagedItems(300)
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if l, _ := strconv.Atoi(r.URL.Query().Get("limit")); l > 100 {
			graphError(w, 500, 1, 0, "Please reduce the amount of data you're asking for, then retry your request")
			return
		}
		items(w, r, n)
	})
	p := h.c.Insights(context.Background(), testToken, "act_9", "2024-01-01", "2024-01-31", nil)

	got, _ := drain(t, p)

	if len(got) != 300 || got[0] != "1" || got[299] != "300" {
		t.Fatalf("got %d items, want 300 in order", len(got))
	}
	var limits []string
	for _, r := range h.calls {
		limits = append(limits, r.URL.Query().Get("limit"))
	}
	if want := []string{"500", "250", "125", "62", "62", "62", "62", "62"}; !slices.Equal(limits, want) {
		t.Errorf("limits asked = %v, want %v", limits, want)
	}
	if s := h.sleepsSoFar(); len(s) != 0 {
		t.Errorf("slept %v, want no waits for a smaller page", s)
	}
}

func TestInsightsRequest(t *testing.T) {
	h := newHarness(t, pagedItems(0))
	p := h.c.Insights(context.Background(), testToken, "42", "2024-01-01", "2024-01-31", []string{"ad_id", "spend"})
	if _, err := p.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := h.calls[0]
	want := url.Values{
		"level":      {"ad"},
		"time_range": {`{"since":"2024-01-01","until":"2024-01-31"}`},
		"fields":     {"ad_id,spend"},
		"limit":      {"500"},
	}
	if r.URL.Path != "/v21.0/act_42/insights" || r.URL.Query().Encode() != want.Encode() {
		t.Errorf("request = %s?%s, want /v21.0/act_42/insights?%s", r.URL.Path, r.URL.RawQuery, want.Encode())
	}
}

func TestAdsRequestWithFiltering(t *testing.T) {
	h := newHarness(t, pagedItems(0))
	p := h.c.Ads(context.Background(), testToken, "act_42", "", Filter{Field: "effective_status", Operator: "IN", Value: []string{"ACTIVE"}})
	if _, err := p.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	q := h.calls[0].URL.Query()
	if q.Get("fields") != AdFields || q.Get("filtering") != `[{"field":"effective_status","operator":"IN","value":["ACTIVE"]}]` {
		t.Errorf("query = %v, want AdFields and the filtering JSON", q)
	}
}

func TestPagerErrorNamesAccountAndPage(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 2 {
			graphError(w, 400, 100, 0, "Invalid parameter")
			return
		}
		pagedItems(10)(w, r, n)
	}, func(c *Config) { c.PageLimit = 5 })
	p := h.c.Insights(context.Background(), testToken, "42", "2024-01-01", "2024-01-31", nil)
	_, _ = p.Next(context.Background())
	_, err := p.Next(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "act_42 insights page 2: ") {
		t.Errorf("error = %v, want it to start with %q", err, "act_42 insights page 2: ")
	}
}
