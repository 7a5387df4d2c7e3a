package producers_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/adstream/adstream/schemas"
)

// A REFRESH after the API's clock moved re-reads only the ads that changed
// (their own updated_time, or their ad set's or campaign's) since the last
// range pass, yet every AdInsight it publishes carries the status graphsim
// gives its ad now, and its COMPLETED event still counts every ad of the range.
func TestRefreshRereadsOnlyChangedAds(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	e := newEnv(t)
	e.enqueue(ctx, t, request("job-full", e.brand.BrandID))
	full := e.waitJob(ctx, t, "job-full")
	if last := full[len(full)-1]; last.Type != schemas.SyncCompleted {
		t.Fatalf("the full sync ended %s: %s", last.Type, last.Error)
	}
	// 30 hours of the API's clock: ads change status, with a newer updated_time.
	resp, err := http.Post(e.simURL+"/_sim/clock?advance=30h", "", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("advance graphsim's clock: %v %v", resp, err)
	}
	resp.Body.Close()

	refresh := request("job-refresh", e.brand.BrandID)
	refresh.Kind = schemas.SyncKindRefresh
	e.enqueue(ctx, t, refresh)
	evs := e.waitJob(ctx, t, "job-refresh")
	done := evs[len(evs)-1]
	if done.Type != schemas.SyncCompleted {
		t.Fatalf("the refresh ended %s: %s", done.Type, done.Error)
	}

	status := e.simStatuses(ctx, t)
	reread, changed, rows := 0, 0, 0
	for _, r := range e.readAll(ctx, t, e.topics.Ads) {
		var ad schemas.Ad
		if err := e.codec.DecodeInto(r.Value, &ad); err != nil {
			t.Fatal(err)
		}
		if ad.SyncID == "job-refresh" {
			reread++
		}
	}
	first := map[string]string{} // the full sync's status of each ad
	for _, r := range e.readAll(ctx, t, e.topics.Insights) {
		var in schemas.AdInsight
		if err := e.codec.DecodeInto(r.Value, &in); err != nil {
			t.Fatal(err)
		}
		if in.Daily {
			continue
		}
		if in.SyncID == "job-full" {
			first[in.AdID] = in.AdEffectiveStatus
			continue
		}
		rows++
		if want := status[in.AdID]; in.AdEffectiveStatus != want {
			t.Errorf("ad %s: the refresh says %s, graphsim %s", in.AdID, in.AdEffectiveStatus, want)
		}
	}
	for id, was := range first {
		if status[id] != was {
			changed++
		}
	}
	t.Logf("%d ads of the range, %d changed status, %d re-read", rows, changed, reread)
	if changed == 0 {
		t.Fatal("no ad of the range changed status: the test proves nothing")
	}
	if reread < changed || reread >= rows {
		t.Errorf("the refresh re-read %d ads of %d, %d changed status: want at least the changed ones, not all", reread, rows, changed)
	}
	if done.PublishedAds != int64(rows) || done.PublishedInsights != int64(rows) {
		t.Errorf("COMPLETED counts %d ads and %d insights; the refresh published %d range rows", done.PublishedAds, done.PublishedInsights, rows)
	}
}

// simStatuses is each ad's effective status as graphsim gives it now, read
// over plain HTTP.
func (e *env) simStatuses(ctx context.Context, t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, acct := range e.brand.AdAccountIDs {
		q := url.Values{"fields": {"id,effective_status"}, "limit": {"500"}, "access_token": {e.brand.AccessToken},
			"effective_status": {`["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED","ADSET_PAUSED","DISAPPROVED","WITH_ISSUES","PENDING_REVIEW","IN_PROCESS","PENDING_BILLING_INFO","PREAPPROVED"]`}}
		for next := e.simURL + "/v21.0/" + acct + "/ads?" + q.Encode(); next != ""; {
			var page struct {
				Data []struct {
					ID     string `json:"id"`
					Status string `json:"effective_status"`
				} `json:"data"`
				Paging struct {
					Next string `json:"next"`
				} `json:"paging"`
			}
			getJSON(ctx, t, next, &page)
			for _, a := range page.Data {
				out[a.ID] = a.Status
			}
			next = page.Paging.Next
		}
	}
	return out
}
