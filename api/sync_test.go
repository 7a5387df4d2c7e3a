package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

const rangeJSON = `{"startDate":"2024-01-01","endDate":"2024-01-31"}`

func TestStartSyncQueues(t *testing.T) {
	tests := []struct {
		name        string
		give        string // path
		wantKind    schemas.SyncKind
		wantMessage string
		wantPrefix  string
	}{
		{name: "sync", give: "/api/creatives/sync/acme", wantKind: schemas.SyncKindFull, wantMessage: "Creative sync job queued", wantPrefix: "sync-"},
		{name: "refresh", give: "/api/creatives/refresh/acme", wantKind: schemas.SyncKindRefresh, wantMessage: "Creative refresh job queued", wantPrefix: "sync-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newFakeStore("acme")
			a := newTestAPI(t, st)
			got := a.doJSON(t, http.MethodPost, tt.give, rangeJSON, http.StatusOK)
			jobID, _ := got["jobId"].(string)
			if got["success"] != true || got["message"] != tt.wantMessage || got["status"] != "pending" || !strings.HasPrefix(jobID, tt.wantPrefix) {
				t.Errorf("response %v, want success, message %q, status pending, jobId %s...", got, tt.wantMessage, tt.wantPrefix)
			}
			if len(a.queue.reqs) != 1 {
				t.Fatalf("enqueued %d, want 1", len(a.queue.reqs))
			}
			req := a.queue.reqs[0]
			if req.Kind != tt.wantKind || req.JobID != jobID || req.BrandID != "acme" ||
				req.StartDate != "2024-01-01" || req.EndDate != "2024-01-31" {
				t.Errorf("enqueued %+v, want %s of acme 2024-01-01..2024-01-31 as %s", req, tt.wantKind, jobID)
			}
			if len(st.queued) != 1 || st.queued[0].JobID != jobID || st.queued[0].Kind != tt.wantKind {
				t.Errorf("recorded %+v, want one %s job %s", st.queued, tt.wantKind, jobID)
			}
		})
	}
}

func TestStartSyncRejects(t *testing.T) {
	tests := []struct {
		name       string
		give       string // path
		giveBody   string
		wantStatus int
		wantField  string
	}{
		{name: "invalid JSON body", give: "/api/creatives/sync/acme", giveBody: `{"startDate":`, wantStatus: http.StatusBadRequest, wantField: "body"},
		{name: "body is not an object", give: "/api/creatives/refresh/acme", giveBody: `["2024-01-01"]`, wantStatus: http.StatusBadRequest, wantField: "body"},
		{name: "no body", give: "/api/creatives/sync/acme", giveBody: "", wantStatus: http.StatusBadRequest, wantField: "startDate"},
		{name: "bad date in body", give: "/api/creatives/sync/acme", giveBody: `{"startDate":"2024-01-01","endDate":"31/01/2024"}`, wantStatus: http.StatusBadRequest, wantField: "endDate"},
		{name: "bad brand id", give: "/api/creatives/sync/a%2Fb", giveBody: rangeJSON, wantStatus: http.StatusBadRequest, wantField: "brandId"},
		{name: "unknown brand", give: "/api/creatives/sync/nobody", giveBody: rangeJSON, wantStatus: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAPI(t, newFakeStore("acme"))
			status, body := a.do(t, http.MethodPost, tt.give, tt.giveBody)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", status, tt.wantStatus, body)
			}
			if e := decodeError(t, body); e.Error.Field != tt.wantField {
				t.Errorf("field %q, want %q (message %q)", e.Error.Field, tt.wantField, e.Error.Message)
			}
			if len(a.queue.reqs) != 0 || len(a.store.queued) != 0 {
				t.Errorf("rejected request enqueued %d, recorded %d", len(a.queue.reqs), len(a.store.queued))
			}
		})
	}
}

func TestStartSyncWhileOneIsActive(t *testing.T) {
	tests := []struct {
		name      string
		give      store.SyncJob
		wantQueue bool
	}{
		{name: "pending", give: store.SyncJob{JobID: "sync-job-old", Status: store.StatusPending, UpdatedAt: time.Now()}},
		{name: "processing", give: store.SyncJob{JobID: "sync-job-old", Status: store.StatusProcessing, UpdatedAt: time.Now()}},
		{name: "processing but silent for an hour", give: store.SyncJob{JobID: "sync-job-old", Status: store.StatusProcessing, UpdatedAt: time.Now().Add(-time.Hour)}, wantQueue: true},
		{name: "completed", give: store.SyncJob{JobID: "sync-job-old", Status: store.StatusCompleted, UpdatedAt: time.Now()}, wantQueue: true},
		{name: "failed", give: store.SyncJob{JobID: "sync-job-old", Status: store.StatusFailed, UpdatedAt: time.Now()}, wantQueue: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newFakeStore("acme")
			job := tt.give
			st.job = &job
			a := newTestAPI(t, st)
			got := a.doJSON(t, http.MethodPost, "/api/creatives/sync/acme", rangeJSON, http.StatusOK)
			queued := len(a.queue.reqs) == 1
			if queued != tt.wantQueue || len(a.queue.reqs) > 1 {
				t.Fatalf("enqueued %d, want queued=%v", len(a.queue.reqs), tt.wantQueue)
			}
			if !tt.wantQueue && got["jobId"] != "sync-job-old" {
				t.Errorf("jobId %v, want the active job sync-job-old", got["jobId"])
			}
			if tt.wantQueue && got["jobId"] == "sync-job-old" {
				t.Errorf("jobId is the finished job's, want a new one")
			}
		})
	}
}

