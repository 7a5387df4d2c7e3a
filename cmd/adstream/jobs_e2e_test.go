package main

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// jobStatus is GET /api/creatives/sync/status as the frontend reads it.
type jobStatus struct {
	JobID    string `json:"jobId"`
	Status   string `json:"status"`
	Progress struct {
		TotalAds     int64 `json:"totalAds"`
		ProcessedAds int64 `json:"processedAds"`
		Percentage   int64 `json:"percentage"`
	} `json:"progress"`
	EstimatedCompletion string `json:"estimatedCompletion"`
	Error               *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// readState is what list and aggregation answers say about a range's sync.
type readState struct {
	Complete                bool      `json:"complete"`
	JobID                   string    `json:"jobId"`
	DataSource              string    `json:"dataSource"`
	BackgroundSyncTriggered bool      `json:"backgroundSyncTriggered"`
	Sync                    jobStatus `json:"sync"`
	Aggregations            aggTotals `json:"aggregations"`
	Creatives               []struct {
		AdID string `json:"ad_id"`
	} `json:"creatives"`
}

// TestSyncJobsAsAUserSeesThem drives one `adstream dev` as a frontend would:
// progress that rises, honest reads, failures with codes, one job per range.
func TestSyncJobsAsAUserSeesThem(t *testing.T) {
	// One Graph call at a time, so that a 20-day job at 120 ms a call rises
	// in steps of half a second or more: each outlasts the consumers' flush
	// (200 ms; of two events stored in one flush a read sees the newer) and
	// the test's polling (200 ms). At 40 ms a call the last step took about
	// 220 ms, and one run in four saw no 75 %.
	dev := startDev(t, map[string]string{"ADSTREAM_DEMO_ADS": "2500", "ADSTREAM_FLUSH_INTERVAL": "200ms", "ADSTREAM_GRAPH_CONCURRENCY": "1"})
	waitFor(t, 90*time.Second, "the demo sync to complete", func() bool {
		var st jobStatus
		return getJSON(t, dev.api+"/api/creatives/sync/status/demo?"+dev.demoQuery(), &st) == 200 && st.Status == "completed"
	})

	t.Run("progress rises and the aggregations become complete", func(t *testing.T) {
		setFaults(t, dev.sim, `{"latency_ms":120}`)
		defer setFaults(t, dev.sim, `{}`)
		since, until := dev.day(-150), dev.day(-131) // outside every other range of this test
		q := "startDate=" + since + "&endDate=" + until
		var first readState
		getJSON(t, dev.api+"/api/creatives/demo/aggregations?"+q+"&creative_type=video", &first)
		if first.Complete || !first.BackgroundSyncTriggered || first.Sync.JobID == "" {
			t.Fatalf("never-synced aggregations: %+v; want complete:false with a sync queued", first)
		}
		var seen []int64
		eta := false
		waitFor(t, 120*time.Second, "the sync to complete", func() bool {
			var st jobStatus
			getJSON(t, dev.api+"/api/creatives/sync/status/demo?"+q, &st)
			if p := st.Progress.Percentage; len(seen) == 0 || seen[len(seen)-1] != p {
				seen = append(seen, p)
			}
			eta = eta || (st.Status == "processing" && st.EstimatedCompletion != "")
			return st.Status == "completed"
		})
		between := 0
		for i, p := range seen {
			if i > 0 && p < seen[i-1] {
				t.Errorf("percentage went down: %v", seen)
			}
			if p > 0 && p < 100 {
				between++
			}
		}
		t.Logf("percentages seen: %v", seen)
		if between < 3 || seen[len(seen)-1] != 100 || !eta {
			t.Errorf("percentages %v (%d strictly between 0 and 100), estimatedCompletion seen %v; want ≥ 3, ending at 100, an ETA", seen, between, eta)
		}
		for _, typ := range []string{"all", "video", "image", "carousel", "unknown"} {
			var got readState
			var want aggTotals
			waitFor(t, 30*time.Second, "complete aggregations", func() bool {
				return getJSON(t, dev.api+"/api/creatives/demo/aggregations?"+q+"&creative_type="+typ, &got) == 200 && got.Complete
			})
			getJSON(t, dev.sim+"/_sim/truth?brand_id=demo&since="+since+"&until="+until+"&creative_type="+typ, &want)
			if got.Aggregations != want {
				t.Errorf("%s aggregations after the sync:\n got %+v\nwant %+v (graphsim truth)", typ, got.Aggregations, want)
			}
		}
	})

	t.Run("a range with no ads completes at once", func(t *testing.T) {
		// The first full month the Graph API still reports: before graphsim's accounts existed.
		first := time.Now().UTC().AddDate(0, -36, 0)
		first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
		start, end := first.Format(time.DateOnly), first.AddDate(0, 1, -1).Format(time.DateOnly)
		q := "startDate=" + start + "&endDate=" + end
		var want aggTotals
		getJSON(t, dev.sim+"/_sim/truth?brand_id=demo&since="+start+"&until="+end+"&creative_type=all", &want)
		if want.TotalAds != 0 {
			t.Fatalf("graphsim has %d ads in %s..%s; the test needs a range before the accounts existed", want.TotalAds, start, end)
		}
		began := time.Now()
		var queued jobStatus
		if code := postJSON(t, dev.api+"/api/creatives/sync/demo", `{"startDate":"`+start+`","endDate":"`+end+`"}`, &queued); code != 200 {
			t.Fatalf("POST sync: HTTP %d", code)
		}
		waitFor(t, 15*time.Second, "the empty sync to complete", func() bool {
			var st jobStatus
			return getJSON(t, dev.api+"/api/creatives/sync/status/demo?"+q, &st) == 200 && st.Status == "completed"
		})
		t.Logf("a zero-ad range completed in %s", time.Since(began).Round(time.Millisecond))
		// Complete once the consumers stored the job's (zero) records and
		// rebuilt the range, a moment after the job's COMPLETED.
		var read readState
		waitFor(t, 15*time.Second, "the empty range to read complete", func() bool {
			return getJSON(t, dev.api+"/api/creatives/demo?"+q, &read) == 200 && read.Complete
		})
		if len(read.Creatives) != 0 {
			t.Errorf("read after the empty sync: %+v; want complete and empty", read)
		}
	})

	t.Run("an expired token fails the job with token_invalid and reads say so", func(t *testing.T) {
		setFaults(t, dev.sim, `{"expire_token":true}`)
		defer setFaults(t, dev.sim, `{}`)
		since, until := dev.day(-88), dev.day(-59)
		q := "startDate=" + since + "&endDate=" + until
		if code := postJSON(t, dev.api+"/api/creatives/sync/demo", `{"startDate":"`+since+`","endDate":"`+until+`"}`, &jobStatus{}); code != 200 {
			t.Fatalf("POST sync: HTTP %d", code)
		}
		var st jobStatus
		waitFor(t, 60*time.Second, "the job to fail", func() bool {
			return getJSON(t, dev.api+"/api/creatives/sync/status/demo?"+q, &st) == 200 && st.Status == "failed"
		})
		if st.Error == nil || st.Error.Code != "token_invalid" || strings.Contains(st.Error.Message, "fbtrace") {
			t.Fatalf("failed status error = %+v; want code token_invalid and a message without trace ids", st.Error)
		}
		var read readState
		getJSON(t, dev.api+"/api/creatives/demo?"+q, &read)
		if read.Complete || read.Sync.Status != "failed" || read.Sync.Error == nil || read.Sync.Error.Code != "token_invalid" || read.BackgroundSyncTriggered {
			t.Fatalf("read after the failure: %+v; want the failure reported and no new job", read)
		}
	})

	t.Run("the fallback's page 1 by spend is the real page 1", func(t *testing.T) {
		r := "startDate=" + dev.day(-58) + "&endDate=" + dev.day(-28) // overlaps the demo range
		q := r + "&limit=10&sortBy=spend&sortOrder=desc"
		var first readState
		getJSON(t, dev.api+"/api/creatives/demo?"+q, &first)
		if first.DataSource != "api_fallback" || len(first.Creatives) != 10 {
			t.Fatalf("first read: %s with %d creatives; want api_fallback with 10", first.DataSource, len(first.Creatives))
		}
		waitFor(t, 90*time.Second, "the range's sync to complete", func() bool {
			var st jobStatus
			return getJSON(t, dev.api+"/api/creatives/sync/status/demo?"+r, &st) == 200 && st.Status == "completed"
		})
		var after readState
		waitFor(t, 30*time.Second, "the full range to be stored", func() bool {
			getJSON(t, dev.api+"/api/creatives/demo?"+q, &after)
			return after.Complete
		})
		if got, want := adIDs(first), adIDs(after); got != want {
			t.Errorf("fallback page 1 %s\n   synced page 1 %s", got, want)
		}
	})

	t.Run("100 concurrent sync requests make one job", func(t *testing.T) {
		before, dupsBefore := jobsRun(t, dev.api)
		since, until := dev.day(-119), dev.day(-89)
		body := `{"startDate":"` + since + `","endDate":"` + until + `"}`
		ids := make([]string, 100)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var st jobStatus
				if code := postJSON(t, dev.api+"/api/creatives/sync/demo", body, &st); code == 200 {
					ids[i] = st.JobID
				}
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id == "" || id != ids[0] {
				t.Fatalf("the 100 requests answered jobs %v; want one job id for all", distinct(ids))
			}
		}
		waitFor(t, 90*time.Second, "the job to complete", func() bool {
			var st jobStatus
			return getJSON(t, dev.api+"/api/creatives/sync/status/demo?startDate="+since+"&endDate="+until, &st) == 200 && st.Status == "completed"
		})
		time.Sleep(2 * time.Second) // let duplicate requests reach the producer
		after, dups := jobsRun(t, dev.api)
		if after-before != 1 {
			t.Fatalf("%d jobs ran for 100 concurrent requests of one range, want 1", after-before)
		}
		t.Logf("1 job ran; the producer skipped %d duplicate requests of it", dups-dupsBefore)
	})
}

func setFaults(t *testing.T, sim, faults string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, sim+"/_sim/faults", strings.NewReader(faults))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("set graphsim faults %s: %v", faults, err)
	}
	resp.Body.Close()
}

func adIDs(r readState) string {
	var ids []string
	for _, c := range r.Creatives {
		ids = append(ids, c.AdID)
	}
	return strings.Join(ids, ",")
}

func distinct(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

var jobsRunLine = regexp.MustCompile(`(?m)^adstream_sync_jobs_total\{status="(completed|failed|duplicate)"\} (\d+)`)

// jobsRun is how many sync jobs the producer ran to an end, and how many
// duplicate requests it skipped, from /metrics.
func jobsRun(t *testing.T, api string) (ran, duplicates int) {
	t.Helper()
	resp, err := http.Get(api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, m := range jobsRunLine.FindAllStringSubmatch(string(body), -1) {
		var v int
		fmt.Sscan(m[2], &v)
		if m[1] == "duplicate" {
			duplicates += v
		} else {
			ran += v
		}
	}
	return ran, duplicates
}
