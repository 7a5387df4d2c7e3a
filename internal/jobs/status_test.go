package jobs_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/internal/tokenbox"
)

func TestProgressOf(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		give    store.SyncJob
		wantPct int64
		wantETA time.Time
	}{
		{"pending", store.SyncJob{Status: store.StatusPending, CreatedAt: t0, UpdatedAt: t0}, 0, time.Time{}},
		{"planned, nothing published", store.SyncJob{Status: store.StatusProcessing, TotalAds: 1000, StartedAt: t0, UpdatedAt: t0.Add(time.Second)}, 0, time.Time{}},
		{"a quarter in 10 s", store.SyncJob{Status: store.StatusProcessing, TotalAds: 1000, PublishedAds: 250, StartedAt: t0, UpdatedAt: t0.Add(10 * time.Second)},
			25, t0.Add(40 * time.Second)},
		{"all planned published, not yet complete", store.SyncJob{Status: store.StatusProcessing, TotalAds: 1000, PublishedAds: 1000, StartedAt: t0, UpdatedAt: t0.Add(time.Second)},
			99, t0.Add(time.Second)},
		{"completed under plan", store.SyncJob{Status: store.StatusCompleted, TotalAds: 700, PublishedAds: 700, StartedAt: t0, UpdatedAt: t0.Add(time.Second)}, 100, time.Time{}},
		{"stale", store.SyncJob{Status: store.StatusProcessing, TotalAds: 1000, PublishedAds: 250, StartedAt: t0.Add(-2 * time.Hour), UpdatedAt: t0.Add(-time.Hour)}, 25, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := jobs.ProgressOf(tt.give, t0.Add(30*time.Second))
			if got.Percentage != tt.wantPct || !got.EstimatedCompletion.Equal(tt.wantETA) {
				t.Fatalf("progress %+v; want %d%%, ETA %v", got, tt.wantPct, tt.wantETA)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	expired := &graph.APIError{Status: 400, Code: 190, Subcode: 463, Message: "Session has expired", TraceID: "AbC123"}
	tests := []struct {
		give     error
		wantCode string
		wantText string
	}{
		{fmt.Errorf("act_1 page 2: %w", expired), jobs.CodeTokenInvalid, "Graph error 190"},
		{fmt.Errorf("brand x token: %w", tokenbox.ErrCannotOpen), jobs.CodeTokenInvalid, "ADSTREAM_TOKEN_KEY"},
		{&graph.APIError{Status: 400, Code: 200, Message: "Permissions error", TraceID: "AbC123"}, jobs.CodePermissionDenied, "ads_read"},
		{&graph.APIError{Status: 400, Code: 17, Message: "User request limit reached", TraceID: "AbC123"}, jobs.CodeRateLimited, "later"},
		{&graph.APIError{Status: 500, Code: 2, Message: "unexpected error", TraceID: "AbC123"}, jobs.CodeGraphUnavailable, "Graph error 2"},
		{fmt.Errorf("days: %w", &graph.ReportRunError{RunID: "9001", AccountID: "1", Since: "2026-11-01", Until: "2026-11-01", Status: graph.JobFailed}),
			jobs.CodeGraphUnavailable, `2026-11-01..2026-11-01 ended "Job Failed"`},
		{fmt.Errorf("brand nope: %w", store.ErrNotFound), jobs.CodeInternal, "nope"},
		{errors.New("encode record: broken"), jobs.CodeInternal, "encode record: broken"},
	}
	for _, tt := range tests {
		t.Run(tt.wantCode+" "+tt.wantText, func(t *testing.T) {
			f := jobs.Classify(tt.give)
			if f.Code != tt.wantCode || !strings.Contains(f.Message, tt.wantText) || strings.Contains(f.Message, "AbC123") {
				t.Fatalf("Classify = %+v; want code %s naming %q, without the trace id", f, tt.wantCode, tt.wantText)
			}
		})
	}
}

func TestClockIsStrictlyIncreasing(t *testing.T) {
	var c jobs.Clock
	last := c.Next()
	for range 10000 {
		n := c.Next()
		if n <= last {
			t.Fatalf("%d after %d", n, last)
		}
		last = n
	}
}
