package api_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
)

const goodRange = "startDate=2024-01-01&endDate=2024-01-31"

func TestListCreativesRejectsBadInput(t *testing.T) {
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
	tests := []struct {
		name string
		give string
	}{
		{name: "one-day range", give: "/api/creatives/acme?startDate=2024-01-01&endDate=2024-01-01"},
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

// The days a request may name run from 37 months before today to today + 1
// (UTC); testNow is 2026-12-01, so 2023-11-01..2026-12-02. Every day outside
// is refused with the field and the window named, before the store is asked.
func TestDateBoundaries(t *testing.T) {
	tests := []struct {
		name       string
		start, end string
		wantField  string   // "" means accepted
		wantMsg    []string // each must appear in the error message
	}{
		{name: "first allowed day", start: "2023-11-01", end: "2023-11-01"},
		{name: "last allowed day", start: "2026-12-02", end: "2026-12-02"},
		{name: "longest range", start: "2023-11-01", end: "2026-12-02"},
		{
			name: "day before the first", start: "2023-10-31", end: "2024-01-31",
			wantField: "startDate", wantMsg: []string{"2023-10-31 is before 2023-11-01, the earliest day the Graph API reports (37 months back)"},
		},
		{
			name: "day after the last", start: "2026-11-01", end: "2026-12-03",
			wantField: "endDate", wantMsg: []string{"2026-12-03 is after 2026-12-02, the latest day the Graph API reports"},
		},
		{
			name: "range a day longer than the longest", start: "2023-10-31", end: "2026-12-02",
			wantField: "startDate", wantMsg: []string{"before 2023-11-01"},
		},
		{
			name: "year one", start: "0001-01-01", end: "2024-01-31",
			wantField: "startDate", wantMsg: []string{"0001-01-01 is before 2023-11-01"},
		},
		{
			name: "before 1970", start: "1969-12-31", end: "2024-01-31",
			wantField: "startDate", wantMsg: []string{"1969-12-31 is before 2023-11-01"},
		},
		{
			name: "last day of a ClickHouse Date", start: "2026-11-01", end: "2149-06-06",
			wantField: "endDate", wantMsg: []string{"2149-06-06 is after 2026-12-02"},
		},
		{
			name: "day after a ClickHouse Date", start: "2026-11-01", end: "2149-06-07",
			wantField: "endDate", wantMsg: []string{"2149-06-07 is after 2026-12-02"},
		},
		{
			name: "2200", start: "2026-11-01", end: "2200-01-01",
			wantField: "endDate", wantMsg: []string{"2200-01-01 is after 2026-12-02, the latest day the Graph API reports"},
		},
		{
			name: "9999-12-31", start: "2026-11-01", end: "9999-12-31",
			wantField: "endDate", wantMsg: []string{"9999-12-31 is after 2026-12-02"},
		},
		{
			name: "the range that wrapped onto 2026", start: "2205-06-08", end: "2206-05-04",
			wantField: "startDate", wantMsg: []string{"2205-06-08 is after 2026-12-02"},
		},
		{
			name: "end before start", start: "2026-11-02", end: "2026-11-01",
			wantField: "endDate", wantMsg: []string{"2026-11-01 is before startDate 2026-11-02"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newFakeStore("acme")
			a := newTestAPI(t, st)
			status, body := a.do(t, http.MethodGet, "/api/creatives/acme?startDate="+tt.start+"&endDate="+tt.end, "")
			if tt.wantField == "" {
				if status != http.StatusOK {
					t.Fatalf("status %d, want 200; body %s", status, body)
				}
				return
			}
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", status, body)
			}
			e := decodeError(t, body)
			if e.Error.Field != tt.wantField {
				t.Errorf("field %q, want %q (message %q)", e.Error.Field, tt.wantField, e.Error.Message)
			}
			for _, w := range tt.wantMsg {
				if !strings.Contains(e.Error.Message, w) {
					t.Errorf("message %q does not say %q", e.Error.Message, w)
				}
			}
			if len(st.calls) != 0 {
				t.Errorf("a rejected request reached the store: %v", st.calls)
			}
		})
	}
}

// The window moves with the clock, and the clock's time zone does not
// matter: the day is UTC's.
func TestDateWindowFollowsTheClock(t *testing.T) {
	tests := []struct {
		name        string
		give        time.Time
		first, last string
	}{
		{name: "test clock", give: testNow(), first: "2023-11-01", last: "2026-12-02"},
		{name: "last second of a year", give: time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), first: "2023-12-01", last: "2027-01-01"},
		{name: "new year already in Kiribati", give: time.Date(2027, 1, 1, 0, 30, 0, 0, time.FixedZone("UTC+14", 14*3600)),
			first: "2023-12-01", last: "2027-01-01"},
		{name: "leap day", give: time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), first: "2025-01-29", last: "2028-03-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, _ := time.Parse(time.DateOnly, tt.first)
			last, _ := time.Parse(time.DateOnly, tt.last)
			before, after := first.AddDate(0, 0, -1).Format(time.DateOnly), last.AddDate(0, 0, 1).Format(time.DateOnly)
			a := newClockAPI(t, tt.give)
			for _, c := range []struct {
				start, end string
				want       int
			}{
				{tt.first, tt.last, http.StatusOK},
				{before, tt.last, http.StatusBadRequest},
				{tt.first, after, http.StatusBadRequest},
			} {
				status, body := a.do(t, http.MethodGet, "/api/creatives/acme?startDate="+c.start+"&endDate="+c.end, "")
				if status != c.want {
					t.Errorf("%s..%s: status %d, want %d; body %s", c.start, c.end, status, c.want, body)
				}
			}
		})
	}
}

// A clock beyond the store's years cannot open the store's limits: the day
// the window allows is still refused, with the store's reason.
func TestDateWindowNeverPassesTheStoresLastDay(t *testing.T) {
	a := newClockAPI(t, time.Date(2105, 12, 31, 12, 0, 0, 0, time.UTC))
	status, body := a.do(t, http.MethodGet, "/api/creatives/acme?startDate=2105-12-01&endDate=2106-01-01", "")
	if status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400; body %s", status, body)
	}
	if e := decodeError(t, body); e.Error.Field != "endDate" || !strings.Contains(e.Error.Message, "2106-01-01: after 2105-12-31") {
		t.Errorf("error %+v, want endDate refused after 2105-12-31", e.Error)
	}
}

// newClockAPI is newTestAPI on another clock, with brand acme listing one ad.
func newClockAPI(t *testing.T, now time.Time) *testAPI {
	t.Helper()
	st := newFakeStore("acme")
	st.count = 1
	app := api.New(api.Deps{Store: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(), Now: func() time.Time { return now }})
	return &testAPI{app: app, store: st, queue: &fakeQueue{}}
}

// Should the store refuse a day validation let through, the client still
// gets a 400 that names the day, not a 500.
func TestStoreDateRefusalIsABadRequest(t *testing.T) {
	st := newFakeStore("acme")
	st.countErr = fmt.Errorf("range of acme: %w 2106-01-01: after 2105-12-31, the last day the store holds", store.ErrBadDate)
	a := newTestAPI(t, st)
	status, body := a.do(t, http.MethodGet, "/api/creatives/acme?"+goodRange, "")
	if status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400; body %s", status, body)
	}
	if e := decodeError(t, body); e.Error.Code != "invalid_request" || !strings.Contains(e.Error.Message, "2106-01-01") {
		t.Errorf("error %+v, want invalid_request naming 2106-01-01", e.Error)
	}
}
