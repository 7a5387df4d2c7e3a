package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/internal/tokenbox"
)

// pipelineOpts are the servers a pipeline uses and the graphsim world it
// syncs.
type pipelineOpts struct {
	chAddr        string
	brokers       []string
	accounts, ads int // graphsim: ad accounts of the brand, ads per account
	latencyMs     int // graphsim: added to every Graph call, so a sync takes seconds
}

// pipeline is adstream as an operator runs it: `adstream graphsim`, `api`,
// `consumer` and `producer`, each a process of its own, on a ClickHouse
// database, Kafka topics and groups of their own. Tests kill, stop and
// restart the roles; the checks read the API, graphsim and ClickHouse.
type pipeline struct {
	t        *testing.T
	sim, api string // base URLs
	roles    map[string]*proc
	db       string
	topics   config.Topics
	brokers  []string
	st       *store.Store
	brand    simBrand
}

// simBrand is graphsim's first brand, "demo", as /_sim/brands shows it.
type simBrand struct {
	BrandID      string   `json:"brand_id"`
	AccessToken  string   `json:"access_token"`
	AdAccountIDs []string `json:"ad_account_ids"`
}

// The roles of a pipeline, by the name of their command.
const (
	roleGraphsim = "graphsim"
	roleAPI      = "api"
	roleConsumer = "consumer"
	roleProducer = "producer"
)

// startPipeline starts the roles and registers graphsim's demo brand
// through the API. Everything it made is removed when the test ends, the
// processes first.
func startPipeline(t *testing.T, o pipelineOpts) *pipeline {
	t.Helper()
	p := &pipeline{t: t, roles: map[string]*proc{}, brokers: o.brokers,
		db: testenv.UniqueName(t, "db"), sim: "http://" + freeAddr(t), api: "http://" + freeAddr(t)}
	prefix := testenv.UniqueName(t, "t")
	groups := testenv.UniqueName(t, "g")
	env := config.NewEnv(func(k string) string {
		return map[string]string{"ADSTREAM_TOPIC_PREFIX": prefix}[k]
	})
	p.topics = config.LoadTopics(env)
	conn, err := store.Open(context.Background(), config.ClickHouse{Addr: o.chAddr, Database: p.db, Username: "default"})
	if err != nil {
		t.Fatalf("clickhouse %s: %v", o.chAddr, err)
	}
	p.st = store.New(conn, p.db)
	t.Cleanup(func() { p.dropEverything(conn, groups) })

	faults, _ := json.Marshal(map[string]int{"latency_ms": o.latencyMs})
	p.roles[roleGraphsim] = startProc(t, roleGraphsim, nil, "graphsim", "--addr", strings.TrimPrefix(p.sim, "http://"),
		"--accounts", strconv.Itoa(o.accounts), "--ads", strconv.Itoa(o.ads),
		// Only the faults a scenario sets throttle: no bucket fills up over a suite.
		"--call-budget", "1e9", "--faults", string(faults))
	waitFor(t, 30*time.Second, "graphsim to answer", func() bool {
		var brands []simBrand
		if getJSON(t, p.sim+"/_sim/brands", &brands) != http.StatusOK || len(brands) == 0 {
			return false
		}
		p.brand = brands[0]
		return true
	})

	common := map[string]string{
		"ADSTREAM_CLICKHOUSE_ADDR":     o.chAddr,
		"ADSTREAM_CLICKHOUSE_DATABASE": p.db,
		"ADSTREAM_KAFKA_BROKERS":       strings.Join(o.brokers, ","),
		"ADSTREAM_TOPIC_PREFIX":        prefix,
		"ADSTREAM_KAFKA_GROUP_PREFIX":  groups,
		"ADSTREAM_GRAPH_URL":           p.sim,
		"ADSTREAM_TOKEN_KEY":           tokenbox.NewKey(),
		"ADSTREAM_LOG_LEVEL":           "info",
		// Every job fetches every day of its range, stored or not, so that
		// two jobs of a range make the same Graph calls.
		"ADSTREAM_INSIGHTS_LOOKBACK": "87600h",
		"ADSTREAM_REFRESH_INTERVAL":  "720h", // no scheduled refresh among the tests' jobs
	}
	with := func(more map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range common {
			m[k] = v
		}
		for k, v := range more {
			m[k] = v
		}
		return m
	}
	// Roles migrate at start, but ALTERs are not idempotent on 18.16: migrate once first.
	if err := startProc(t, "migrate", common, "migrate").wait(time.Minute); err != nil {
		t.Fatalf("adstream migrate: %v", err)
	}
	p.roles[roleAPI] = startProc(t, roleAPI, with(map[string]string{
		"ADSTREAM_HTTP_ADDR": strings.TrimPrefix(p.api, "http://"), "ADSTREAM_ALLOW_NO_AUTH": "true",
		"ADSTREAM_RATE_LIMIT": "0", "ADSTREAM_SYNC_RATE_LIMIT": "0", "ADSTREAM_PRESYNC_RANGES": "off",
	}), "api")
	p.roles[roleConsumer] = startProc(t, roleConsumer, with(map[string]string{
		"ADSTREAM_METRICS_ADDR": freeAddr(t), "ADSTREAM_INSTANCE_ID": "consumer-1", "ADSTREAM_FLUSH_INTERVAL": "200ms",
	}), "consumer")
	p.roles[roleProducer] = startProc(t, roleProducer, with(map[string]string{
		"ADSTREAM_METRICS_ADDR": freeAddr(t), "ADSTREAM_INSTANCE_ID": "producer-1",
	}), "producer")
	waitFor(t, 60*time.Second, "the API to be ready", func() bool { return p.get("/readyz", nil) == http.StatusOK })

	body, _ := json.Marshal(map[string]any{"brandId": "demo", "name": "Demo", "accessToken": p.brand.AccessToken,
		"adAccountIds": p.brand.AdAccountIDs})
	if code := post(t, p.api+"/api/brands", string(body)); code != http.StatusOK && code != http.StatusCreated {
		t.Fatalf("register the demo brand: HTTP %d", code)
	}
	return p
}

