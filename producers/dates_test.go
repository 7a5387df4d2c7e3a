package producers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/producers"
	"github.com/adstream/adstream/schemas"
)

// A request for days the store cannot hold (from the CLI, or an API that did
// not check) fails at once with the date named, before a single Graph API
// call: retries wait an hour here, so a retried job would not end in time.
func TestProducerFailsUnstorableRangeAtOnce(t *testing.T) {
	tests := []struct {
		name       string
		start, end string
		wantError  []string
	}{
		{name: "end past the store", start: "2200-01-01", end: "2200-01-31", wantError: []string{"2200-01-01", "after 2105-12-31"}},
		{name: "wraps onto 2026", start: "2205-06-08", end: "2206-05-04", wantError: []string{"2205-06-08", "after 2105-12-31"}},
		{name: "start before 1970", start: "1969-12-31", end: "2026-11-27", wantError: []string{"1969-12-31", "before 1970-01-02"}},
		{name: "not a date", start: "2026-11-01", end: "2026-13-01", wantError: []string{"2026-13-01", "YYYY-MM-DD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
			defer cancel()
			e := newEnv(t, func(c *producers.Config) { c.RetryBackoff = time.Hour })
			req := request("job-bad", e.brand.BrandID)
			req.StartDate, req.EndDate = tt.start, tt.end
			e.enqueue(ctx, t, req)
			evs := e.waitJob(ctx, t, "job-bad")
			if len(evs) != 1 || evs[0].Type != schemas.SyncFailed {
				t.Fatalf("job events %d, last %s; want one FAILED", len(evs), evs[len(evs)-1].Type)
			}
			for _, want := range append(tt.wantError, store.ErrBadDate.Error()) {
				if !strings.Contains(evs[0].Error, want) {
					t.Errorf("FAILED error = %q, want it to name %q", evs[0].Error, want)
				}
			}
			var stats struct {
				Calls int64 `json:"calls"`
			}
			getJSON(ctx, t, e.simURL+"/_sim/stats", &stats)
			if stats.Calls != 0 {
				t.Errorf("graphsim answered %d calls for the job, want none", stats.Calls)
			}
		})
	}
}
