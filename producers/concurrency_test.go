package producers_test

import (
	"context"
	"testing"

	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/producers"
)

// A job's units overlap their Graph calls, never more than the setting
// allows, and the job is as exact as a sequential one: its progress and its
// checkpoints only go forward, and a checkpoint covers whole accounts.
func TestProducerOverlapsGraphCallsWithinItsConcurrency(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	const concurrency = 3
	e := newEnv(t, func(c *producers.Config) { c.GraphConcurrency = concurrency })
	// Calls that take a while, so that a sequential producer would never
	// have two in flight.
	e.setFaults(ctx, t, graphsim.Faults{LatencyMs: 20})
	e.enqueue(ctx, t, request("job-1", e.brand.BrandID))
	evs := e.waitJob(ctx, t, "job-1")
	e.setFaults(ctx, t, graphsim.Faults{})
	checkExactJob(ctx, t, e, "job-1", evs)

	if most := e.calls.most.Load(); most > concurrency || most < 2 {
		t.Errorf("at most %d Graph calls were in flight at once, want 2 to %d", most, concurrency)
	}
	var last struct{ permille, units, checkpoint int64 }
	for i, ev := range evs {
		if ev.ProgressPermille < last.permille || ev.UnitsDone < last.units || ev.CheckpointUnits < last.checkpoint {
			t.Errorf("event %d went back: %d ‰, %d units, checkpoint %d after %+v", i, ev.ProgressPermille, ev.UnitsDone, ev.CheckpointUnits, last)
		}
		if ev.UnitsTotal > 0 && ev.CheckpointUnits%(ev.UnitsTotal/int64(len(e.brand.AdAccountIDs))) != 0 {
			t.Errorf("event %d checkpoints %d of %d units: not whole accounts", i, ev.CheckpointUnits, ev.UnitsTotal)
		}
		last.permille, last.units, last.checkpoint = ev.ProgressPermille, ev.UnitsDone, ev.CheckpointUnits
	}
	if done := evs[len(evs)-1]; done.CheckpointUnits != done.UnitsTotal {
		t.Errorf("the job completed with a checkpoint of %d of %d units", done.CheckpointUnits, done.UnitsTotal)
	}
}
