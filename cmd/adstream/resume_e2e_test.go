package main

import (
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
)

// TestKilledProducerResumesItsJob kills the producer with SIGKILL once the
// first of three ad accounts of a job is done, and starts it again: the
// restarted producer takes the job back and finishes it from the second
// account on, with fewer Graph calls than a fresh job of the same range
// made, reporting the counts of the whole job, and what ClickHouse stores
// equals graphsim's truth.
func TestKilledProducerResumesItsJob(t *testing.T) {
	testenv.Integration(t)
	// One Graph call at a time: the accounts then run one after another
	// (the gate favours the plan's first), and the job lasts long enough
	// after the first account's checkpoint for the kill to find it running.
	p := startPipeline(t, pipelineOpts{chAddr: testenv.ClickHouseAddr(t), brokers: testenv.Kafka(t),
		accounts: 3, ads: 300, latencyMs: 40, graphConcurrency: 1})
	r := chaosRange{"2026-10-01", "2026-10-30"}

	before := p.simCalls()
	fresh := p.sync(r)
	p.waitCompleted(r, fresh, 2*time.Minute)
	freshCalls := p.simCalls() - before

	job := p.sync(r)
	if job == fresh {
		t.Fatalf("the second sync of the range got the first job's id %s", job)
	}
	killedAt := p.waitJob(r, job, time.Minute, "the first account's checkpoint", func(j store.SyncJob) bool {
		return j.UnitsTotal > 0 && j.CheckpointUnits >= j.UnitsTotal/3
	})
	p.role(roleProducer).kill()
	if killedAt.Status != store.StatusProcessing {
		t.Fatalf("the job was %s when the producer was killed; the test needs it running", killedAt.Status)
	}
	restartedCalls := p.simCalls()
	p.role(roleProducer).restart(t)
	done := p.waitCompleted(r, job, 2*time.Minute)
	resumedCalls := p.simCalls() - restartedCalls
	t.Logf("fresh job: %d Graph calls; killed at checkpoint %d of %d units, the restarted producer made %d",
		freshCalls, killedAt.CheckpointUnits, killedAt.UnitsTotal, resumedCalls)
	if resumedCalls >= freshCalls {
		t.Errorf("the restarted producer made %d Graph calls, a fresh job %d: it started over", resumedCalls, freshCalls)
	}
	if served := len(p.servedAds(r)); done.PublishedAds != int64(served) || done.PublishedInsights != int64(served) {
		t.Errorf("the completed job reports %d ads and %d insights; graphsim serves %d ads: the counts are not the whole job's",
			done.PublishedAds, done.PublishedInsights, served)
	}
	p.verify(r, job)
}
