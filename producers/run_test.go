package producers_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// A sync job publishes exactly what graphsim holds for the brand and range:
// one Ad and one AdInsight per ad with data, keyed brand/ad, with graphsim's
// spend and impressions and its creative types, and reports STARTED,
// PROGRESS and a COMPLETED event whose counts match what was published.
func TestProducerPublishesEveryAdOfTheRangeOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	e := newEnv(t)
	e.enqueue(ctx, t, request("job-1", e.brand.BrandID))
	checkExactJob(ctx, t, e, "job-1", e.waitJob(ctx, t, "job-1"))
}

// Transient Graph API errors are retried: the job is as complete and exact
// as without them.
func TestProducerCompletesExactJobDespiteTransientFaults(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	e := newEnv(t)
	e.setFaults(ctx, t, graphsim.Faults{TransientRate: 0.2})
	e.enqueue(ctx, t, request("job-1", e.brand.BrandID))
	evs := e.waitJob(ctx, t, "job-1")
	var stats struct {
		ErrorCodes map[string]int64 `json:"error_codes"`
	}
	getJSON(ctx, t, e.simURL+"/_sim/stats", &stats)
	if stats.ErrorCodes["2"] == 0 {
		t.Fatalf("graphsim served no transient error (codes %v): the test proves nothing", stats.ErrorCodes)
	}
	t.Logf("graphsim answered %d transient errors", stats.ErrorCodes["2"])
	e.setFaults(ctx, t, graphsim.Faults{}) // for the test's own reads of graphsim
	checkExactJob(ctx, t, e, "job-1", evs)
}

// A job that cannot run reports FAILED with an error that says why (and
// holds no token), and the producer goes on to the next request.
func TestProducerReportsFailedJobAndTakesNextRequest(t *testing.T) {
	tests := []struct {
		name      string
		give      func(t *testing.T, e *env) (brandID string, undo func())
		wantCode  string
		wantError []string
	}{
		{
			name:      "unknown brand",
			give:      func(*testing.T, *env) (string, func()) { return "no-such-brand", func() {} },
			wantCode:  jobs.CodeInternal,
			wantError: []string{"no-such-brand", "not registered"},
		},
		{
			name: "expired token",
			give: func(t *testing.T, e *env) (string, func()) {
				e.setFaults(t.Context(), t, graphsim.Faults{ExpireToken: true})
				return e.brand.BrandID, func() { e.setFaults(t.Context(), t, graphsim.Faults{}) }
			},
			wantCode:  jobs.CodeTokenInvalid,
			wantError: []string{"access token is expired", "Graph error 190"},
		},
		{
			name: "token sealed with another key",
			give: func(t *testing.T, e *env) (string, func()) {
				other, err := tokenbox.New(tokenbox.NewKey())
				if err != nil {
					t.Fatal(err)
				}
				e.brands.put(store.Brand{BrandID: "rekeyed", TokenCiphertext: other.Seal(e.brand.AccessToken), AdAccountIDs: e.brand.AdAccountIDs})
				return "rekeyed", func() {}
			},
			wantCode:  jobs.CodeTokenInvalid,
			wantError: []string{"does not open", "ADSTREAM_TOKEN_KEY"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
			defer cancel()
			e := newEnv(t)
			brandID, undo := tt.give(t, e)
			e.enqueue(ctx, t, request("job-bad", brandID))
			evs := e.waitJob(ctx, t, "job-bad")
			last := evs[len(evs)-1]
			if last.Type != schemas.SyncFailed {
				t.Fatalf("job ended %s, want FAILED", last.Type)
			}
			if last.ErrorCode != tt.wantCode {
				t.Errorf("FAILED code = %q, want %q", last.ErrorCode, tt.wantCode)
			}
			if strings.Contains(last.Error, "fbtrace") {
				t.Errorf("FAILED error carries a Graph trace id: %q", last.Error)
			}
			for _, want := range tt.wantError {
				if !strings.Contains(last.Error, want) {
					t.Errorf("FAILED error = %q, want it to name %q", last.Error, want)
				}
			}
			if strings.Contains(last.Error, e.brand.AccessToken) {
				t.Errorf("FAILED error holds the access token: %q", last.Error)
			}
			if last.key != "job-bad" || last.BrandID != brandID {
				t.Errorf("FAILED event key %q brand %q, want job-bad and %s", last.key, last.BrandID, brandID)
			}

			undo()
			e.enqueue(ctx, t, request("job-good", e.brand.BrandID))
			evs = e.waitJob(ctx, t, "job-good")
			if last := evs[len(evs)-1]; last.Type != schemas.SyncCompleted || last.PublishedInsights == 0 {
				t.Errorf("the next job ended %s with %d insights (error %q), want COMPLETED with insights", last.Type, last.PublishedInsights, last.Error)
			}
		})
	}
}

