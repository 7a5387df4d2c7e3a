package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// knownAd is one ad of the page test's range, as the page must show it.
type knownAd struct {
	id, name, typ        string
	spendMicros, clicks  int64
	impressions, revenue int64
}

var pageRange = store.Range{BrandID: "acme", StartDate: "2026-10-29", EndDate: "2026-11-27"}

// writeKnownRange stores 30 ads of three types whose spend and CTR orders
// differ from each other and from their ids, a completed sync and its
// aggregations.
func writeKnownRange(t *testing.T, st *store.Store, media string) []knownAd {
	t.Helper()
	ctx := context.Background()
	if err := st.PutBrand(ctx, store.Brand{BrandID: "acme", Name: "Acme", AdAccountIDs: []string{"act_1"}}); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Millisecond)
	types := []schemas.CreativeType{schemas.CreativeVideo, schemas.CreativeImage, schemas.CreativeCarousel}
	var known []knownAd
	var insights []*schemas.AdInsight
	var ads []*schemas.Ad
	for i := range 30 {
		k := knownAd{id: fmt.Sprintf("ad%02d", i), name: fmt.Sprintf("Ad number %d", i), typ: string(types[i%3]),
			spendMicros: int64((i*11)%30+1) * 1_234_567, clicks: int64((i*7)%30 + 1), impressions: 1000}
		k.revenue = k.spendMicros * int64(i%4+1)
		known = append(known, k)
		insights = append(insights, &schemas.AdInsight{BrandID: "acme", AdAccountID: "act_1", AdID: k.id, StartDate: pageRange.StartDate,
			EndDate: pageRange.EndDate, CreativeType: types[i%3], AdEffectiveStatus: "ACTIVE", SpendMicros: k.spendMicros,
			RevenueMicros: k.revenue, Impressions: k.impressions, Clicks: k.clicks, VideoViews: int64(i * 10),
			FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job-page"})
		ads = append(ads, &schemas.Ad{BrandID: "acme", AdAccountID: "act_1", AdID: k.id, CreativeID: "cr" + k.id, AdName: k.name,
			AdStatus: "ACTIVE", AdEffectiveStatus: "ACTIVE", CreativeType: types[i%3], ThumbnailURL: media + "/" + k.id + ".png",
			UpdatedTime: at, FetchedAt: at, SyncID: "job-page"})
	}
	if err := st.InsertInsights(ctx, insights); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertAds(ctx, ads); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: "job-page", BrandID: "acme", StartDate: pageRange.StartDate, EndDate: pageRange.EndDate,
		Kind: schemas.SyncKindFull, Type: schemas.SyncCompleted, TotalAds: 30, PublishedAds: 30, PublishedInsights: 30, At: at, Seq: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RebuildAggregations(ctx, pageRange, "job-page"); err != nil {
		t.Fatal(err)
	}
	return known
}

// money formats micro-units as the page does: 1,234.57.
func money(micros int64) string {
	s := strconv.FormatFloat(float64(micros)/1e6, 'f', 2, 64)
	whole, frac, _ := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return whole + "." + frac
}

// rowsJS reads the table as a person sees it: each row's ad id, type,
// spend and CTR text.
const rowsJS = `[...document.querySelectorAll("#rows tr[data-ad]")].map(tr =>
	[tr.dataset.ad, tr.querySelector(".type").textContent, tr.querySelector("[data-col=spend]").textContent,
	 tr.querySelector("[data-col=ctr]").textContent, tr.querySelector("img") ? tr.querySelector("img").complete && tr.querySelector("img").naturalWidth > 0 : false].join("|"))`

func wantRows(known []knownAd, less func(a, b knownAd) int, n int) []string {
	sorted := slices.Clone(known)
	slices.SortFunc(sorted, less)
	var out []string
	for _, k := range sorted[:n] {
		out = append(out, fmt.Sprintf("%s|%s|%s|%s%%|true", k.id, k.typ, money(k.spendMicros), strconv.FormatFloat(float64(k.clicks)/10, 'f', 2, 64)))
	}
	return out
}

// The creative browser, in a real Chromium against the API over a real
// ClickHouse: the URL's sort and range pick the rows, the cards show the
// exact totals, a click on a column sorts by it (and says so in the URL),
// and nothing goes to the console.
func TestCreativeBrowser(t *testing.T) {
	b := newBrowser(t)
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	media := mediaServer(t)
	known := writeKnownRange(t, st, media)
	base := serve(t, api.Deps{Store: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Now: testNow, MediaOrigins: []string{media}})

	view := base + "/?brand=acme&startDate=" + pageRange.StartDate + "&endDate=" + pageRange.EndDate + "&sortBy=ctr&sortOrder=asc"
	b.do(t, "open the page", chromedp.Navigate(view))
	b.until(t, "page 1", ready+` && document.querySelectorAll("#rows img").length === 25 && [...document.querySelectorAll("#rows img")].every(i => i.complete)`)

	byCTR := func(a, b knownAd) int { return int(a.clicks - b.clicks) }
	if got, want := eval[[]string](t, b, rowsJS), wantRows(known, byCTR, 25); !slices.Equal(got, want) {
		t.Errorf("rows sorted by the URL's ctr asc:\n got %q\nwant %q", got, want)
	}
	if got := eval[string](t, b, `document.getElementById("summary").textContent`); !strings.HasPrefix(got, "30 creatives · page 1 of 2 · complete as of") {
		t.Errorf("summary %q", got)
	}

	cards := eval[[]string](t, b, `[...document.querySelectorAll("#cards .card")].map(c =>
		[c.dataset.type, c.querySelector("[data-col=ads]").textContent, c.querySelector("[data-col=spend]").textContent].join("|"))`)
	spend := map[string]int64{}
	ads := map[string]int{}
	for _, k := range known {
		spend[k.typ] += k.spendMicros
		spend["all"] += k.spendMicros
		ads[k.typ]++
		ads["all"]++
	}
	var wantCards []string
	for _, typ := range []string{"all", "video", "image", "carousel", "unknown"} {
		wantCards = append(wantCards, fmt.Sprintf("%s|%d|%s", typ, ads[typ], money(spend[typ])))
	}
	if !slices.Equal(cards, wantCards) {
		t.Errorf("cards:\n got %q\nwant %q", cards, wantCards)
	}
	b.screenshot(t, "creative-browser")

	// A click on Spend sorts by spend, largest first, and the URL says so.
	b.do(t, "sort by spend", chromedp.Click(chromedp.CSS(`th button[data-sort="spend"]`)))
	bySpendDesc := func(a, b knownAd) int { return int(b.spendMicros - a.spendMicros) }
	first := wantRows(known, bySpendDesc, 25)
	b.until(t, "sorted by spend", ready+fmt.Sprintf(` && document.querySelector("#rows tr[data-ad]").dataset.ad === %q`, strings.Split(first[0], "|")[0])+
		` && [...document.querySelectorAll("#rows img")].every(i => i.complete)`)
	if got := eval[[]string](t, b, rowsJS); !slices.Equal(got, first) {
		t.Errorf("rows after a click on Spend:\n got %q\nwant %q", got, first)
	}
	loc, _ := url.Parse(eval[string](t, b, `location.href`))
	if q := loc.Query(); q.Get("sortBy") != "spend" || q.Get("sortOrder") != "desc" || q.Get("brand") != "acme" || q.Get("startDate") != pageRange.StartDate {
		t.Errorf("URL after sorting: %s", loc)
	}

	// The video card filters the table to videos.
	b.do(t, "filter videos", chromedp.Click(chromedp.CSS(`.card[data-type="video"]`)))
	b.until(t, "videos only", ready+` && location.search.includes("type=video")`)
	if types := eval[[]string](t, b, `[...document.querySelectorAll("#rows .type")].map(e => e.textContent)`); len(types) != 10 || slices.ContainsFunc(types, func(s string) bool { return s != "video" }) {
		t.Errorf("after the video card: types %q, want 10 videos", types)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}

// With API keys, the page asks for one, then follows a running sync through
// the progress stream (opened by a stream token, as EventSource cannot send
// the key): the bar moves as the job does, and the completed sync's rows
// replace the empty page.
func TestCreativeBrowserFollowsASync(t *testing.T) {
	b := newBrowser(t)
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	r := store.Range{BrandID: "acme", StartDate: "2026-11-01", EndDate: "2026-11-30"}
	if err := st.PutBrand(ctx, store.Brand{BrandID: "acme", Name: "Acme", AdAccountIDs: []string{"act_1"}}); err != nil {
		t.Fatal(err)
	}
	seq := int64(0)
	event := func(typ schemas.SyncEventType, published int64) {
		t.Helper()
		seq++
		if err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{{JobID: "job-run", BrandID: "acme", StartDate: r.StartDate, EndDate: r.EndDate,
			Kind: schemas.SyncKindFull, Type: typ, TotalAds: 50, PublishedAds: published, PublishedInsights: published, At: time.Now(), Seq: seq}}); err != nil {
			t.Fatal(err)
		}
	}
	event(schemas.SyncStarted, 0)
	event(schemas.SyncProgress, 20)
	base := serve(t, api.Deps{Store: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Now: testNow, ProgressPoll: 50 * time.Millisecond, Access: api.Access{Keys: []api.Key{{Secret: keyA, Brands: []string{"acme"}}}}})

	b.do(t, "open the page", chromedp.Navigate(base+"/?brand=acme&startDate="+r.StartDate+"&endDate="+r.EndDate))
	b.until(t, "the key prompt", `!document.getElementById("key").hidden`)
	b.do(t, "give the key", chromedp.SendKeys(chromedp.CSS("#keyInput"), keyA), chromedp.Click(chromedp.CSS("#key button")))
	b.until(t, "the running sync", ready+` && document.getElementById("sync").dataset.percentage === "40"`)
	if got := eval[string](t, b, `document.getElementById("syncText").textContent`); !strings.HasPrefix(got, "Sync processing: 40% (20 of 50 ads)") {
		t.Errorf("progress text %q", got)
	}

	event(schemas.SyncProgress, 40)
	b.until(t, "the bar moves", `document.getElementById("sync").dataset.percentage === "80" && document.getElementById("syncBar").style.width === "80%"`)

	writeRange(ctx, t, st, r, 4, "job-run") // the job's rows, its completion and aggregations
	b.until(t, "the completed sync's rows", ready+` && document.getElementById("sync").hidden && document.querySelectorAll("#rows tr[data-ad]").length === 4`)
	if got := eval[string](t, b, `document.querySelector('.card[data-type="all"] [data-col=ads]').textContent`); got != "4" {
		t.Errorf("all-creatives card shows %q ads, want 4", got)
	}
	// The only errors are the key-less first loads the browser reports.
	if errs := b.consoleErrors("status of 401"); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
	if key := eval[string](t, b, `location.href + document.cookie`); strings.Contains(key, keyA) {
		t.Errorf("the key reached the URL or a cookie: %s", key)
	}
}

// The page and its files come with the page's own CSP, and revalidate.
func TestPageHeaders(t *testing.T) {
	a := &testAPI{app: api.New(api.Deps{Store: newFakeStore(), Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(), MediaOrigins: []string{"http://127.0.0.1:8090"}})}
	for _, tt := range []struct{ target, wantType, wantIn string }{
		{"/", "text/html", `<script src="/assets/app.js" defer></script>`},
		{"/?brand=demo&startDate=2026-10-29", "text/html", "<table"},
		{"/assets/app.js", "text/javascript", "EventSource"},
		{"/assets/app.css", "text/css", "#syncBar"},
	} {
		r := a.send(t, "GET", tt.target, "")
		csp := r.header.Get("Content-Security-Policy")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), tt.wantType) || !strings.Contains(string(r.body), tt.wantIn) {
			t.Errorf("GET %s: %d %q, body lacks %q", tt.target, r.status, r.header.Get("Content-Type"), tt.wantIn)
		}
		for _, want := range []string{"default-src 'self'", "img-src 'self' https: http://127.0.0.1:8090 data:", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", tt.target, csp, want)
			}
		}
		if len(r.header.Values("Content-Security-Policy")) != 1 || strings.Contains(csp, "default-src 'none'") || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: the page's CSP must replace the JSON one, the other security headers stay: %v", tt.target, r.header)
		}
		if again := a.send(t, "GET", tt.target, "", "If-None-Match: "+r.header.Get("ETag")); again.status != 304 {
			t.Errorf("GET %s with its ETag: %d, want 304", tt.target, again.status)
		}
	}
	for _, target := range []string{"/assets/nope.js", "/assets/index.html", "/assets/../api.go"} {
		if r := a.send(t, "GET", target, ""); r.status != 404 {
			t.Errorf("GET %s: %d, want 404", target, r.status)
		}
	}
}
