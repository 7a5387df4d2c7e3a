package graphsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

type runStatus struct {
	ID      string `json:"id"`
	Status  string `json:"async_status"`
	Percent int    `json:"async_percent_completion"`
}

// startRun posts an async insights job and returns its id.
func (h *harness) startRun(params url.Values) string {
	h.t.Helper()
	params.Set("access_token", h.token)
	code, _, b := h.do(http.MethodPost, h.srv.URL+"/v21.0/"+h.acct+"/insights", params)
	if code != 200 {
		h.t.Fatalf("start run: %d %s", code, b)
	}
	var v struct {
		ID string `json:"report_run_id"`
	}
	json.Unmarshal(b, &v)
	if v.ID == "" {
		h.t.Fatalf("no report_run_id in %s", b)
	}
	return v.ID
}

// TestAsyncReportRun polls a job to completion, checks the progress rises,
// and that its result pages to the same rows as the sync call at the time
// the job started, even after the clock moved.
func TestAsyncReportRun(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Ads: 120, AsyncPolls: 4, CallBudget: 1e9})
	params := url.Values{"level": {"ad"}, "fields": {"ad_id,spend,impressions,actions"}, "time_range": {`{"since":"2026-11-01","until":"2026-11-27"}`}}
	want, _ := h.pageAll("/v21.0/"+h.acct+"/insights", params)
	id := h.startRun(url.Values{"level": params["level"], "fields": params["fields"], "time_range": params["time_range"]})
	h.advance(3 * time.Hour)

	code, _, b := h.get("/v21.0/"+id+"/insights", nil)
	if e := decode[graphErr](t, b); code != 400 || e.Error.Code != 100 {
		t.Fatalf("result before completion: %d %s", code, b)
	}
	last := -1
	for polls := 1; ; polls++ {
		code, _, b := h.get("/v21.0/"+id, nil)
		if code != 200 {
			t.Fatalf("poll: %d %s", code, b)
		}
		s := decode[runStatus](t, b)
		if s.Percent < last || s.ID != id {
			t.Fatalf("poll %d: %+v after %d%%", polls, s, last)
		}
		last = s.Percent
		if s.Status == "Job Completed" {
			if s.Percent != 100 || polls != 4 {
				t.Fatalf("completed at %d%% after %d polls", s.Percent, polls)
			}
			break
		}
		if polls > 10 {
			t.Fatalf("never completed: %+v", s)
		}
	}
	got, _ := h.pageAll("/v21.0/"+id+"/insights", url.Values{"limit": {"17"}})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("async result (%d rows) differs from sync insights (%d rows)", len(got), len(want))
	}
}

func TestAsyncReportFailure(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Ads: 20, AsyncPolls: 2, Faults: Faults{AsyncFailRate: 1}})
	id := h.startRun(url.Values{"level": {"ad"}})
	var s runStatus
	for i := 0; i < 2; i++ {
		_, _, b := h.get("/v21.0/"+id, nil)
		s = decode[runStatus](t, b)
	}
	if s.Status != "Job Failed" {
		t.Fatalf("status %q, want Job Failed", s.Status)
	}
	code, _, b := h.get("/v21.0/"+id+"/insights", nil)
	if e := decode[graphErr](t, b); code != 400 || e.Error.Code == 0 || e.Error.FBTraceID == "" {
		t.Fatalf("result of a failed job: %d %s", code, b)
	}
}

type batchAnswer struct {
	Code    int `json:"code"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	Body string `json:"body"`
}

func TestBatch(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Ads: 30})
	items := []map[string]string{
		{"method": "GET", "relative_url": "v21.0/" + h.acct + "/ads?limit=2&fields=id,name"},
		{"method": "GET", "relative_url": h.acct + "?fields=name,currency"},
		{"method": "GET", "relative_url": "/v21.0/999?fields=id"},
		{"method": "POST", "relative_url": h.acct + "/insights", "body": "level=ad&fields=spend"},
	}
	raw, _ := json.Marshal(items)
	code, _, b := h.do(http.MethodPost, h.srv.URL+"/v21.0/", url.Values{"access_token": {h.token}, "batch": {string(raw)}})
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	answers := decode[[]batchAnswer](t, b)
	tests := []struct {
		give     int
		wantCode int
		wantKey  string
	}{
		{0, 200, "data"},
		{1, 200, "currency"},
		{2, 400, "error"},
		{3, 200, "report_run_id"},
	}
	for _, tt := range tests {
		t.Run(items[tt.give]["relative_url"], func(t *testing.T) {
			a := answers[tt.give]
			var body map[string]any
			if err := json.Unmarshal([]byte(a.Body), &body); err != nil {
				t.Fatalf("body is not a JSON string: %v", err)
			}
			if a.Code != tt.wantCode || body[tt.wantKey] == nil || len(a.Headers) == 0 {
				t.Fatalf("got %+v", a)
			}
		})
	}
	t.Run("over 50", func(t *testing.T) {
		var many []map[string]string
		for i := 0; i < 51; i++ {
			many = append(many, items[0])
		}
		raw, _ := json.Marshal(many)
		code, _, b := h.do(http.MethodPost, h.srv.URL+"/v21.0/", url.Values{"access_token": {h.token}, "batch": {string(raw)}})
		if e := decode[graphErr](t, b); code != 400 || e.Error.Code != 100 {
			t.Fatalf("%d %s", code, b)
		}
	})
}

// TestAsyncFailDays: runs longer than the limit fail, shorter ones complete,
// so a client that halves the range gets its rows.
func TestAsyncFailDays(t *testing.T) {
	h := newHarness(t, Options{Seed: 8, Ads: 20, AsyncPolls: 1, Faults: Faults{AsyncFailDays: 3}})
	tests := []struct {
		give string // time_range
		want string
	}{
		{`{"since":"2026-11-01","until":"2026-11-04"}`, "Job Failed"},
		{`{"since":"2026-11-01","until":"2026-11-03"}`, "Job Completed"},
	}
	for _, tt := range tests {
		id := h.startRun(url.Values{"level": {"ad"}, "time_range": {tt.give}})
		_, _, b := h.get("/v21.0/"+id, nil)
		if s := decode[runStatus](t, b); s.Status != tt.want {
			t.Errorf("run over %s: %q, want %q", tt.give, s.Status, tt.want)
		}
	}
}
