package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
)

// chaosEnv turns the chaos suite on; make chaos sets it. make test runs
// the rest of this package without it.
const chaosEnv = "ADSTREAM_CHAOS"

// The faults of the suite, each in a range of its own: 21 days (3 chunks
// an account) in which 1,100 to 1,950 of graphsim's ads have data (its
// world's ads appear over the months before its clock, 2026-11-28). The
// producer scenario syncs the consumer scenario's range again, so that its
// Graph calls compare with a fresh job's.
var (
	rangeConsumer = chaosRange{"2026-11-06", "2026-11-26"}
	rangeAPI      = chaosRange{"2026-10-16", "2026-11-05"}
	rangeCH       = chaosRange{"2026-09-25", "2026-10-15"}
	rangeKafka    = chaosRange{"2026-09-04", "2026-09-24"}
	rangeGraph    = chaosRange{"2026-08-14", "2026-09-03"}
)

// TestChaos runs the pipeline's roles as processes of their own against a
// ClickHouse server and a Kafka broker of the suite's own, and hurts one
// thing in the middle of each of six syncs of a graphsim world of 3 ad
// accounts of 1,000 ads:
// kill -9 the consumer, kill -9 the producer, kill -9 the API while a
// client follows the progress stream, stop ClickHouse for 10 s, stop Kafka
// for about 15 s, Graph API throttling, 500s and truncated bodies. After
// each, every stored ad and every creative type's aggregations equal
// graphsim's truth for the range, the job completed and no job is left
// pending, processing or failed, and the dead-letter topic is empty. The
// time from each return to the first progress is printed in a table.
func TestChaos(t *testing.T) {
	if os.Getenv(chaosEnv) != "1" {
		t.Skip("the chaos suite runs with make chaos (" + chaosEnv + "=1)")
	}
	began := time.Now()
	srv := startPrivateServers(t)
	// One Graph call at a time, as the README's figures were measured: the
	// producer-kill scenario needs the job running after its first
	// account's checkpoint, and with concurrent calls a 140-call job ends
	// within a second or two of it.
	c := &chaos{srv: srv, p: startPipeline(t, pipelineOpts{chAddr: srv.chAddr(), brokers: srv.brokers(),
		accounts: 3, ads: 1000, latencyMs: 20, graphConcurrency: 1})}
	defer func() { c.print(os.Stdout, time.Since(began)) }()
	for _, sc := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"consumer killed", c.consumerKilled},
		{"producer killed", c.producerKilled},
		{"API killed while streaming", c.apiKilled},
		{"ClickHouse stopped", c.clickHouseStopped},
		{"Kafka stopped", c.kafkaStopped},
		{"Graph API faults", c.graphFaults},
	} {
		t.Run(sc.name, sc.run)
	}
}

// chaos is the suite's state: the servers, the pipeline, what it measured.
type chaos struct {
	srv        *privateServers
	p          *pipeline
	freshCalls int64 // Graph calls of the consumer scenario's job, which no fault touched
	rows       []recovery
}

// midSync says a job is running and some way in: the fault hits it there.
func midSync(j store.SyncJob) bool {
	return j.Status == store.StatusProcessing && j.UnitsTotal > 0 && j.ProgressPermille >= 200
}

// start queues a sync of r and waits until it is some way in.
func (c *chaos) start(t *testing.T, r chaosRange) (p *pipeline, job string, began time.Time) {
	t.Helper()
	p = c.p.with(t)
	began = time.Now()
	job = p.sync(r)
	p.waitJob(r, job, time.Minute, "the job to be some way in", func(j store.SyncJob) bool {
		if j.Status == store.StatusCompleted {
			t.Fatalf("job %s completed before the fault: the sync is too fast for the suite (raise the latency)", job)
		}
		return midSync(j)
	})
	return p, job, began
}

// hit fails the test when the job completed before the fault hit it.
func (c *chaos) hit(t *testing.T, p *pipeline, r chaosRange, job string) {
	t.Helper()
	if j, err := p.job(r, job); err == nil && j.Status == store.StatusCompleted {
		t.Fatalf("job %s completed before the fault hit it: the sync is too fast for the suite (raise the latency)", job)
	}
}

