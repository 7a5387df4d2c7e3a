package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

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
	brands        int // graphsim: brands, every one registered (0: one, "demo")
	accounts, ads int // graphsim: ad accounts of each brand, ads per account
	latencyMs     int // graphsim: added to every Graph call, so a sync takes seconds
	replicas      int // processes of the API, the consumer and the producer each (0: one)
	// graphConcurrency is the producer's ADSTREAM_GRAPH_CONCURRENCY; 0 keeps its default.
	graphConcurrency int
}

// pipeline is adstream as an operator runs it: `adstream graphsim`, `api`,
// `consumer` and `producer`, each a process of its own, on a ClickHouse
// database, Kafka topics and groups of their own. Tests kill, stop and
// restart the roles; the checks read the API, graphsim and ClickHouse.
type pipeline struct {
	t        *testing.T
	sim, api string   // base URLs; api is the one the helpers call
	apis     []string // every API's base URL
	roles    map[string]*proc
	metrics  map[string]string // each role process's /metrics URL, by its name
	db       string
	topics   config.Topics
	groups   string // prefix of the consumer group names
	brokers  []string
	st       *store.Store
	brand    simBrand   // the brand the helpers sync and check: the first, "demo"
	brands   []simBrand // every brand, all registered
}

// simBrand is a graphsim brand as /_sim/brands shows it.
type simBrand struct {
	BrandID      string   `json:"brand_id"`
	AccessToken  string   `json:"access_token"`
	AdAccountIDs []string `json:"ad_account_ids"`
}

// The roles of a pipeline, by the name of their command; the processes of
// the first replica of each carry that name (see replicaName).
const (
	roleGraphsim = "graphsim"
	roleAPI      = "api"
	roleConsumer = "consumer"
	roleProducer = "producer"
)

