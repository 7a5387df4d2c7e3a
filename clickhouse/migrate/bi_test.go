package migrate_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"github.com/adstream/adstream/clickhouse/migrate"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// biStack is a private server with the adstream database migrated and a
// refreshed range stored: every ad twice, the second version newer.
type biStack struct {
	admin driver.Conn // the default user, as adstream's roles connect
	bi    driver.Conn // adstream_bi, as a BI tool connects
	st    *store.Store
	rng   store.Range
}

func newBIStack(t *testing.T) *biStack {
	t.Helper()
	addr := testenv.PrivateClickHouse(t)
	ctx := context.Background()
	admin, err := store.Open(ctx, config.ClickHouse{Addr: addr, Username: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := migrate.Apply(ctx, admin, "adstream", slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	bi, err := ch.Open(&ch.Options{Addr: []string{addr}, Auth: ch.Auth{Database: "adstream_bi", Username: "adstream_bi"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bi.Close() })
	s := &biStack{admin: admin, bi: bi, st: store.New(admin, "adstream"),
		rng: store.Range{BrandID: "acme", StartDate: "2026-11-01", EndDate: "2026-11-07"}}
	s.storeRefreshedRange(t)
	return s
}

// storeRefreshedRange writes 30 ads of three types, each fetched twice (a
// refresh restated its spend), a brand with a token, and the range's
// aggregations, as a completed sync leaves them.
func (s *biStack) storeRefreshedRange(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	types := []schemas.CreativeType{schemas.CreativeVideo, schemas.CreativeImage, schemas.CreativeCarousel}
	first := time.Date(2026, 11, 8, 6, 0, 0, 0, time.UTC)
	var ads []*schemas.Ad
	var rows []*schemas.AdInsight
	for i := range 30 {
		id := fmt.Sprintf("ad-%02d", i)
		typ := types[i%len(types)]
		ads = append(ads, &schemas.Ad{BrandID: s.rng.BrandID, AdID: id, AdName: "Ad " + id, CreativeType: typ,
			ThumbnailURL: "https://cdn.example/" + id + ".jpg", FetchedAt: first})
		for v, at := range []time.Time{first, first.Add(6 * time.Hour)} {
			rows = append(rows, &schemas.AdInsight{BrandID: s.rng.BrandID, AdID: id, StartDate: s.rng.StartDate,
				EndDate: s.rng.EndDate, CreativeType: typ, AdEffectiveStatus: "ACTIVE",
				SpendMicros: int64(1_000_000*(i+1) + 10_001*v), RevenueMicros: int64(2_500_000*(i+1) + v),
				Orders: int64(i), Impressions: int64(1000 * (i + 1)), Clicks: int64(10 * (i + 1)), Reach: int64(900 * (i + 1)),
				Frequency: 1.11, VideoViews: int64(300 * (i + 1)), VideoThruplays: int64(90 * (i + 1)),
				FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job-1"})
		}
	}
	if err := s.st.InsertAds(ctx, ads); err != nil {
		t.Fatal(err)
	}
	if err := s.st.InsertInsights(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.RebuildAggregations(ctx, s.rng, "job-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.st.PutBrand(ctx, store.Brand{BrandID: s.rng.BrandID, Name: "Acme", TokenCiphertext: "sealed-token",
		AdAccountIDs: []string{"act_1"}}); err != nil {
		t.Fatal(err)
	}
}

// The BI user's sums over the views equal what the API serves for the range
// (its aggregations), though every ad is stored twice.
func TestBIViewsMatchTheAPI(t *testing.T) {
	s := newBIStack(t)
	ctx := context.Background()
	for _, typ := range []string{"all", "video", "image", "carousel"} {
		t.Run(typ, func(t *testing.T) {
			want, err := s.st.Aggregations(ctx, store.AggregationQuery{Range: s.rng, CreativeType: typ})
			if err != nil {
				t.Fatal(err)
			}
			cond := "brand_id = ? AND start_date = ? AND end_date = ? AND (? = 'all' OR creative_type = ?)"
			args := []any{s.rng.BrandID, s.rng.StartDate, s.rng.EndDate, typ, typ}
			for _, view := range []string{"v_creatives_range", "v_type_range"} {
				var spend, revenue decimal.Decimal
				var impressions int64
				err := s.bi.QueryRow(ctx, "SELECT sum(spend), sum(revenue), toInt64(sum(impressions)) FROM "+view+
					" WHERE "+cond, args...).Scan(&spend, &revenue, &impressions)
				if err != nil {
					t.Fatalf("%s as adstream_bi: %v", view, err)
				}
				if got, want := spend.Shift(6).IntPart(), want.SpendMicros; got != want {
					t.Errorf("%s: spend %s, want %d micro-units (the API's)", view, spend, want)
				}
				if got, want := revenue.Shift(6).IntPart(), want.RevenueMicros; got != want {
					t.Errorf("%s: revenue %s, want %d micro-units (the API's)", view, revenue, want)
				}
				if impressions != want.Impressions {
					t.Errorf("%s: impressions %d, want %d (the API's)", view, impressions, want.Impressions)
				}
			}
			var ads uint64
			if err := s.bi.QueryRow(ctx, "SELECT count() FROM v_creatives_range WHERE "+cond, args...).Scan(&ads); err != nil {
				t.Fatal(err)
			}
			if int64(ads) != want.TotalAds {
				t.Errorf("v_creatives_range: %d rows, want %d ads (one per ad)", ads, want.TotalAds)
			}
		})
	}
}

// adstream_bi reads the views and nothing else: not the main database (its
// brands hold the tokens), and it changes nothing.
func TestBIUserIsReadOnlyAndConfined(t *testing.T) {
	s := newBIStack(t)
	ctx := context.Background()
	for _, q := range []string{
		"SELECT count() FROM adstream_bi.v_creatives_range",
		"SELECT count() FROM adstream_bi.v_type_range",
		"SELECT ad_id, thumbnail_url, roas FROM v_creatives_range ORDER BY roas DESC LIMIT 5",
	} {
		rows, err := s.bi.Query(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		rows.Close()
	}
	for _, q := range []string{
		"SELECT * FROM adstream.brands",
		"SELECT token_ciphertext FROM adstream.brands",
		"SELECT count() FROM adstream.ad_insights",
		"SELECT count() FROM adstream.ads",
		"SELECT count() FROM adstream.bi_stub_ads",
		"SELECT * FROM v_creatives_range WHERE ad_id IN (SELECT brand_id FROM adstream.brands)",
		"SELECT * FROM remote('127.0.0.1', adstream, brands)",
		"INSERT INTO adstream_bi.raw_ad_insights (brand_id) VALUES ('x')",
		"INSERT INTO adstream.ad_insights (brand_id) VALUES ('x')",
		"ALTER TABLE adstream_bi.raw_ad_insights DELETE WHERE 1",
		"ALTER TABLE adstream.ad_insights DELETE WHERE 1",
		"DROP TABLE adstream_bi.v_creatives_range",
		"DROP DATABASE adstream",
		"CREATE TABLE adstream_bi.mine (x UInt8) ENGINE = Memory",
		"SET readonly = 0",
	} {
		if err := s.bi.Exec(ctx, q); err == nil {
			t.Errorf("adstream_bi may run %s", q)
		}
	}
	var brands uint64
	if err := s.admin.QueryRow(ctx, "SELECT count() FROM adstream.brands").Scan(&brands); err != nil || brands != 1 {
		t.Fatalf("the brand is gone after the BI user's attempts: %d rows, %v", brands, err)
	}
}

// Every column of every analyst view says what it holds, and is declared
// with the type its query computes (a view whose declared types drift from
// its query breaks on newer servers).
func TestBIViewColumns(t *testing.T) {
	s := newBIStack(t)
	views := biViews(t)
	if len(views) < 2 {
		t.Fatalf("found %d analyst views in the migrations, want v_creatives_range and v_type_range at least", len(views))
	}
	for name, query := range views {
		t.Run(name, func(t *testing.T) {
			declared := columns(t, s.bi, "DESCRIBE TABLE adstream_bi."+name)
			computed := columns(t, s.admin, "DESCRIBE ("+query+")")
			if len(declared) == 0 {
				t.Fatal("the BI user sees no columns")
			}
			for i, c := range declared {
				if c.comment == "" {
					t.Errorf("column %s has no comment", c.name)
				}
				if i >= len(computed) || computed[i].name != c.name || computed[i].typ != c.typ {
					t.Errorf("column %d declared %s %s, query computes %v", i+1, c.name, c.typ, computed[min(i, len(computed)-1)])
				}
			}
			if len(computed) != len(declared) {
				t.Errorf("query computes %d columns, view declares %d", len(computed), len(declared))
			}
		})
	}
}

type column struct{ name, typ, comment string }

// columns reads the name, type and comment of each column DESCRIBE q lists.
func columns(t *testing.T, conn driver.Conn, q string) []column {
	t.Helper()
	rows, err := conn.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		vals := make([]string, len(rows.Columns()))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, column{name: vals[0], typ: vals[1], comment: vals[4]})
	}
	return out
}

// biViews returns the query of every analyst view the migrations create, by
// name, for the adstream database.
func biViews(t *testing.T) map[string]string {
	t.Helper()
	all, err := migrate.All()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range all {
		for _, stmt := range migrate.Statements(m.SQL) {
			rest, ok := strings.CutPrefix(strings.TrimSpace(stripComments(stmt)), "CREATE VIEW IF NOT EXISTS {db}_bi.")
			if !ok {
				continue
			}
			name, _, _ := strings.Cut(rest, "\n")
			_, query, ok := strings.Cut(rest, "\nAS SELECT")
			if !ok {
				t.Fatalf("migration %04d: view %s has no \"AS SELECT\" line", m.Version, name)
			}
			out[strings.TrimSpace(name)] = strings.ReplaceAll("SELECT"+query, "{db}", "adstream")
		}
	}
	return out
}

func stripComments(sql string) string {
	var keep []string
	for line := range strings.SplitSeq(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}
