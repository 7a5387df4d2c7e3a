package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

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
		" WHERE brand_id = ? AND start_date = toDate(?) AND end_date = toDate(?) AND job_id = ?", p.brand.BrandID, r.start, r.end, job).Scan(&n)
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
		if code := p.get(fmt.Sprintf("/api/creatives/%s?%s&page=%d&limit=500&sortBy=ad_id&sortOrder=asc", p.brand.BrandID, r.query(), page), &resp); code != http.StatusOK {
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
	return servedAdInsights(p.t, p.sim, p.brand.AccessToken, p.brand.AdAccountIDs, r.start, r.end)
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
		path := "/api/creatives/" + p.brand.BrandID + "/aggregations?" + r.query() + "&creative_type=" + typ
		if code := p.get(path, &got); code != http.StatusOK {
			p.t.Fatalf("aggregations %s: HTTP %d", typ, code)
		}
		p.get(path, &gotRatios)
		truth := p.sim + "/_sim/truth?brand_id=" + p.brand.BrandID + "&since=" + r.start + "&until=" + r.end + "&creative_type=" + typ
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
