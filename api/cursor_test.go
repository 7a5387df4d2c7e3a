package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// Paging by cursor visits every creative once, in the order paging by number
// gives, for each sort, from a snapshot and from a range without one; a
// cursor of another listing or a forged one is refused.
func TestCursorPaging(t *testing.T) {
	testenv.Integration(t)
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	if err := st.PutBrand(ctx, store.Brand{BrandID: "acme", Name: "Acme", TokenCiphertext: "x", AdAccountIDs: []string{"act_1"}}); err != nil {
		t.Fatal(err)
	}
	synced := store.Range{BrandID: "acme", StartDate: "2026-11-01", EndDate: "2026-11-30"}
	live := store.Range{BrandID: "acme", StartDate: "2026-10-01", EndDate: "2026-10-31"} // no snapshot
	at := time.Now().UTC()
	for _, r := range []store.Range{synced, live} {
		var rows []*schemas.AdInsight
		for i := range 23 {
			rows = append(rows, &schemas.AdInsight{BrandID: "acme", AdAccountID: "act_1", AdID: fmt.Sprintf("%05d", i),
				StartDate: r.StartDate, EndDate: r.EndDate, CreativeType: schemas.CreativeImage, AdEffectiveStatus: "ACTIVE",
				SpendMicros: int64(i%5) * 1_000_000, Impressions: int64(1000 + i*7), Clicks: int64(i % 3), Reach: 100,
				FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job"}) // spend ties in groups of 5, ctr ties too
		}
		if err := st.InsertInsights(ctx, rows); err != nil {
			t.Fatal(err)
		}
		for _, j := range []string{"job-" + r.StartDate} {
			if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: j, BrandID: "acme", StartDate: r.StartDate, EndDate: r.EndDate,
				Type: schemas.SyncCompleted, At: at, Seq: 1}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := st.RebuildAggregations(ctx, synced, "job"); err != nil {
		t.Fatal(err)
	}
	a := &testAPI{app: api.New(api.Deps{Store: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()})}
	type page struct {
		Creatives []struct {
			AdID string `json:"ad_id"`
		} `json:"creatives"`
		HasMore    bool    `json:"hasMore"`
		NextCursor *string `json:"nextCursor"`
	}
	get := func(target string) page {
		var p page
		if err := json.Unmarshal([]byte(mustJSON(a.doJSON(t, http.MethodGet, target, "", http.StatusOK))), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, r := range []store.Range{synced, live} {
		for _, sort := range []string{"sortBy=spend&sortOrder=desc", "sortBy=ctr&sortOrder=asc", "sortBy=ad_id&sortOrder=desc", "sortBy=roas&sortOrder=desc"} {
			base := "/api/creatives/acme?startDate=" + r.StartDate + "&endDate=" + r.EndDate + "&limit=4&" + sort
			var byNumber, byCursor []string
			for n := 1; n <= 6; n++ {
				for _, c := range get(fmt.Sprintf("%s&page=%d", base, n)).Creatives {
					byNumber = append(byNumber, c.AdID)
				}
			}
			next := ""
			for hops := 0; hops < 10; hops++ {
				p := get(base + next)
				for _, c := range p.Creatives {
					byCursor = append(byCursor, c.AdID)
				}
				if p.NextCursor == nil {
					if p.HasMore {
						t.Fatalf("%s: hasMore without a nextCursor", base)
					}
					break
				}
				next = "&cursor=" + url.QueryEscape(*p.NextCursor)
			}
			if len(byCursor) != 23 || fmt.Sprint(byCursor) != fmt.Sprint(byNumber) {
				t.Errorf("%s %s:\n by cursor %v\n by number %v", r.StartDate, sort, byCursor, byNumber)
			}
		}
	}
	first := get("/api/creatives/acme?startDate=2026-11-01&endDate=2026-11-30&limit=4")
	for _, bad := range []string{"not-a-cursor", "eyJ2IjoiMSIsImlkIjoiMDAwMDEiLCJxIjoiMDAwMCJ9"} {
		a.doJSON(t, http.MethodGet, "/api/creatives/acme?startDate=2026-11-01&endDate=2026-11-30&cursor="+bad, "", http.StatusBadRequest)
	}
	// Another listing's cursor: another sort.
	a.doJSON(t, http.MethodGet, "/api/creatives/acme?startDate=2026-11-01&endDate=2026-11-30&sortBy=clicks&cursor="+url.QueryEscape(*first.NextCursor), "", http.StatusBadRequest)
}