// dropEverything removes the database, topics and groups of the pipeline.
func (p *pipeline) dropEverything(conn driver.Conn, groups string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+p.db)
	conn.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(p.brokers...))
	if err != nil {
		return
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	_, _ = adm.DeleteTopics(ctx, p.topics.All()...)
	_, _ = adm.DeleteGroups(ctx, groups+"-producers", groups+"-consumers")
}

// role is the process of a role.
func (p *pipeline) role(name string) *proc { return p.roles[name] }

// with returns the pipeline for a subtest: its checks fail t.
func (p *pipeline) with(t *testing.T) *pipeline {
	c := *p
	c.t = t
	return &c
}

// get reads the API; out may be nil.
func (p *pipeline) get(path string, out any) int {
	if out == nil {
		out = &json.RawMessage{}
	}
	return getJSON(p.t, p.api+path, out)
}

// chaosRange is a date range of the demo brand.
type chaosRange struct{ start, end string }

func (r chaosRange) query() string { return "startDate=" + r.start + "&endDate=" + r.end }
func (r chaosRange) store() store.Range {
	return store.Range{BrandID: "demo", StartDate: r.start, EndDate: r.end}
}

// sync queues a sync of r through the API and returns its job id.
func (p *pipeline) sync(r chaosRange) string {
	p.t.Helper()
	var got struct {
		JobID string `json:"jobId"`
	}
	if code := postJSON(p.t, p.api+"/api/creatives/sync/demo", `{"startDate":"`+r.start+`","endDate":"`+r.end+`"}`, &got); code != http.StatusOK || got.JobID == "" {
		p.t.Fatalf("POST sync %s..%s: HTTP %d, job %q", r.start, r.end, code, got.JobID)
	}
	return got.JobID
}

// job reads the state of a job from ClickHouse, as the API does.
func (p *pipeline) job(r chaosRange, id string) (store.SyncJob, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.st.Job(ctx, r.store(), id)
}