// A publish that fails must not leave a pending job behind that blocks every
// later sync of the range.
func TestStartSyncEnqueueFailureCanBeRetried(t *testing.T) {
	st := newFakeStore("acme")
	a := newTestAPI(t, st)
	a.queue.err = errors.New("kafka: broker not available")
	status, body := a.do(t, http.MethodPost, "/api/creatives/sync/acme", rangeJSON)
	if status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500; body %s", status, body)
	}
	if strings.Contains(string(body), "kafka") {
		t.Errorf("response leaks the internal error: %s", body)
	}
	a.queue.err = nil
	got := a.doJSON(t, http.MethodPost, "/api/creatives/sync/acme", rangeJSON, http.StatusOK)
	if len(a.queue.reqs) != 1 || got["message"] != "Creative sync job queued" {
		t.Errorf("retry after a failed publish: enqueued %d, message %v; want a new job queued", len(a.queue.reqs), got["message"])
	}
}

func TestSyncStatus(t *testing.T) {
	started := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name           string
		give           store.SyncJob
		wantStatus     string
		wantTotal      float64
		wantProcessed  float64
		wantPercentage float64
	}{
		{
			name:       "half done",
			give:       store.SyncJob{JobID: "sync-job-1", Kind: "FULL", Status: store.StatusProcessing, TotalAds: 1500, PublishedAds: 750, StartedAt: started, UpdatedAt: started.Add(time.Minute)},
			wantStatus: "processing", wantTotal: 1500, wantProcessed: 750, wantPercentage: 50,
		},
		{
			name:       "pending, total unknown",
			give:       store.SyncJob{JobID: "sync-job-1", Kind: "FULL", Status: store.StatusPending, StartedAt: started, UpdatedAt: started},
			wantStatus: "pending", wantTotal: 0, wantProcessed: 0, wantPercentage: 0,
		},
		{
			name:       "completed",
			give:       store.SyncJob{JobID: "sync-job-1", Kind: "FULL", Status: store.StatusCompleted, TotalAds: 3, PublishedAds: 3, StartedAt: started, UpdatedAt: started},
			wantStatus: "completed", wantTotal: 3, wantProcessed: 3, wantPercentage: 100,
		},
		{
			name:       "completed with nothing to fetch",
			give:       store.SyncJob{JobID: "sync-job-1", Kind: "FULL", Status: store.StatusCompleted, StartedAt: started, UpdatedAt: started},
			wantStatus: "completed", wantTotal: 0, wantProcessed: 0, wantPercentage: 100,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newFakeStore("acme")
			job := tt.give
			st.job = &job
			a := newTestAPI(t, st)
			got := a.doJSON(t, http.MethodGet, "/api/creatives/sync/status/acme?"+goodRange, "", http.StatusOK)
			if got["success"] != true || got["status"] != tt.wantStatus || got["startedAt"] != "2024-01-15T10:00:00Z" {
				t.Errorf("success %v status %v startedAt %v, want true %s 2024-01-15T10:00:00Z", got["success"], got["status"], got["startedAt"], tt.wantStatus)
			}
			p, ok := got["progress"].(map[string]any)
			if !ok {
				t.Fatalf("progress = %#v, want an object", got["progress"])
			}
			if p["totalAds"] != tt.wantTotal || p["processedAds"] != tt.wantProcessed || p["percentage"] != tt.wantPercentage {
				t.Errorf("progress %v, want totalAds %v processedAds %v percentage %v", p, tt.wantTotal, tt.wantProcessed, tt.wantPercentage)
			}
		})
	}
}

func TestSyncStatusWithoutJob(t *testing.T) {
	a := newTestAPI(t, newFakeStore("acme"))
	status, body := a.do(t, http.MethodGet, "/api/creatives/sync/status/acme?"+goodRange, "")
	if status != http.StatusNotFound {
		t.Fatalf("status %d, want 404; body %s", status, body)
	}
	decodeError(t, body)
}