// finish records a scenario's line once its checks ran.
func (c *chaos) finish(t *testing.T, row recovery) {
	row.passed = !t.Failed()
	c.rows = append(c.rows, row)
}

func (c *chaos) consumerKilled(t *testing.T) {
	calls := c.p.simCalls()
	p, job, began := c.start(t, rangeConsumer)
	consumer := p.role(roleConsumer)
	consumer.kill()
	c.hit(t, p, rangeConsumer, job)
	before, _ := p.job(rangeConsumer, job) // nothing stores progress until it is back
	back := consumer.restart(t)
	rec := p.waitMoved(rangeConsumer, job, back, before, time.Minute)
	p.waitCompleted(rangeConsumer, job, 2*time.Minute)
	row := recovery{scenario: "consumer killed", fault: "kill -9, restarted at once", recovered: rec, job: time.Since(began)}
	c.freshCalls = p.simCalls() - calls // its producer ran undisturbed: a fresh job's calls
	row.note = fmt.Sprintf("fresh job: %d Graph calls", c.freshCalls)
	p.verify(rangeConsumer, job)
	c.finish(t, row)
}

func (c *chaos) producerKilled(t *testing.T) {
	p := c.p.with(t)
	began := time.Now()
	job := p.sync(rangeConsumer) // again: a new job of a range whose fresh job's calls are known
	before := p.waitJob(rangeConsumer, job, time.Minute, "the first account's checkpoint", func(j store.SyncJob) bool {
		return j.Status == store.StatusProcessing && j.UnitsTotal > 0 && j.CheckpointUnits >= j.UnitsTotal/3
	})
	producer := p.role(roleProducer)
	producer.kill()
	c.hit(t, p, rangeConsumer, job)
	calls := p.simCalls()
	back := producer.restart(t)
	rec := p.waitMoved(rangeConsumer, job, back, before, time.Minute)
	p.waitCompleted(rangeConsumer, job, 2*time.Minute)
	resumed := p.simCalls() - calls
	row := recovery{scenario: "producer killed", fault: "kill -9 after its first account, restarted at once", recovered: rec,
		job: time.Since(began), note: fmt.Sprintf("resumed: %d Graph calls (fresh job %d)", resumed, c.freshCalls)}
	switch {
	case c.freshCalls == 0:
		t.Error("no fresh job's Graph calls to compare with: the consumer scenario did not measure them")
	case resumed >= c.freshCalls:
		t.Errorf("the restarted producer made %d Graph calls, a fresh job %d: it did not resume", resumed, c.freshCalls)
	}
	p.verify(rangeConsumer, job)
	c.finish(t, row)
}

func (c *chaos) apiKilled(t *testing.T) {
	p, job, began := c.start(t, rangeAPI)
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan time.Time, 1024)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); p.progressStream(ctx, rangeAPI, events) }()
	defer func() { cancel(); wg.Wait() }()
	select {
	case <-events:
	case <-time.After(30 * time.Second):
		t.Fatal("no progress event on the stream within 30 s")
	}
	api := p.role(roleAPI)
	api.kill()
	killed := time.Now()
	c.hit(t, p, rangeAPI, job)
	time.Sleep(time.Second) // the client meets a refused connection or two
	back := api.restart(t)
	var rec time.Duration
	for rec == 0 {
		select {
		case at := <-events:
			if at.After(back) {
				rec = at.Sub(back)
			}
		case <-time.After(time.Minute):
			t.Fatal("the progress stream did not deliver an event within a minute of the API's restart")
		}
	}
	p.waitCompleted(rangeAPI, job, 2*time.Minute)
	row := recovery{scenario: "API killed", fault: "kill -9 while a client follows the progress stream", away: back.Sub(killed),
		recovered: rec, job: time.Since(began), note: "recovery: restart to the next progress event on the client's stream"}
	p.verify(rangeAPI, job)
	c.finish(t, row)
}