// waitJob waits until the job's stored state satisfies ok.
func (p *pipeline) waitJob(r chaosRange, id string, limit time.Duration, what string, ok func(store.SyncJob) bool) store.SyncJob {
	p.t.Helper()
	var j store.SyncJob
	deadline := time.Now().Add(limit)
	for {
		var err error
		if j, err = p.job(r, id); err == nil && ok(j) {
			return j
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("job %s: timed out after %s waiting for %s; last state %+v (%v)", id, limit, what, j, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitCompleted waits until the job completed; it fails the test when the
// job fails.
func (p *pipeline) waitCompleted(r chaosRange, id string, limit time.Duration) store.SyncJob {
	p.t.Helper()
	j := p.waitJob(r, id, limit, "completion", func(j store.SyncJob) bool {
		return j.Status == store.StatusCompleted || j.Status == store.StatusFailed
	})
	if j.Status != store.StatusCompleted {
		p.t.Fatalf("job %s failed: %s (%s)", id, j.Error, j.ErrorCode)
	}
	return j
}

// waitMoved returns how long after since (a role or server came back) the
// job's stored state first showed the pipeline moving again: an event the
// producer stamped after since, or a completion that before (the job's
// state before the fault) did not have.
func (p *pipeline) waitMoved(r chaosRange, id string, since time.Time, before store.SyncJob, limit time.Duration) time.Duration {
	p.t.Helper()
	p.waitJob(r, id, limit, "progress after "+since.Format(time.TimeOnly), func(j store.SyncJob) bool {
		return j.UpdatedAt.After(since) || (j.Status == store.StatusCompleted && before.Status != store.StatusCompleted)
	})
	return time.Since(since)
}

// simCalls is how many Graph calls graphsim has served.
func (p *pipeline) simCalls() int64 { return stats(p.t, p.sim).Calls }

// setFaults replaces graphsim's fault profile.
func (p *pipeline) setFaults(profile string) { setFaults(p.t, p.sim, profile) }

// verify checks what a user of range r would notice after job ran through
// faults: the job completed and no job of the pipeline is left pending,
// processing or failed; every ad the API lists equals what graphsim serves
// for the range, and none is missing; every creative type's aggregations
// equal graphsim's truth; nothing went to the dead-letter topic.
func (p *pipeline) verify(r chaosRange, job string) {
	p.t.Helper()
	p.waitCompleted(r, job, 2*time.Minute)
	// Not the API's jobId, which names the range's latest job even over
	// totals a read computed before the job's records were all stored.
	waitFor(p.t, time.Minute, "the consumers' rebuild of the aggregations for job "+job, func() bool { return p.rebuiltFor(r, job) })
	p.checkAds(r)
	p.checkAggregations(r, job)
	p.checkNoJobLeft()
	p.checkDeadLetters()
}

// rebuiltFor reports whether the consumers rebuilt r's aggregations for
// job: they do once its records are all stored.
func (p *pipeline) rebuiltFor(r chaosRange, job string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var n uint64
	err := p.st.Conn().QueryRow(ctx, "SELECT count() FROM "+p.db+".creative_aggregations"+
		" WHERE brand_id = 'demo' AND start_date = toDate(?) AND end_date = toDate(?) AND job_id = ?", r.start, r.end, job).Scan(&n)
	return err == nil && n > 0
}

func (p *pipeline) checkAds(r chaosRange) {
	p.t.Helper()
	served := p.servedAds(r)
	stored := map[string]apiCreative{}
	for page := 1; ; page++ {
		var resp struct {
			DataSource string        `json:"dataSource"`
			Complete   bool          `json:"complete"`
			HasMore    bool          `json:"hasMore"`
			Creatives  []apiCreative `json:"creatives"`
		}
		if code := p.get(fmt.Sprintf("/api/creatives/demo?%s&page=%d&limit=500&sortBy=ad_id&sortOrder=asc", r.query(), page), &resp); code != http.StatusOK {
			p.t.Fatalf("list page %d: HTTP %d", page, code)
		}
		if resp.DataSource != "database" || !resp.Complete {
			p.t.Fatalf("list of %s..%s: dataSource %q, complete %v; want the database's complete range", r.start, r.end, resp.DataSource, resp.Complete)
		}
		for _, c := range resp.Creatives {
			stored[c.AdID] = c
		}
		if !resp.HasMore {
			break
		}
	}
	wrong := 0
	for id, want := range served {
		got, ok := stored[id]
		if !ok || got.metrics() != want {
			if wrong++; wrong <= 5 {
				p.t.Errorf("ad %s: stored %+v (listed %v), graphsim serves %+v", id, got.metrics(), ok, want)
			}
		}
	}
	if wrong > 0 || len(stored) != len(served) {
		p.t.Fatalf("%s..%s: %d of %d ads differ from graphsim; %d listed", r.start, r.end, wrong, len(served), len(stored))
	}
}

// servedAds pages graphsim's level=ad insights of r for every account.
func (p *pipeline) servedAds(r chaosRange) map[string]metrics {
	out := map[string]metrics{}
	for _, acct := range p.brand.AdAccountIDs {
		next := p.sim + "/v21.0/" + acct + "/insights?" + url.Values{
			"level": {"ad"}, "limit": {"500"}, "access_token": {p.brand.AccessToken},
			"time_range": {`{"since":"` + r.start + `","until":"` + r.end + `"}`},
			"fields":     {"ad_id,spend,impressions,clicks,actions,video_p100_watched_actions"},
		}.Encode()
		for next != "" {
			var page struct {
				Data []struct {
					AdID        string `json:"ad_id"`
					Spend       string `json:"spend"`
					Impressions string `json:"impressions"`
					Clicks      string `json:"clicks"`
					Actions     []struct {
						Type  string `json:"action_type"`
						Value string `json:"value"`
					} `json:"actions"`
					P100 []struct {
						Value string `json:"value"`
					} `json:"video_p100_watched_actions"`
				} `json:"data"`
				Paging struct {
					Next string `json:"next"`
				} `json:"paging"`
			}
			if code := getJSON(p.t, next, &page); code != http.StatusOK {
				p.t.Fatalf("graphsim insights of %s: HTTP %d", acct, code)
			}
			for _, row := range page.Data {
				m := metrics{SpendMicros: decimalMicros(p.t, row.Spend), Impressions: atoi(p.t, row.Impressions), Clicks: atoi(p.t, row.Clicks)}
				for _, a := range row.Actions {
					switch a.Type {
					case "purchase":
						m.Orders = atoi(p.t, a.Value)
					case "video_view":
						m.VideoViews = atoi(p.t, a.Value)
					}
				}
				for _, v := range row.P100 {
					m.VideoP100 += atoi(p.t, v.Value)
				}
				out[row.AdID] = m
			}
			next = page.Paging.Next
		}
	}
	return out
}

// checkAggregations compares every creative type's aggregations with
// graphsim's truth: integers exactly, ratios to 1e-5 (summed in another
// order than graphsim's).
func (p *pipeline) checkAggregations(r chaosRange, job string) {
	p.t.Helper()
	ratioKeys := []string{"weighted_avg_ctr", "weighted_avg_cpc", "weighted_avg_cpp", "weighted_avg_roas"}
	for _, typ := range []string{"all", "video", "image", "carousel", "unknown"} {
		var got struct {
			JobID        string    `json:"jobId"`
			Aggregations aggTotals `json:"aggregations"`
		}
		var gotRatios struct {
			Aggregations map[string]any `json:"aggregations"`
		}
		var want aggTotals
		var wantRatios map[string]any
		path := "/api/creatives/demo/aggregations?" + r.query() + "&creative_type=" + typ
		if code := p.get(path, &got); code != http.StatusOK {
			p.t.Fatalf("aggregations %s: HTTP %d", typ, code)
		}
		p.get(path, &gotRatios)
		truth := p.sim + "/_sim/truth?brand_id=demo&since=" + r.start + "&until=" + r.end + "&creative_type=" + typ
		getJSON(p.t, truth, &want)
		getJSON(p.t, truth, &wantRatios)
		if got.Aggregations != want || got.JobID != job {
			p.t.Errorf("aggregations %s of %s..%s (job %s):\n got %+v\nwant %+v (graphsim truth)", typ, r.start, r.end, got.JobID, got.Aggregations, want)
		}
		for _, k := range ratioKeys {
			g, _ := gotRatios.Aggregations[k].(float64)
			w, _ := wantRatios[k].(float64)
			if math.Abs(g-w) > 1e-5*math.Max(1, math.Abs(w)) {
				p.t.Errorf("aggregations %s: %s = %v, graphsim truth %v", typ, k, g, w)
			}
		}
	}
}

// checkNoJobLeft fails when a job of the pipeline never completed: one
// left pending or processing, or failed.
func (p *pipeline) checkNoJobLeft() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := p.st.Conn().Query(ctx, "SELECT job_id, toString(start_date), arrayStringConcat(groupUniqArray(status), ',')"+
		" FROM "+p.db+".sync_events GROUP BY job_id, start_date HAVING countIf(status = 'completed') = 0")
	if err != nil {
		p.t.Fatalf("jobs left: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var job, start, statuses string
		if err := rows.Scan(&job, &start, &statuses); err != nil {
			p.t.Fatal(err)
		}
		p.t.Errorf("job %s (from %s) never completed: its events say %s", job, start, statuses)
	}
	if err := rows.Err(); err != nil {
		p.t.Fatal(err)
	}
}

// checkDeadLetters fails when a record went to the dead-letter topic.
func (p *pipeline) checkDeadLetters() {
	p.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(p.brokers...))
	if err != nil {
		p.t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, p.topics.DLQ)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		p.t.Fatalf("end offsets of %s: %v", p.topics.DLQ, err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += max(o.Offset, 0) })
	if n > 0 {
		p.t.Errorf("%d record(s) in the dead-letter topic %s", n, p.topics.DLQ)
	}
}

// progressStream follows the API's progress stream of r as a browser's
// EventSource does, reconnecting 100 ms after the stream breaks, and sends
// the time each progress event arrived until ctx ends.
func (p *pipeline) progressStream(ctx context.Context, r chaosRange, events chan<- time.Time) {
	for ctx.Err() == nil {
		err := p.readStream(ctx, r, events)
		if errors.Is(err, errStreamEnded) {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

var errStreamEnded = errors.New("the job ended")

func (p *pipeline) readStream(ctx context.Context, r chaosRange, events chan<- time.Time) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.api+"/api/creatives/sync/events/demo?"+r.query(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	buf := make([]byte, 64<<10)
	var pending string
	for {
		n, err := resp.Body.Read(buf)
		pending += string(buf[:n])
		for {
			line, rest, ok := strings.Cut(pending, "\n")
			if !ok {
				break
			}
			pending = rest
			if strings.HasPrefix(line, "event: progress") {
				select {
				case events <- time.Now():
				default:
				}
			}
			if strings.HasPrefix(line, "data: ") && strings.Contains(line, `"status":"completed"`) {
				return errStreamEnded
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
