package producers_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/producers"
	"github.com/adstream/adstream/schemas"
)

// memJobs is the jobs view of the store, in memory.
type memJobs struct {
	ranges []store.Range
	latest map[store.Range]store.SyncJob
	queued []string
}

func (m *memJobs) SyncedRanges(context.Context, time.Time) ([]store.Range, error) {
	return m.ranges, nil
}

func (m *memJobs) LatestJob(_ context.Context, r store.Range) (store.SyncJob, error) {
	j, ok := m.latest[r]
	if !ok {
		return store.SyncJob{}, store.ErrNotFound
	}
	return j, nil
}

func (m *memJobs) RecordQueued(_ context.Context, r store.Range, jobID string, _ schemas.SyncKind, at time.Time) error {
	m.queued = append(m.queued, jobID)
	m.latest[r] = store.SyncJob{JobID: jobID, Status: store.StatusPending, UpdatedAt: at}
	return nil
}

type memQueue struct{ reqs []*schemas.SyncRequest }

func (q *memQueue) Enqueue(_ context.Context, r *schemas.SyncRequest) error {
	q.reqs = append(q.reqs, r)
	return nil
}

func TestSchedulerRefreshesStaleRangesOnly(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	rng := func(b string) store.Range {
		return store.Range{BrandID: b, StartDate: "2026-11-01", EndDate: "2026-11-27"}
	}
	hist := &memJobs{
		ranges: []store.Range{rng("stale"), rng("fresh"), rng("running"), rng("failed-long-ago")},
		latest: map[store.Range]store.SyncJob{
			rng("stale"):           {Status: store.StatusCompleted, UpdatedAt: now.Add(-7 * time.Hour)},
			rng("fresh"):           {Status: store.StatusCompleted, UpdatedAt: now.Add(-time.Hour)},
			rng("running"):         {Status: store.StatusProcessing, UpdatedAt: now.Add(-time.Minute)},
			rng("failed-long-ago"): {Status: store.StatusFailed, UpdatedAt: now.Add(-8 * time.Hour)},
		},
	}
	q := &memQueue{}
	clock := now
	s := &producers.Scheduler{Config: producers.SchedulerConfig{Interval: 6 * time.Hour}, History: hist,
		Jobs: &jobs.Queue{Store: hist, Publisher: q, Now: func() time.Time { return clock }}, Log: slog.New(slog.DiscardHandler)}
	n, err := s.Tick(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range q.reqs {
		if r.Kind != schemas.SyncKindRefresh || r.StartDate != "2026-11-01" || r.EndDate != "2026-11-27" {
			t.Errorf("request %+v, want a REFRESH of the range", r)
		}
		got = append(got, r.BrandID)
	}
	if n != 2 || fmt.Sprint(got) != "[stale failed-long-ago]" {
		t.Fatalf("queued %d: %v, want [stale failed-long-ago]", n, got)
	}
	// The next tick within the interval finds them pending: nothing new.
	clock = now.Add(time.Minute)
	if n, _ := s.Tick(context.Background(), clock); n != 0 {
		t.Fatalf("second tick queued %d, want 0", n)
	}
}
