package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
)

// TestTwoOfEachRole runs two APIs, two consumers and two producers, each a
// process of its own, on the test Kafka broker and ClickHouse, over a
// graphsim world of five brands of two ad accounts, and shows what running
// more than one of a role must keep:
//   - the work is shared: both producers run jobs, both consumers insert
//     rows (each process's /metrics);
//   - nothing is lost or doubled: every brand's ads and every creative
//     type's aggregations equal graphsim's truth exactly, and so do its days
//     in ClickHouse read through FINAL, whatever the raw rows hold;
//   - a range queued through one API reads complete through the other;
//   - 100 concurrent requests of one range, half to each API, get one job
//     id, and that job runs once: the producers skip every other request.
func TestTwoOfEachRole(t *testing.T) {
	testenv.Integration(t)
	p := startPipeline(t, pipelineOpts{chAddr: testenv.ClickHouseAddr(t), brokers: testenv.Kafka(t),
		brands: 5, accounts: 2, ads: 150, replicas: 2})
	p.waitGroupsShared(time.Minute)

	t.Run("five brands synced through both APIs", func(t *testing.T) {
		p := p.with(t)
		r := chaosRange{"2026-10-20", "2026-11-08"}
		before := p.scrapeRoles()
		jobs := make([]string, len(p.brands))
		for i, b := range p.brands {
			jobs[i] = p.forBrand(b).via(p.apis[i%2]).sync(r)
		}
		for i, b := range p.brands {
			p.forBrand(b).waitCompleted(r, jobs[i], time.Minute)
		}
		for i, b := range p.brands {
			// Read through the API the sync was not queued through.
			p.forBrand(b).via(p.apis[(i+1)%2]).verify(r, jobs[i])
			p.forBrand(b).checkDays(r)
		}
		work := p.scrapeRoles().minus(before)
		ran := 0.0
		for _, name := range []string{roleProducer, replicaName(roleProducer, 2)} {
			done, failed := work[name].sum(syncJobs, `status="completed"`), work[name].sum(syncJobs, `status="failed"`)
			t.Logf("%s: %.0f jobs completed, %.0f failed, %.0f records published", name, done, failed, work[name].sum("adstream_producer_records_total", ""))
			if done == 0 {
				t.Errorf("%s ran no job of the %d brands: the producers do not share the work", name, len(p.brands))
			}
			ran += done + failed
		}
		if ran != float64(len(p.brands)) {
			t.Errorf("the producers ran %.0f jobs for %d syncs, want one each", ran, len(p.brands))
		}
		for _, name := range []string{roleConsumer, replicaName(roleConsumer, 2)} {
			ads, insights := work[name].sum(rowsInserted, `table="ads"`), work[name].sum(rowsInserted, `table="ad_insights"`)
			t.Logf("%s: inserted %.0f ad rows, %.0f insight rows", name, ads, insights)
			if ads+insights == 0 {
				t.Errorf("%s inserted no ad or insight row: the consumers do not share the work", name)
			}
		}
	})

	t.Run("100 concurrent requests through both APIs make one job", func(t *testing.T) {
		p := p.with(t)
		r := chaosRange{"2026-11-09", "2026-11-22"}
		before := p.scrapeRoles()
		// The requests must all come while the job runs: a request after it
		// completed rightly queues the next job. 100 at once take seconds
		// to answer on a loaded machine, while a 14-day job of 300 ads takes
		// under one, so Graph answers slowly until they are answered.
		p.setFaults(`{"latency_ms":5000}`)
		ids := p.syncConcurrently(r, 100)
		p.setFaults(`{"latency_ms":0}`)
		for _, id := range ids {
			if id == "" || id != ids[0] {
				t.Fatalf("the 100 requests answered jobs %v; want one job id for all", distinct(ids))
			}
		}
		p.waitCompleted(r, ids[0], time.Minute)
		// Every request an API queued reaches a producer, which runs it or
		// skips it as a duplicate; count once all are handled, or a second
		// job ran.
		var work roleMetrics
		var ran float64
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			work = p.scrapeRoles().minus(before)
			ran = work.sum(roleProducer, syncJobs, `status="completed"`) + work.sum(roleProducer, syncJobs, `status="failed"`)
			if work.handled() >= work.queued() || ran > 1 || time.Now().After(deadline) {
				break
			}
		}
		t.Logf("the APIs queued %.0f requests of job %s; the producers ran %.0f job(s) and skipped %.0f duplicates",
			work.queued(), ids[0], ran, work.sum(roleProducer, syncJobs, `status="duplicate"`))
		if ran != 1 || work.handled() != work.queued() {
			t.Errorf("the producers ran %.0f jobs and handled %.0f requests of the %.0f the APIs queued; want 1 job, every request handled",
				ran, work.handled(), work.queued())
		}
		if n := p.jobsOf(r); n != 1 {
			t.Errorf("the range's sync events name %d jobs, want 1", n)
		}
		p.via(p.apis[1]).verify(r, ids[0])
	})
}