// The brand's access token never reaches Kafka: not in a key, not in a
// value, on no topic, whether the job completes or fails.
func TestProducerNeverPublishesAccessToken(t *testing.T) {
	tests := []struct {
		name   string
		faults graphsim.Faults
		want   schemas.SyncEventType
	}{
		{name: "completed job", want: schemas.SyncCompleted},
		{name: "job failing on an expired token", faults: graphsim.Faults{ExpireToken: true}, want: schemas.SyncFailed},
		{name: "job failing on a denied account", faults: graphsim.Faults{PermissionDenied: []string{"act_placeholder"}}, want: schemas.SyncFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
			defer cancel()
			e := newEnv(t)
			if tt.faults.PermissionDenied != nil {
				tt.faults.PermissionDenied = e.brand.AdAccountIDs[1:]
			}
			e.setFaults(ctx, t, tt.faults)
			e.enqueue(ctx, t, request("job-1", e.brand.BrandID))
			evs := e.waitJob(ctx, t, "job-1")
			if got := evs[len(evs)-1].Type; got != tt.want {
				t.Fatalf("job ended %s, want %s", got, tt.want)
			}
			token := []byte(e.brand.AccessToken)
			var scanned int
			for _, topic := range e.topics.All() {
				for _, r := range e.readAll(ctx, t, topic) {
					scanned++
					if bytes.Contains(r.Key, token) || bytes.Contains(r.Value, token) {
						t.Errorf("%s@%d/%d holds the access token", topic, r.Partition, r.Offset)
					}
				}
			}
			if scanned < 3 {
				t.Fatalf("scanned %d records, want the request and its events at least", scanned)
			}
		})
	}
}

// checkExactJob checks that job published exactly graphsim's ads and
// insights of the range, and events that say so.
func checkExactJob(ctx context.Context, t *testing.T, e *env, jobID string, evs []event) {
	t.Helper()
	brand := e.brand.BrandID

	insights := map[string]*schemas.AdInsight{}
	type sums struct{ spend, impressions int64 }
	days := map[string]sums{}
	var dayRows int64
	for _, r := range e.readAll(ctx, t, e.topics.Insights) {
		var in schemas.AdInsight
		if err := e.codec.DecodeInto(r.Value, &in); err != nil {
			t.Fatalf("insight does not decode: %v", err)
		}
		if want := string(schemas.AdKey(brand, in.AdID)); string(r.Key) != want {
			t.Errorf("insight key %q, want %q", r.Key, want)
		}
		if in.Daily {
			if in.StartDate != in.EndDate || in.StartDate < since || in.StartDate > until || in.SyncID != jobID || in.CampaignID == "" {
				t.Errorf("daily row of ad %s: %s..%s job %s campaign %q; want one day of the range, job %s, a campaign",
					in.AdID, in.StartDate, in.EndDate, in.SyncID, in.CampaignID, jobID)
			}
			d := days[in.AdID]
			days[in.AdID] = sums{d.spend + in.SpendMicros, d.impressions + in.Impressions}
			dayRows++
			continue
		}
		if in.SyncID != jobID || in.BrandID != brand || in.StartDate != since || in.EndDate != until {
			t.Errorf("insight of ad %s: job %s brand %s range %s..%s, want %s %s %s..%s",
				in.AdID, in.SyncID, in.BrandID, in.StartDate, in.EndDate, jobID, brand, since, until)
		}
		if _, dup := insights[in.AdID]; dup {
			t.Errorf("ad %s has more than one insight", in.AdID)
		}
		insights[in.AdID] = &in
	}
	// The days are the truth ranges derive from: each ad's days add up to its range.
	for id, in := range insights {
		if d := days[id]; d.spend != in.SpendMicros || d.impressions != in.Impressions {
			t.Errorf("ad %s: days sum to %+v, its range row says spend %d impressions %d", id, d, in.SpendMicros, in.Impressions)
		}
	}
	if last := evs[len(evs)-1]; last.PublishedDays != dayRows || len(last.Days) == 0 {
		t.Errorf("COMPLETED says %d daily rows over %d days; %d were published", last.PublishedDays, len(last.Days), dayRows)
	}
	ads := map[string]*schemas.Ad{}
	for _, r := range e.readAll(ctx, t, e.topics.Ads) {
		var ad schemas.Ad
		if err := e.codec.DecodeInto(r.Value, &ad); err != nil {
			t.Fatalf("ad does not decode: %v", err)
		}
		if want := string(schemas.AdKey(brand, ad.AdID)); string(r.Key) != want {
			t.Errorf("ad key %q, want %q", r.Key, want)
		}
		if _, dup := ads[ad.AdID]; dup {
			t.Errorf("ad %s published more than once", ad.AdID)
		}
		ads[ad.AdID] = &ad
	}

	// Ad by ad, against graphsim's insights paged over plain HTTP.
	sim := e.simInsights(ctx, t)
	if len(insights) != len(sim) || len(ads) != len(sim) {
		t.Errorf("published %d insights and %d ads, graphsim has insights of %d ads", len(insights), len(ads), len(sim))
	}
	for id, want := range sim {
		got, ok := insights[id]
		switch {
		case !ok:
			t.Errorf("ad %s: no insight published", id)
		case got.SpendMicros != want.SpendMicros || got.Impressions != want.Impressions:
			t.Errorf("ad %s: spend %d µ, %d impressions; graphsim %d µ, %d impressions", id, got.SpendMicros, got.Impressions, want.SpendMicros, want.Impressions)
		}
		ad, ok := ads[id]
		switch {
		case !ok:
			t.Errorf("ad %s: no Ad published", id)
		case ok && got != nil && ad.CreativeType != got.CreativeType:
			t.Errorf("ad %s: Ad says %s, AdInsight says %s", id, ad.CreativeType, got.CreativeType)
		}
	}

	// Totals by creative type, against graphsim's ground truth.
	type total struct{ ads, spend, impressions int64 }
	byType := map[string]total{}
	for _, in := range insights {
		for _, k := range []string{"all", string(in.CreativeType)} {
			tt := byType[k]
			tt.ads++
			tt.spend += in.SpendMicros
			tt.impressions += in.Impressions
			byType[k] = tt
		}
	}
	for _, typ := range []string{"all", "video", "image", "carousel", "unknown"} {
		tr := e.truth(ctx, t, typ)
		want := total{tr.TotalAds, tr.TotalSpendMicros, tr.TotalImpressions}
		if got := byType[typ]; got != want || want.ads == 0 {
			t.Errorf("%s: published %+v, graphsim truth %+v (want equal and not empty)", typ, got, want)
		}
	}

	// Events: STARTED, PROGRESS…, COMPLETED with the published counts.
	var progress int
	for i, ev := range evs {
		if ev.key != jobID {
			t.Errorf("event %d key %q, want the job id %q", i, ev.key, jobID)
		}
		switch {
		case i == 0 && ev.Type != schemas.SyncStarted:
			t.Errorf("first event %s, want STARTED", ev.Type)
		case ev.Type == schemas.SyncProgress:
			progress++
		case ev.Type == schemas.SyncFailed:
			t.Errorf("event %d FAILED: %s", i, ev.Error)
		}
	}
	if progress == 0 {
		t.Errorf("no PROGRESS event among %d", len(evs))
	}
	last := evs[len(evs)-1]
	if last.Type != schemas.SyncCompleted || last.PublishedAds != int64(len(ads)) || last.PublishedInsights != int64(len(insights)) {
		t.Errorf("last event %s with %d ads and %d insights, want COMPLETED with %d and %d",
			last.Type, last.PublishedAds, last.PublishedInsights, len(ads), len(insights))
	}
	t.Logf("%s: %d ads, %d insights, %d events, by type %v", jobID, len(ads), len(insights), len(evs), byType)
}

