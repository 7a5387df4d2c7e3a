package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/api"
)

const goodRange = "startDate=2024-01-01&endDate=2024-01-31"

func TestListCreativesRejectsBadInput(t *testing.T) {
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	dayTooLong := start.AddDate(0, 0, api.MaxRangeDays+1).Format(time.DateOnly)
	tests := []struct {
		name      string
		give      string // request target
		wantField string
		wantMsg   []string // each must appear in the error message
	}{
		{
			name:      "missing startDate",
			give:      "/api/creatives/acme?endDate=2024-01-31",
			wantField: "startDate", wantMsg: []string{"required"},
		},
		{
			name:      "missing endDate",
			give:      "/api/creatives/acme?startDate=2024-01-01",
			wantField: "endDate", wantMsg: []string{"required"},
		},
		{
			name:      "date without leading zeros",
			give:      "/api/creatives/acme?startDate=2024-1-5&endDate=2024-01-31",
			wantField: "startDate", wantMsg: []string{"2024-1-5", "YYYY-MM-DD"},
		},
		{
			name:      "impossible date",
			give:      "/api/creatives/acme?startDate=2024-01-01&endDate=2024-02-30",
			wantField: "endDate", wantMsg: []string{"2024-02-30", "YYYY-MM-DD"},
		},
		{
			name:      "endDate before startDate",
			give:      "/api/creatives/acme?startDate=2024-02-01&endDate=2024-01-31",
			wantField: "endDate", wantMsg: []string{"before startDate"},
		},
		{
			name:      "range too long",
			give:      "/api/creatives/acme?startDate=2020-01-01&endDate=2024-01-01",
			wantField: "endDate", wantMsg: []string{"longer than 1147 days"},
		},
		{
			name:      "range one day too long",
			give:      "/api/creatives/acme?startDate=2021-01-01&endDate=" + dayTooLong,
			wantField: "endDate", wantMsg: []string{"longer than 1147 days"},
		},
		{
			name:      "page zero",
			give:      "/api/creatives/acme?" + goodRange + "&page=0",
			wantField: "page", wantMsg: []string{`"0"`, "from 1"},
		},
		{
			name:      "negative page",
			give:      "/api/creatives/acme?" + goodRange + "&page=-3",
			wantField: "page", wantMsg: []string{`"-3"`},
		},
		{
			name:      "limit above 500",
			give:      "/api/creatives/acme?" + goodRange + "&limit=501",
			wantField: "limit", wantMsg: []string{`"501"`, "to 500"},
		},
		{
			name:      "limit not a number",
			give:      "/api/creatives/acme?" + goodRange + "&limit=abc",
			wantField: "limit", wantMsg: []string{`"abc"`, "whole number"},
		},
		{
			name:      "sortBy not allow-listed",
			give:      "/api/creatives/acme?" + goodRange + "&sortBy=password",
			wantField: "sortBy", wantMsg: []string{`"password"`, "spend", "roas", "ctr"},
		},
		{
			name:      "sortBy SQL",
			give:      "/api/creatives/acme?" + goodRange + "&sortBy=" + url.QueryEscape("spend; DROP TABLE ads"),
			wantField: "sortBy", wantMsg: []string{"not sortable"},
		},
		{
			name:      "sortOrder neither asc nor desc",
			give:      "/api/creatives/acme?" + goodRange + "&sortOrder=up",
			wantField: "sortOrder", wantMsg: []string{`"up"`, "asc or desc"},
		},
		{
			name:      "filters not JSON",
			give:      "/api/creatives/acme?" + goodRange + "&filters=" + url.QueryEscape("creative_type=image"),
			wantField: "filters", wantMsg: []string{"JSON object"},
		},
		{
			name:      "filters with a non-string value",
			give:      "/api/creatives/acme?" + goodRange + "&filters=" + url.QueryEscape(`{"creative_type":1}`),
			wantField: "filters", wantMsg: []string{"JSON object"},
		},
		{
			name:      "filters key not allow-listed",
			give:      "/api/creatives/acme?" + goodRange + "&filters=" + url.QueryEscape(`{"spend; DROP TABLE":"x"}`),
			wantField: "filters", wantMsg: []string{"spend; DROP TABLE", "not filterable", "creative_type"},
		},
		{
			name:      "creative_type unknown to the seed",
			give:      "/api/creatives/acme?" + goodRange + "&filters=" + url.QueryEscape(`{"creative_type":"gif"}`),
			wantField: "filters", wantMsg: []string{`"gif"`, "video, image, carousel"},
		},
		{
			name:      "brandId with a space",
			give:      "/api/creatives/bad%20brand?" + goodRange,
			wantField: "brandId", wantMsg: []string{"bad%20brand", "letters, digits"},
		},
		{
			name:      "brandId with a quote and semicolon",
			give:      "/api/creatives/" + url.PathEscape("x';DROP") + "?" + goodRange,
			wantField: "brandId", wantMsg: []string{"letters, digits"},
		},
		{
			name:      "brandId too long",
			give:      "/api/creatives/" + strings.Repeat("a", 129) + "?" + goodRange,
			wantField: "brandId", wantMsg: []string{"1-128"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAPI(t, newFakeStore("acme"))
			status, body := a.do(t, http.MethodGet, tt.give, "")
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", status, body)
			}
			e := decodeError(t, body)
			if e.Error.Field != tt.wantField {
				t.Errorf("field %q, want %q (message %q)", e.Error.Field, tt.wantField, e.Error.Message)
			}
			for _, w := range tt.wantMsg {
				if !strings.Contains(e.Error.Message, w) {
					t.Errorf("message %q does not mention %q", e.Error.Message, w)
				}
			}
			if len(a.store.calls) != 0 {
				t.Errorf("a rejected request reached the store: %v", a.store.calls)
			}
			if len(a.queue.reqs) != 0 {
				t.Errorf("a rejected request queued %d syncs", len(a.queue.reqs))
			}
		})
	}
}

// TestListCreativesAcceptsEdgeInput checks the limits themselves are allowed.
func TestListCreativesAcceptsEdgeInput(t *testing.T) {
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	longest := start.AddDate(0, 0, api.MaxRangeDays).Format(time.DateOnly)
	tests := []struct {
		name string
		give string
	}{
		{name: "one-day range", give: "/api/creatives/acme?startDate=2024-01-01&endDate=2024-01-01"},
		{name: "longest range", give: "/api/creatives/acme?startDate=2021-01-01&endDate=" + longest},
		{name: "limit 500 and page 1", give: "/api/creatives/acme?" + goodRange + "&limit=500&page=1"},
		{name: "limit 1", give: "/api/creatives/acme?" + goodRange + "&limit=1"},
		{name: "brandId with dot, dash, underscore", give: "/api/creatives/acme.eu-1_b?" + goodRange},
		{name: "creative_type all", give: "/api/creatives/acme?" + goodRange + "&filters=" + url.QueryEscape(`{"creative_type":"all"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newFakeStore("acme", "acme.eu-1_b")
			st.count = 1
			a := newTestAPI(t, st)
			status, body := a.do(t, http.MethodGet, tt.give, "")
			if status != http.StatusOK {
				t.Fatalf("status %d, want 200; body %s", status, body)
			}
		})
	}
}
