package consumers

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
)

// slowStore answers that a job is not stored yet, taking took to say so.
type slowStore struct {
	Aggregates
	took   time.Duration
	checks int
}

func (s *slowStore) JobStored(context.Context, store.CompletedJob) (bool, error) {
	s.checks++
	time.Sleep(s.took)
	return false, nil
}

func TestChecksOfAJobWaitInProportionToTheirCost(t *testing.T) {
	job := store.CompletedJob{Range: store.Range{BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-30"}, JobID: "j1",
		CompletedAt: time.Now()}
	for _, tt := range []struct {
		name string
		took time.Duration
		// checks after a check, a flush 100 ms later (a batch's insert),
		// and a flush 800 ms after that
		want [3]int
	}{
		// A cheap check follows every flush: the one that stores a job's
		// last records rebuilds its range at once.
		{name: "cheap", took: time.Millisecond, want: [3]int{1, 2, 3}},
		// One of 100 ms waits 400 ms, however often batches are flushed.
		{name: "costly", took: 100 * time.Millisecond, want: [3]int{1, 1, 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &slowStore{took: tt.took}
			a := newAggregator(s, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour, nil)
			a.want(job)
			var got [3]int
			a.check(context.Background(), true)
			got[0] = s.checks
			time.Sleep(100 * time.Millisecond)
			a.check(context.Background(), true)
			got[1] = s.checks
			time.Sleep(800 * time.Millisecond)
			a.check(context.Background(), true)
			got[2] = s.checks
			if got != tt.want {
				t.Errorf("JobStored calls after each check: %v; want %v", got, tt.want)
			}
		})
	}
}