// A job whose first attempts hit a passing fault (the brand registry
// unreachable) is retried and completes, with no FAILED event; a job that
// keeps failing is reported FAILED after MaxAttempts.
func TestProducerRetriesFailedAttempts(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		want     schemas.SyncEventType
	}{
		{"recovers on the third attempt", 2, schemas.SyncCompleted},
		{"fails after three attempts", 3, schemas.SyncFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
			defer cancel()
			e := newEnv(t)
			e.brands.mu.Lock()
			e.brands.failures = tt.failures
			e.brands.mu.Unlock()
			e.enqueue(ctx, t, request("job-retry", e.brand.BrandID))
			evs := e.waitJob(ctx, t, "job-retry")
			if last := evs[len(evs)-1]; last.Type != tt.want {
				t.Fatalf("job ended %s (error %q), want %s", last.Type, last.Error, tt.want)
			}
			for _, ev := range evs[:len(evs)-1] {
				if ev.Type == schemas.SyncFailed {
					t.Errorf("a FAILED event before the last attempt ended: %q", ev.Error)
				}
			}
		})
	}
}

// A job that could not put every record in Kafka must not claim COMPLETED:
// the consumers would rebuild aggregates over a partial range.
func TestProducerFailsJobWhenRecordsAreLost(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	e := newEnv(t)
	e.failing.failInsights.Store(true)
	e.enqueue(ctx, t, request("job-lossy", e.brand.BrandID))
	evs := e.waitJob(ctx, t, "job-lossy")
	last := evs[len(evs)-1]
	if last.Type != schemas.SyncFailed || !strings.Contains(last.Error, "encoder broken") {
		t.Fatalf("job ended %s with error %q; want FAILED naming the encode failure", last.Type, last.Error)
	}
	for _, ev := range evs {
		if ev.Type == schemas.SyncCompleted {
			t.Fatal("a COMPLETED event was published for a job that lost records")
		}
	}
}
