package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// Every write that can change an answer of a range grows its read stamp,
// whoever writes it; a write of another range or brand leaves it alone.
func TestReadStampGrowsWithEveryWriteThatChangesAnAnswer(t *testing.T) {
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	r := demoRange
	inside := store.Range{BrandID: r.BrandID, StartDate: "2026-11-02", EndDate: "2026-11-03"} // derived from r's days
	other := store.Range{BrandID: r.BrandID, StartDate: "2026-12-01", EndDate: "2026-12-31"}
	otherBrand := store.Range{BrandID: "b2", StartDate: r.StartDate, EndDate: r.EndDate}
	t0 := time.Now().UTC()
	stamps := func() map[store.Range]store.ReadStamp {
		t.Helper()
		out := map[store.Range]store.ReadStamp{}
		for _, rr := range []store.Range{r, inside, other, otherBrand} {
			n, err := st.ReadStamp(ctx, rr)
			if err != nil {
				t.Fatal(err)
			}
			out[rr] = n
		}
		return out
	}
	// grows checks that write grows the stamps of the ranges in changed, and only those.
	grows := func(what string, write func() error, changed ...store.Range) {
		t.Helper()
		before := stamps()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		after := stamps()
		for rr, n := range after {
			want := false
			for _, c := range changed {
				want = want || c == rr
			}
			switch {
			case want && n.Writes <= before[rr].Writes:
				t.Errorf("%s: the stamp of %v stayed %+v", what, rr, n)
			case !want && n != before[rr]:
				t.Errorf("%s: the stamp of %v went from %+v to %+v, though none of its answers changed", what, rr, before[rr], n)
			}
		}
	}
	all := []store.Range{r, inside, other}
	grows("brand registered", func() error {
		return st.PutBrand(ctx, store.Brand{BrandID: r.BrandID, Name: "B1", AdAccountIDs: []string{"act_1"}})
	}, all...)
	grows("insights stored", func() error { return st.InsertInsights(ctx, genInsights(r, 20, 1, t0, "job-1")) })
	grows("sync event", func() error {
		return st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: "job-1", BrandID: r.BrandID, StartDate: r.StartDate,
			EndDate: r.EndDate, Kind: schemas.SyncKindFull, Type: schemas.SyncCompleted, At: t0}})
	}, r)
	var rebuilt uint64
	grows("rebuild", func() error { var err error; rebuilt, err = st.RebuildAggregations(ctx, r, "job-1"); return err }, r)
	// The API keeps an answer under a stamp only when it was read from the
	// stamp's rebuild: the stamp names the rebuild the range's reads now see.
	if got := stamps()[r].Rebuild; got != rebuilt {
		t.Errorf("after the rebuild, the stamp names rebuild %d, want %d", got, rebuilt)
	}
	grows("days stored", func() error {
		return st.RecordDaysSynced(ctx, r.BrandID, []string{"2026-11-02", "2026-11-03"}, "job-1", t0)
	}, all...)
	grows("derived from days", func() error {
		covered, _, err := st.EnsureRange(ctx, inside)
		if err == nil && !covered {
			t.Fatalf("%v is not covered by its stored days", inside)
		}
		return err
	}, inside)
	grows("media url refreshed", func() error {
		return st.PutMediaURLs(ctx, r.BrandID, map[store.MediaKey]store.MediaURL{{Kind: store.MediaThumbnail, ID: "cr1"}: {
			URL: "https://cdn.example.invalid/t.jpg", ExpiresAt: t0.Add(time.Hour)}}, t0)
	}, all...)
	grows("range deleted", func() error { _, err := st.DeleteRange(ctx, r); return err }, all...)
	grows("brand purged", func() error { return st.PurgeBrand(ctx, r.BrandID) }, all...)
}