// startPipeline starts the roles and registers graphsim's brands through
// the API. Everything it made is removed when the test ends, the processes
// first.
func startPipeline(t *testing.T, o pipelineOpts) *pipeline {
	t.Helper()
	p := &pipeline{t: t, roles: map[string]*proc{}, metrics: map[string]string{}, brokers: o.brokers,
		db: testenv.UniqueName(t, "db"), sim: "http://" + freeAddr(t)}
	prefix := testenv.UniqueName(t, "t")
	groups := testenv.UniqueName(t, "g")
	p.groups = groups
	env := config.NewEnv(func(k string) string {
		return map[string]string{"ADSTREAM_TOPIC_PREFIX": prefix}[k]
	})
	p.topics = config.LoadTopics(env)
	conn, err := store.Open(context.Background(), config.ClickHouse{Addr: o.chAddr, Database: p.db, Username: "default"})
	if err != nil {
		t.Fatalf("clickhouse %s: %v", o.chAddr, err)
	}
	p.st = store.New(conn, p.db)
	t.Cleanup(func() {
		conn.Close()
		dropDevData(o.chAddr, p.db, p.brokers, prefix, groups)
	})

	faults, _ := json.Marshal(map[string]int{"latency_ms": o.latencyMs})
	p.roles[roleGraphsim] = startProc(t, roleGraphsim, nil, "graphsim", "--addr", strings.TrimPrefix(p.sim, "http://"),
		"--brands", strconv.Itoa(max(o.brands, 1)), "--accounts", strconv.Itoa(o.accounts), "--ads", strconv.Itoa(o.ads),
		// Only the faults a scenario sets throttle: no bucket fills up over a suite.
		"--call-budget", "1e9", "--faults", string(faults))
	waitFor(t, 30*time.Second, "graphsim to answer", func() bool {
		var brands []simBrand
		if getJSON(t, p.sim+"/_sim/brands", &brands) != http.StatusOK || len(brands) == 0 {
			return false
		}
		p.brand, p.brands = brands[0], brands
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
	// Replicas of a role share its groups; each has an instance id and a
	// /metrics of its own.
	for i := 1; i <= max(o.replicas, 1); i++ {
		api, metrics := freeAddr(t), map[string]string{roleConsumer: freeAddr(t), roleProducer: freeAddr(t)}
		p.apis = append(p.apis, "http://"+api)
		p.metrics[replicaName(roleAPI, i)] = "http://" + api + "/metrics"
		p.roles[replicaName(roleAPI, i)] = startProc(t, replicaName(roleAPI, i), with(map[string]string{
			"ADSTREAM_HTTP_ADDR": api, "ADSTREAM_ALLOW_NO_AUTH": "true",
			"ADSTREAM_RATE_LIMIT": "0", "ADSTREAM_SYNC_RATE_LIMIT": "0", "ADSTREAM_PRESYNC_RANGES": "off",
		}), "api")
		for _, role := range []string{roleConsumer, roleProducer} {
			name := replicaName(role, i)
			p.metrics[name] = "http://" + metrics[role] + "/metrics"
			env := with(map[string]string{"ADSTREAM_METRICS_ADDR": metrics[role], "ADSTREAM_INSTANCE_ID": role + "-" + strconv.Itoa(i)})
			if role == roleConsumer {
				env["ADSTREAM_FLUSH_INTERVAL"] = "200ms"
			}
			if role == roleProducer && o.graphConcurrency > 0 {
				env["ADSTREAM_GRAPH_CONCURRENCY"] = strconv.Itoa(o.graphConcurrency)
			}
			p.roles[name] = startProc(t, name, env, role)
		}
	}
	p.api = p.apis[0]
	for _, api := range p.apis {
		waitFor(t, 60*time.Second, "the API at "+api+" to be ready", func() bool { return p.via(api).get("/readyz", nil) == http.StatusOK })
	}

	for _, b := range p.brands {
		body, _ := json.Marshal(map[string]any{"brandId": b.BrandID, "name": b.BrandID, "accessToken": b.AccessToken,
			"adAccountIds": b.AdAccountIDs})
		if code := post(t, p.api+"/api/brands", string(body)); code != http.StatusOK && code != http.StatusCreated {
			t.Fatalf("register the brand %s: HTTP %d", b.BrandID, code)
		}
	}
	return p
}

// replicaName names the i-th process (from 1) of role: the first carries
// the role's name, the others a number after it ("producer-2").
func replicaName(role string, i int) string {
	if i == 1 {
		return role
	}
	return role + "-" + strconv.Itoa(i)
}

// role is the process of a role.
func (p *pipeline) role(name string) *proc { return p.roles[name] }

// with returns the pipeline for a subtest: its checks fail t.
func (p *pipeline) with(t *testing.T) *pipeline {
	c := *p
	c.t = t
	return &c
}

// forBrand returns the pipeline with b as the brand its helpers sync and
// check.
func (p *pipeline) forBrand(b simBrand) *pipeline {
	c := *p
	c.brand = b
	return &c
}

// via returns the pipeline with api as the API its helpers call.
func (p *pipeline) via(api string) *pipeline {
	c := *p
	c.api = api
	return &c
}

// get reads the API; out may be nil.
func (p *pipeline) get(path string, out any) int {
	if out == nil {
		out = &json.RawMessage{}
	}
	return getJSON(p.t, p.api+path, out)
}

// chaosRange is a date range of a brand's.
type chaosRange struct{ start, end string }

func (r chaosRange) query() string { return "startDate=" + r.start + "&endDate=" + r.end }
func (r chaosRange) store(brand string) store.Range {
	return store.Range{BrandID: brand, StartDate: r.start, EndDate: r.end}
}

// sync queues a sync of r through the API and returns its job id.
func (p *pipeline) sync(r chaosRange) string {
	p.t.Helper()
	var got struct {
		JobID string `json:"jobId"`
	}
	if code := postJSON(p.t, p.api+"/api/creatives/sync/"+p.brand.BrandID, `{"startDate":"`+r.start+`","endDate":"`+r.end+`"}`, &got); code != http.StatusOK || got.JobID == "" {
		p.t.Fatalf("POST sync %s..%s: HTTP %d, job %q", r.start, r.end, code, got.JobID)
	}
	return got.JobID
}

// job reads the state of a job from ClickHouse, as the API does.
func (p *pipeline) job(r chaosRange, id string) (store.SyncJob, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.st.Job(ctx, r.store(p.brand.BrandID), id)
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

// graphStats are graphsim's error counters (truncated bodies are not counted).
type graphStats struct {
	Throttled  int64            `json:"throttled"`
	ErrorCodes map[string]int64 `json:"error_codes"`
}

// transient counts the code 2 "unexpected error" answers (HTTP 500).
func (s graphStats) transient() int64 { return s.ErrorCodes["2"] }

func (s graphStats) minus(o graphStats) graphStats {
	d := graphStats{Throttled: s.Throttled - o.Throttled, ErrorCodes: map[string]int64{}}
	for k, v := range s.ErrorCodes {
		d.ErrorCodes[k] = v - o.ErrorCodes[k]
	}
	return d
}

func graphErrors(t *testing.T, sim string) graphStats {
	t.Helper()
	var s graphStats
	if code := getJSON(t, sim+"/_sim/stats", &s); code != http.StatusOK {
		t.Fatalf("graphsim stats: HTTP %d", code)
	}
	return s
}

// status answers the API's status code and Retry-After for path.
func (p *pipeline) status(path string) (int, string) {
	resp, err := http.Get(p.api + path)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, strings.TrimSpace(resp.Header.Get("Retry-After"))
}