// waitGroupsShared waits until the producers' and the consumers' groups are
// stable with two members, each holding partitions: only then is there work
// for both.
func (p *pipeline) waitGroupsShared(limit time.Duration) {
	p.t.Helper()
	adm := admin(p.t, p.brokers)
	k := config.Kafka{GroupPrefix: p.groups}
	groups := []string{k.ProducerGroup(), k.ConsumerGroup()}
	waitFor(p.t, limit, "two members holding partitions in each of the groups "+strings.Join(groups, ", "), func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		described, err := adm.DescribeGroups(ctx, groups...)
		if err != nil || len(described) != len(groups) {
			return false
		}
		for _, g := range described {
			if g.Err != nil || g.State != "Stable" || len(g.Members) != 2 {
				return false
			}
			for _, m := range g.Members {
				if c, ok := m.Assigned.AsConsumer(); !ok || len(c.Topics) == 0 {
					return false
				}
			}
		}
		return true
	})
}

// syncConcurrently posts n syncs of r at once, alternately to each API, and
// returns the job id each answered ("" for a failed request).
func (p *pipeline) syncConcurrently(r chaosRange, n int) []string {
	ids := make([]string, n)
	body := `{"startDate":"` + r.start + `","endDate":"` + r.end + `"}`
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := http.Post(p.apis[i%len(p.apis)]+"/api/creatives/sync/"+p.brand.BrandID, "application/json", strings.NewReader(body))
			if err != nil {
				return
			}
			defer resp.Body.Close()
			var got struct {
				JobID string `json:"jobId"`
			}
			if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&got) == nil {
				ids[i] = got.JobID
			}
		}()
	}
	close(start)
	wg.Wait()
	return ids
}

// checkDays compares the brand's days of r in ClickHouse, read through
// FINAL as the API and the analysts' views read them, with graphsim's
// truth: a day stored twice would add to the sums. How many raw rows the
// table holds beside them (redelivered batches not merged yet) is logged.
func (p *pipeline) checkDays(r chaosRange) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	where := " WHERE brand_id = ? AND date BETWEEN toDate(?) AND toDate(?)"
	args := []any{p.brand.BrandID, r.start, r.end}
	var raw, final, ads uint64
	var got aggTotals
	if err := p.st.Conn().QueryRow(ctx, "SELECT count() FROM "+p.db+".ad_days"+where, args...).Scan(&raw); err != nil {
		p.t.Fatalf("raw days of %s: %v", p.brand.BrandID, err)
	}
	err := p.st.Conn().QueryRow(ctx, "SELECT count(), uniqExactIf(ad_id, impressions > 0), sum(spend_micros), sum(impressions), sum(clicks)"+
		" FROM "+p.db+".ad_days FINAL"+where, args...).Scan(&final, &ads, &got.TotalSpendMicros, &got.TotalImpressions, &got.TotalClicks)
	if err != nil {
		p.t.Fatalf("days of %s: %v", p.brand.BrandID, err)
	}
	got.TotalAds = int64(ads)
	var truth aggTotals
	getJSON(p.t, p.sim+"/_sim/truth?brand_id="+p.brand.BrandID+"&since="+r.start+"&until="+r.end+"&creative_type=all", &truth)
	want := aggTotals{TotalAds: truth.TotalAds, TotalSpendMicros: truth.TotalSpendMicros, TotalImpressions: truth.TotalImpressions, TotalClicks: truth.TotalClicks}
	p.t.Logf("%s %s..%s: %d day rows through FINAL, %d raw", p.brand.BrandID, r.start, r.end, final, raw)
	if got != want {
		p.t.Errorf("%s's days of %s..%s through FINAL:\n got %+v\nwant %+v (graphsim truth)", p.brand.BrandID, r.start, r.end, got, want)
	}
}