func (c *chaos) clickHouseStopped(t *testing.T) {
	p, job, began := c.start(t, rangeCH)
	c.hit(t, p, rangeCH, job)
	before, _ := p.job(rangeCH, job) // the last state readable before the stop
	c.srv.stopClickHouse()
	defer c.srv.startClickHouse() // whatever fails, the next scenario has a server
	for _, path := range []string{"/api/creatives/demo/aggregations?" + rangeCH.query(), "/api/creatives/demo?" + rangeCH.query()} {
		code, retry := p.status(path)
		if code != http.StatusServiceUnavailable || retry == "" {
			t.Errorf("GET %s with ClickHouse down: HTTP %d, Retry-After %q; want 503 with Retry-After", path, code, retry)
		}
	}
	time.Sleep(time.Until(c.srv.chStopped.Add(10 * time.Second)))
	away, back := c.srv.startClickHouse()
	rec := p.waitMoved(rangeCH, job, back, before, time.Minute)
	p.waitCompleted(rangeCH, job, 2*time.Minute)
	row := recovery{scenario: "ClickHouse stopped", fault: "stopped 10 s; reads answered 503", away: away, recovered: rec, job: time.Since(began)}
	p.verify(rangeCH, job)
	c.finish(t, row)
}

func (c *chaos) kafkaStopped(t *testing.T) {
	p, job, began := c.start(t, rangeKafka)
	c.srv.stopKafka()
	c.hit(t, p, rangeKafka, job)
	before, _ := p.job(rangeKafka, job)
	defer c.srv.startKafka()
	time.Sleep(time.Until(c.srv.kafkaStopped.Add(11 * time.Second))) // it answers 3-10 s after its start begins
	away, back := c.srv.startKafka()
	rec := p.waitMoved(rangeKafka, job, back, before, 2*time.Minute)
	p.waitCompleted(rangeKafka, job, 2*time.Minute)
	row := recovery{scenario: "Kafka stopped", fault: "broker stopped, then restarted", away: away, recovered: rec, job: time.Since(began)}
	p.verify(rangeKafka, job)
	c.finish(t, row)
}

func (c *chaos) graphFaults(t *testing.T) {
	p, job, began := c.start(t, rangeGraph)
	was := graphErrors(t, p.sim)
	p.setFaults(`{"latency_ms":20,"transient_rate":0.15,"truncate_rate":0.1,"throttle_rate":0.1}`)
	on := time.Now()
	defer p.setFaults(`{"latency_ms":20}`)
	c.hit(t, p, rangeGraph, job)
	// On for 5 s at least, and until graphsim answered both a 500 and a
	// throttle (25 s at most: a throttled client stays away 5-20 s), or
	// the job completed through them.
	var served graphStats
	var before store.SyncJob
	for {
		served = graphErrors(t, p.sim).minus(was)
		before, _ = p.job(rangeGraph, job)
		if (served.transient() > 0 && served.Throttled > 0 && time.Since(on) >= 5*time.Second) ||
			time.Since(on) >= 25*time.Second || before.Status == store.StatusCompleted {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.setFaults(`{"latency_ms":20}`)
	back := time.Now()
	rec := time.Duration(-1) // the job completed while the faults were on: no return to measure
	if before.Status != store.StatusCompleted {
		rec = p.waitMoved(rangeGraph, job, back, before, time.Minute)
	}
	p.waitCompleted(rangeGraph, job, 2*time.Minute)
	if served.transient() == 0 || served.Throttled == 0 {
		t.Errorf("in %s of faults graphsim answered %d 500s and %d throttles: the scenario did not test both", back.Sub(on).Round(time.Second), served.transient(), served.Throttled)
	}
	row := recovery{scenario: "Graph API faults", fault: "500s, truncated bodies, throttling", away: back.Sub(on), recovered: rec,
		job: time.Since(began), note: fmt.Sprintf("graphsim answered %d 500s and %d throttles", served.transient(), served.Throttled)}
	p.verify(rangeGraph, job)
	c.finish(t, row)
}
