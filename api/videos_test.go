package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/adstream/adstream/api"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/graphsim"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/schemas"
)

// videoEnv is the API over a real store holding graphsim's demo brand as a
// first read stored it (ads with graphsim's signed URLs, and one day per
// ad), with graphsim as the Graph API and as the CDN, and the API judging
// URL expiry by graphsim's clock, as dev does.
type videoEnv struct {
	app   *testAPI
	store *store.Store
	sim   *graphsim.Server
	srv   *httptest.Server
}

const videoRange = "startDate=2026-10-29&endDate=2026-11-27"

func newVideoEnv(t *testing.T, withGraph bool) *videoEnv {
	t.Helper()
	testenv.Integration(t)
	sim, err := graphsim.New(graphsim.Options{Seed: 11, Accounts: 2, Ads: 60, CallBudget: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	b := sim.Brands()[0]
	box, _ := tokenbox.New(tokenbox.NewKey())
	conn, cfg := testenv.ClickHouse(t)
	st := store.New(conn, cfg.Database)
	ctx := context.Background()
	if err := st.PutBrand(ctx, store.Brand{BrandID: b.BrandID, Name: "Demo", TokenCiphertext: box.Seal(b.AccessToken), AdAccountIDs: b.AdAccountIDs}); err != nil {
		t.Fatal(err)
	}
	gc, err := graph.New(graph.Config{BaseURL: srv.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	deps := api.Deps{Store: st, Videos: st, Queue: &fakeQueue{}, Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Fallback: &api.Fallback{Graph: gc, Tokens: box, Writer: st}, Tokens: box, Now: testNow, MediaNow: sim.Now}
	if withGraph {
		deps.Graph = gc
	}
	e := &videoEnv{app: &testAPI{app: api.New(deps)}, store: st, sim: sim, srv: srv}
	// The first read stores every ad of the range (3 × 60 ≥ 60 per account).
	e.app.doJSON(t, http.MethodGet, "/api/creatives/demo?"+videoRange+"&limit=60", "", http.StatusOK)
	e.storeDays(t)
	return e
}

// storeDays stores each stored ad's range spend as one day, so the feed has
// spend to rank by.
func (e *videoEnv) storeDays(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	rows, err := e.store.ListCreatives(ctx, store.ListQuery{Range: fallbackStoreRange, SortBy: "ad_id", Limit: 500})
	if err != nil || len(rows) < 60 {
		t.Fatalf("%d creatives stored by the first read (%v), want the range's ads", len(rows), err)
	}
	var days []*schemas.AdInsight
	for _, r := range rows {
		days = append(days, &schemas.AdInsight{BrandID: "demo", AdAccountID: r.AdAccountID, AdID: r.AdID, StartDate: "2026-11-27", EndDate: "2026-11-27",
			Daily: true, CreativeType: schemas.CreativeType(r.CreativeType), AdEffectiveStatus: r.AdEffectiveStatus, SpendMicros: r.SpendMicros,
			Impressions: r.Impressions, Clicks: r.Clicks, VideoViews: r.VideoViews, FetchedAt: r.FetchedAt, Version: int64(r.Version), SyncID: "t"})
	}
	if err := e.store.InsertInsights(ctx, days); err != nil {
		t.Fatal(err)
	}
}

// feedPage is the part of a feed answer the tests read.
type feedPage struct {
	Total      int64   `json:"total"`
	HasMore    bool    `json:"hasMore"`
	NextCursor *string `json:"nextCursor"`
	Videos     []struct {
		VideoID              string     `json:"videoId"`
		LengthSeconds        float64    `json:"lengthSeconds"`
		DownloadURL          string     `json:"downloadUrl"`
		DownloadURLExpiresAt *time.Time `json:"downloadUrlExpiresAt"`
		ThumbnailURL         string     `json:"thumbnailUrl"`
		Metrics              struct {
			Spend float64 `json:"spend"`
		} `json:"metrics"`
		Ads []struct {
			AdID string `json:"adId"`
		} `json:"ads"`
	} `json:"videos"`
	URLRefresh struct {
		Refreshed int     `json:"refreshed"`
		Failed    int     `json:"failed"`
		Error     *string `json:"error"`
	} `json:"urlRefresh"`
}

func (e *videoEnv) feed(t *testing.T, query string) feedPage {
	t.Helper()
	r := e.app.send(t, http.MethodGet, "/api/videos/demo/pending?"+query, "")
	var p feedPage
	if r.status != http.StatusOK || json.Unmarshal(r.body, &p) != nil {
		t.Fatalf("GET pending?%s: %d %s", query, r.status, r.body)
	}
	return p
}

// download fetches a media URL and returns its status and size.
func download(t *testing.T, u string) (int, int) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("download %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, len(b)
}

func (e *videoEnv) graphCalls(t *testing.T) int64 {
	t.Helper()
	resp, err := http.Get(e.srv.URL + "/_sim/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		Calls int64 `json:"calls"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s.Calls
}

func (e *videoEnv) postAnalysis(t *testing.T, video, typ string) {
	t.Helper()
	body := fmt.Sprintf(`{"analysisType":%q,"model":"scene-detector","version":"1.0","results":{"video":%q,"scenes":[1,2]},"analyzedAt":"2026-11-30T12:00:00Z"}`, typ, video)
	if r := e.app.send(t, http.MethodPost, "/api/creatives/demo/videos/"+video+"/analyses", body); r.status != http.StatusCreated {
		t.Fatalf("post analysis of %s: %d %s", video, r.status, r.body)
	}
}

// The feed lists each video once, by spend, cursor-paged, with URLs that
// download; an analysed video drops out of its type's feed only.
func TestFeedPagesVideosByIDOnceBySpend(t *testing.T) {
	e := newVideoEnv(t, true)
	first := e.feed(t, "analysisType=scenes&limit=5")
	if len(first.Videos) != 5 || first.Total < 10 || !first.HasMore || first.NextCursor == nil {
		t.Fatalf("first page: %d videos of %d, hasMore %v", len(first.Videos), first.Total, first.HasMore)
	}
	var all []string
	var spends []float64
	for q := "analysisType=scenes&limit=7"; ; {
		p := e.feed(t, q)
		for _, v := range p.Videos {
			all = append(all, v.VideoID)
			spends = append(spends, v.Metrics.Spend)
			if len(v.Ads) == 0 || v.LengthSeconds <= 0 || v.DownloadURLExpiresAt == nil {
				t.Errorf("video %s: %d ads, length %v, expiry %v", v.VideoID, len(v.Ads), v.LengthSeconds, v.DownloadURLExpiresAt)
			}
		}
		if p.NextCursor == nil {
			break
		}
		q = "analysisType=scenes&limit=7&cursor=" + *p.NextCursor
	}
	if int64(len(all)) != first.Total || len(slices.Compact(slices.Sorted(slices.Values(all)))) != len(all) {
		t.Errorf("paged %d videos (%d distinct), total %d", len(all), len(slices.Compact(slices.Sorted(slices.Values(all)))), first.Total)
	}
	if !slices.IsSortedFunc(spends, func(a, b float64) int { return -cmpFloat(a, b) }) {
		t.Errorf("spends not highest first: %v", spends)
	}
	for _, v := range first.Videos[:2] {
		if code, n := download(t, v.DownloadURL); code != 200 || n < 4096 {
			t.Errorf("download %s: %d, %d bytes", v.DownloadURL, code, n)
		}
		if code, _ := download(t, v.ThumbnailURL); code != 200 {
			t.Errorf("thumbnail %s: %d", v.ThumbnailURL, code)
		}
		e.postAnalysis(t, v.VideoID, "scenes")
	}
	after := e.feed(t, "analysisType=scenes&limit=5")
	if after.Total != first.Total-2 || after.Videos[0].VideoID != first.Videos[2].VideoID {
		t.Errorf("after 2 results: total %d (was %d), first %s (want %s)", after.Total, first.Total, after.Videos[0].VideoID, first.Videos[2].VideoID)
	}
	if other := e.feed(t, "analysisType=transcript&limit=5"); other.Total != first.Total {
		t.Errorf("transcript feed: %d videos, want all %d", other.Total, first.Total)
	}
	bad := e.app.send(t, http.MethodGet, "/api/videos/demo/pending?analysisType=transcript&cursor="+*first.NextCursor, "")
	if bad.status != http.StatusBadRequest || decodeError(t, bad.body).Error.Field != "cursor" {
		t.Errorf("a scenes cursor on the transcript feed: %d %s, want 400 on cursor", bad.status, bad.body)
	}
}

// Past the URLs' expiry on graphsim's clock, the feed and the list hand out
// new URLs that download, fetched in a few batched calls and stored: the
// next read makes none.
func TestExpiredURLsAreRefreshedAndStored(t *testing.T) {
	e := newVideoEnv(t, true)
	before := e.feed(t, "analysisType=scenes&limit=20")
	if before.URLRefresh.Refreshed != 0 || before.URLRefresh.Failed != 0 {
		t.Fatalf("fresh URLs were refreshed: %+v", before.URLRefresh)
	}
	e.sim.Advance(graphsim.MediaTTL + time.Hour)
	if code, _ := download(t, before.Videos[0].DownloadURL); code != http.StatusForbidden {
		t.Fatalf("the stored URL still downloads (%d) past its expiry: the test proves nothing", code)
	}
	calls := e.graphCalls(t)
	after := e.feed(t, "analysisType=scenes&limit=20")
	if after.URLRefresh.Refreshed != 40 || after.URLRefresh.Failed != 0 {
		t.Errorf("refresh of 20 videos: %+v, want 40 URLs (source and thumbnail each) refreshed", after.URLRefresh)
	}
	if n := e.graphCalls(t) - calls; n != 2 {
		t.Errorf("%d Graph API calls for 40 URLs, want 2 (one ids lookup per kind)", n)
	}
	for _, v := range after.Videos {
		if code, _ := download(t, v.DownloadURL); code != 200 {
			t.Errorf("refreshed source of %s: %d", v.VideoID, code)
		}
		if code, _ := download(t, v.ThumbnailURL); code != 200 {
			t.Errorf("refreshed thumbnail of %s: %d", v.VideoID, code)
		}
		if v.DownloadURLExpiresAt == nil || !v.DownloadURLExpiresAt.After(e.sim.Now().Add(time.Hour)) {
			t.Errorf("refreshed source of %s expires %v", v.VideoID, v.DownloadURLExpiresAt)
		}
	}
	calls = e.graphCalls(t)
	if again := e.feed(t, "analysisType=scenes&limit=20"); again.URLRefresh.Refreshed != 0 || again.Videos[0].DownloadURL != after.Videos[0].DownloadURL {
		t.Errorf("a second read refreshed again: %+v", again.URLRefresh)
	}
	if n := e.graphCalls(t) - calls; n != 0 {
		t.Errorf("a second read made %d Graph API calls, want 0 (the refreshed URLs are stored)", n)
	}

	// The list hands out live URLs too: the videos above from media_urls,
	// the others refreshed now.
	var list struct {
		Creatives []struct {
			CreativeType   string `json:"creative_type"`
			CreativeURL    string `json:"creative_url"`
			ThumbnailURL   string `json:"thumbnail_url"`
			VideoSourceURL string `json:"video_source_url"`
		} `json:"creatives"`
	}
	if err := json.Unmarshal(e.app.send(t, http.MethodGet, "/api/creatives/demo?"+videoRange+"&limit=40", "").body, &list); err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Creatives {
		urls := []string{c.ThumbnailURL}
		if c.CreativeType == "video" {
			urls = append(urls, c.VideoSourceURL, c.CreativeURL)
		}
		for _, u := range urls {
			if code, _ := download(t, u); code != 200 {
				t.Errorf("list hands out %s: %d", u, code)
			}
		}
	}
}

// Without a Graph API, or while it throttles the brand, an expired URL is
// handed out as it is and the answer says why; a throttled brand's
// refreshes pause instead of spending more calls.
func TestRefreshFailuresAreReported(t *testing.T) {
	t.Run("no Graph API", func(t *testing.T) {
		e := newVideoEnv(t, false)
		e.sim.Advance(graphsim.MediaTTL + time.Hour)
		p := e.feed(t, "analysisType=scenes&limit=3")
		if p.URLRefresh.Failed != 6 || p.URLRefresh.Error == nil || !strings.Contains(*p.URLRefresh.Error, "no Graph API") {
			t.Errorf("urlRefresh %+v, want 6 failed: no Graph API", p.URLRefresh)
		}
		if p.Videos[0].DownloadURLExpiresAt == nil || p.Videos[0].DownloadURLExpiresAt.After(e.sim.Now()) {
			t.Errorf("an expired URL is handed out with expiry %v, want its past expiry", p.Videos[0].DownloadURLExpiresAt)
		}
	})
	t.Run("throttled", func(t *testing.T) {
		e := newVideoEnv(t, true)
		e.sim.Advance(graphsim.MediaTTL + time.Hour)
		e.sim.SetFaults(graphsim.Faults{ThrottleRate: 1, ThrottleCode: 80004})
		p := e.feed(t, "analysisType=scenes&limit=3")
		if p.URLRefresh.Refreshed != 0 || p.URLRefresh.Failed != 6 || p.URLRefresh.Error == nil {
			t.Fatalf("urlRefresh %+v, want 6 failed with the throttle's error", p.URLRefresh)
		}
		calls := e.graphCalls(t)
		p = e.feed(t, "analysisType=scenes&limit=3")
		if n := e.graphCalls(t) - calls; n != 0 || p.URLRefresh.Error == nil || !strings.Contains(*p.URLRefresh.Error, "throttled") {
			t.Errorf("while throttled: %d calls, urlRefresh %+v; want none and the pause said", n, p.URLRefresh)
		}
	})
}

// The list narrows to analysed or pending videos' creatives and, with
// include=analyses, carries their results.
func TestListByAnalysisState(t *testing.T) {
	e := newVideoEnv(t, true)
	p := e.feed(t, "analysisType=scenes&limit=3")
	for _, v := range p.Videos {
		e.postAnalysis(t, v.VideoID, "scenes")
	}
	type creatives struct {
		Total     int64   `json:"total_creatives"`
		Cursor    *string `json:"nextCursor"`
		Creatives []struct {
			VideoID  string `json:"video_id"`
			Analyses *[]struct {
				VideoID      string         `json:"videoId"`
				AnalysisType string         `json:"analysisType"`
				Results      map[string]any `json:"results"`
			} `json:"analyses"`
		} `json:"creatives"`
	}
	var got creatives
	r := e.app.send(t, http.MethodGet, "/api/creatives/demo?"+videoRange+"&analysis=analyzed&analysisType=scenes&include=analyses", "")
	if err := json.Unmarshal(r.body, &got); err != nil || r.status != 200 {
		t.Fatalf("analyzed list: %d %s", r.status, r.body)
	}
	var ads int
	for _, v := range p.Videos {
		ads += len(v.Ads)
	}
	if got.Total != int64(ads) || len(got.Creatives) != ads {
		t.Errorf("analyzed: %d creatives (total %d), want the %d ads of the 3 videos", len(got.Creatives), got.Total, ads)
	}
	for _, c := range got.Creatives {
		if c.Analyses == nil || len(*c.Analyses) != 1 || (*c.Analyses)[0].VideoID != c.VideoID || (*c.Analyses)[0].Results["video"] != c.VideoID {
			t.Errorf("creative of video %s: analyses %+v", c.VideoID, c.Analyses)
		}
	}
	var pending creatives
	json.Unmarshal(e.app.send(t, http.MethodGet, "/api/creatives/demo?"+videoRange+"&analysis=pending&analysisType=scenes&limit=5", "").body, &pending)
	if pending.Total != p.Total-3 || pending.Cursor == nil || pending.Creatives[0].Analyses != nil {
		t.Errorf("pending: total %d, want %d (one ad per graphsim video); cursor %v", pending.Total, p.Total-3, pending.Cursor)
	}
	for _, bad := range []struct{ query, field string }{
		{"analysis=analyzed", "analysisType"},
		{"analysis=done&analysisType=scenes", "analysis"},
		{"include=everything", "include"},
		{"analysisType=no%20spaces", "analysisType"},
		{"cursor=" + *pending.Cursor, "cursor"}, // the pending list's cursor, without its filter
	} {
		r := e.app.send(t, http.MethodGet, "/api/creatives/demo?"+videoRange+"&"+bad.query, "")
		if r.status != 400 || decodeError(t, r.body).Error.Field != bad.field {
			t.Errorf("%s: %d %s, want 400 on %s", bad.query, r.status, r.body, bad.field)
		}
	}
}

// The export streams every video once, in id order, with its days; with
// include=analyses each line carries the video's results.
func TestExportStreamsEveryVideo(t *testing.T) {
	e := newVideoEnv(t, true)
	total := e.feed(t, "analysisType=scenes&limit=1")
	e.postAnalysis(t, total.Videos[0].VideoID, "hook")
	r := e.app.send(t, http.MethodGet, "/api/videos/demo/export?include=analyses", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("export: %d %s", r.status, r.header.Get("Content-Type"))
	}
	var ids []string
	analysed := 0
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			VideoID     string `json:"videoId"`
			DownloadURL string `json:"downloadUrl"`
			Days        []struct {
				Date  string  `json:"date"`
				Spend float64 `json:"spend"`
			} `json:"days"`
			Analyses []json.RawMessage `json:"analyses"`
			Error    any               `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.Error != nil {
			t.Fatalf("line %d: %v %s", len(ids)+1, err, sc.Bytes())
		}
		ids = append(ids, line.VideoID)
		if len(line.Days) != 1 || line.Days[0].Date != "2026-11-27" || line.DownloadURL == "" || line.Analyses == nil {
			t.Errorf("video %s: days %+v, url %q, analyses %v", line.VideoID, line.Days, line.DownloadURL, line.Analyses)
		}
		analysed += len(line.Analyses)
	}
	if int64(len(ids)) != total.Total || !slices.IsSorted(ids) || analysed != 1 {
		t.Errorf("export: %d videos (sorted %v) with %d results; want %d sorted with 1", len(ids), slices.IsSorted(ids), analysed, total.Total)
	}
}

// A posted analysis is checked field by field, and bodies are limited.
func TestPostedAnalysesAreValidated(t *testing.T) {
	e := newVideoEnv(t, false)
	video := e.feed(t, "analysisType=scenes&limit=1").Videos[0].VideoID
	target := "/api/creatives/demo/videos/" + video + "/analyses"
	good := map[string]any{"analysisType": "scenes", "model": "m", "version": "1", "results": map[string]any{"a": 1}, "analyzedAt": "2026-11-30T12:00:00Z"}
	with := func(k string, v any) string {
		b := map[string]any{}
		for kk, vv := range good {
			b[kk] = vv
		}
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		out, _ := json.Marshal(b)
		return string(out)
	}
	big := strings.Repeat("x", 257<<10)
	tests := []struct {
		name, target, body, field string
		want                      int
	}{
		{"no analysisType", target, with("analysisType", nil), "analysisType", 400},
		{"bad analysisType", target, with("analysisType", "two words"), "analysisType", 400},
		{"no model", target, with("model", ""), "model", 400},
		{"long version", target, with("version", strings.Repeat("v", 65)), "version", 400},
		{"results an array", target, with("results", []int{1}), "results", 400},
		{"no results", target, with("results", nil), "results", 400},
		{"results too big", target, with("results", map[string]string{"t": big}), "results", 400},
		{"future analyzedAt", target, with("analyzedAt", "2027-01-01T00:00:00Z"), "analyzedAt", 400},
		{"bad analyzedAt", target, with("analyzedAt", "yesterday"), "analyzedAt", 400},
		{"unknown field", target, with("score", 3), "score", 400},
		{"model a number", target, with("model", 3), "model", 400},
		{"not JSON", target, "{", "body", 400},
		{"bad video id", "/api/creatives/demo/videos/abc/analyses", with("model", "m"), "videoId", 400},
		{"unknown video", "/api/creatives/demo/videos/123/analyses", with("model", "m"), "", 404},
		{"other route over 64 KiB", "/api/creatives/sync/demo", `{"startDate":"` + strings.Repeat(" ", 70<<10) + `"}`, "", 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.app.send(t, http.MethodPost, tt.target, tt.body)
			if r.status != tt.want {
				t.Fatalf("%d %.300s, want %d", r.status, r.body, tt.want)
			}
			if got := decodeError(t, r.body).Error.Field; got != tt.field {
				t.Errorf("field %q (%s), want %q", got, r.body, tt.field)
			}
		})
	}
	if r := e.app.send(t, http.MethodPost, target, with("results", map[string]string{"t": big[:200<<10]})); r.status != http.StatusCreated {
		t.Errorf("200 KiB of results: %d %.300s, want 201", r.status, r.body)
	}
	// The server refuses a body over 320 KiB by its Content-Length, before
	// reading it; only a real connection shows that answer.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.app.Listener(l)
	t.Cleanup(func() { e.app.app.Shutdown() })
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", target, 400<<10)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || decodeError(t, b).Error.Code != "http_error" {
		t.Errorf("a 400 KiB analysis: %d %s, want 413", resp.StatusCode, b)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