// jobsOf is how many jobs the sync events of r name.
func (p *pipeline) jobsOf(r chaosRange) uint64 {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var n uint64
	err := p.st.Conn().QueryRow(ctx, "SELECT uniqExact(job_id) FROM "+p.db+".sync_events"+
		" WHERE brand_id = ? AND start_date = toDate(?) AND end_date = toDate(?)", p.brand.BrandID, r.start, r.end).Scan(&n)
	if err != nil {
		p.t.Fatalf("jobs of %s..%s: %v", r.start, r.end, err)
	}
	return n
}

// The counters the test reads.
const (
	syncJobs     = "adstream_sync_jobs_total"
	rowsInserted = "adstream_consumer_rows_inserted_total"
	syncsQueued  = "adstream_api_sync_jobs_queued_total"
)

// samples are the samples of one /metrics page, by series as written there
// (`adstream_sync_jobs_total{status="completed"}`).
type samples map[string]float64

// sum adds the samples of metric whose labels contain label ("" for all).
func (s samples) sum(metric, label string) float64 {
	total := 0.0
	for series, v := range s {
		name, labels, _ := strings.Cut(series, "{")
		if name == metric && strings.Contains(labels, label) {
			total += v
		}
	}
	return total
}

// roleMetrics are the samples of every role process, by its name.
type roleMetrics map[string]samples

// scrapeRoles reads the /metrics of every API, consumer and producer.
func (p *pipeline) scrapeRoles() roleMetrics {
	p.t.Helper()
	out := roleMetrics{}
	for name, u := range p.metrics {
		resp, err := http.Get(u)
		if err != nil {
			p.t.Fatalf("metrics of %s: %v", name, err)
		}
		out[name] = parseSamples(resp.Body)
		resp.Body.Close()
	}
	return out
}

// parseSamples reads Prometheus's text format: one sample a line, comments
// skipped, no timestamps (client_golang writes none).
func parseSamples(r io.Reader) samples {
	s := samples{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if i < 0 || strings.HasPrefix(line, "#") {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			s[line[:i]] = v
		}
	}
	return s
}

// minus is what every counter gained since before.
func (m roleMetrics) minus(before roleMetrics) roleMetrics {
	out := roleMetrics{}
	for name, s := range m {
		d := samples{}
		for series, v := range s {
			d[series] = v - before[name][series]
		}
		out[name] = d
	}
	return out
}

// sum adds metric's samples with label over every process of role.
func (m roleMetrics) sum(role, metric, label string) float64 {
	total := 0.0
	for name, s := range m {
		if name == role || strings.HasPrefix(name, role+"-") {
			total += s.sum(metric, label)
		}
	}
	return total
}

// queued is how many sync requests the APIs published.
func (m roleMetrics) queued() float64 { return m.sum(roleAPI, syncsQueued, "") }

// handled is how many sync requests the producers took: run or skipped.
func (m roleMetrics) handled() float64 { return m.sum(roleProducer, syncJobs, "") }
