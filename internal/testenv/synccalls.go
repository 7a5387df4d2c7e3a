package testenv

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/jobs"
)

// SyncDone is what a sync of a graphsim brand fetched, as LeastSyncCalls
// counts it.
type SyncDone struct {
	Brand        graphsim.Brand
	Since, Until string   // the range synced
	Days         []string // the days fetched day by day (a first sync: every day of the range)
	// Reread is, for a refresh, how many ads changed since the last sync it
	// looked up again; -1 for a first sync, which looks every ad up.
	Reread int64
}

// LeastSyncCalls is the fewest Graph calls a sync that fetched s can make,
// from the ground truth of the graphsim at sim. Per ad account: one count
// of its ads, and the pages at the page limit of its range pass and of each
// chunk of days (an insights page holds one account's rows). For the brand:
// the lookups, 50 ids a call, of the ads with data and of their videos, or,
// for a refresh, one listing each of the changed ads, ad sets and campaigns
// per account and the lookups of the reread ads (their videos left out: a
// bound from below). Benchmarks report their calls beside it.
func LeastSyncCalls(tb testing.TB, sim string, s SyncDone) int64 {
	tb.Helper()
	const pageLimit, idsPerCall = 500, 50
	pages := func(rows int64) int64 { return (rows + pageLimit - 1) / pageLimit }
	lookups := func(ids int64) int64 { return (ids + idsPerCall - 1) / idsPerCall }
	// adsWithData counts the ads of account ("": every account) with data
	// in from..to, of creativeType ("": all).
	adsWithData := func(account, from, to, creativeType string) int64 {
		tb.Helper()
		q := url.Values{"brand_id": {s.Brand.BrandID}, "since": {from}, "until": {to}, "creative_type": {creativeType}}
		if account != "" {
			q.Set("account_id", account)
		}
		resp, err := http.Get(sim + "/_sim/truth?" + q.Encode())
		if err != nil {
			tb.Fatalf("graphsim truth: %v", err)
		}
		defer resp.Body.Close()
		var tr graphsim.Truth
		if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || resp.StatusCode != http.StatusOK {
			tb.Fatalf("graphsim truth of %s %s..%s: HTTP %d, %v", account, from, to, resp.StatusCode, err)
		}
		return tr.TotalAds
	}
	var n int64
	for _, acct := range s.Brand.AdAccountIDs {
		n += 1 + pages(adsWithData(acct, s.Since, s.Until, ""))
		for _, c := range jobs.Chunks(s.Days, jobs.ChunkDays) {
			var rows int64 // one per ad with data, each day
			for d, _ := time.Parse(time.DateOnly, c.Start); d.Format(time.DateOnly) <= c.End; d = d.AddDate(0, 0, 1) {
				rows += adsWithData(acct, d.Format(time.DateOnly), d.Format(time.DateOnly), "")
			}
			n += pages(rows)
		}
	}
	if s.Reread < 0 {
		return n + lookups(adsWithData("", s.Since, s.Until, "")) + lookups(adsWithData("", s.Since, s.Until, "video"))
	}
	return n + 3*int64(len(s.Brand.AdAccountIDs)) + lookups(s.Reread)
}
