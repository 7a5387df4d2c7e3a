package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/graph"
)

// pendingFeed is the part of GET /api/videos/{brand}/pending the test reads.
type pendingFeed struct {
	Total  int64 `json:"total"`
	Videos []struct {
		VideoID      string `json:"videoId"`
		DownloadURL  string `json:"downloadUrl"`
		ThumbnailURL string `json:"thumbnailUrl"`
		Metrics      struct {
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

// fetch downloads u and returns the status, content type and bytes.
func fetch(t *testing.T, u string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// TestVideoAnalysisEndToEnd is issue 11's "done when", on `adstream dev`
// with the real ClickHouse and Kafka: after a sync, take 5 videos from the
// pending feed, download each from its URL (graphsim serves the bytes), post
// a result; the feed shrinks by 5 and the results come back on the
// creatives. Past the URLs' expiry on graphsim's clock, the feed still hands
// out URLs that download.
func TestVideoAnalysisEndToEnd(t *testing.T) {
	dev := startDev(t, map[string]string{"ADSTREAM_DEMO_ADS": "200", "ADSTREAM_FLUSH_INTERVAL": "200ms"})
	q := dev.demoQuery()
	var truth struct {
		TotalAds int64 `json:"total_ads"`
	}
	getJSON(t, dev.sim+"/_sim/truth?brand_id=demo&since="+dev.demo.StartDate+"&until="+dev.demo.EndDate+"&creative_type=video", &truth)
	if truth.TotalAds < 20 {
		t.Fatalf("graphsim has %d video ads in the demo range; the test needs more", truth.TotalAds)
	}
	// graphsim gives each video ad a video of its own: the feed holds one
	// video per video ad once the sync's records are all stored.
	feedURL := dev.api + "/api/videos/demo/pending?analysisType=scenes&limit=5"
	var before pendingFeed
	// The list answers complete once the sync's records are all stored and
	// the range rebuilt; the job's status says completed before that.
	waitFor(t, 120*time.Second, "the demo range complete and every video of it in the feed", func() bool {
		var list struct{ Complete bool }
		return getJSON(t, dev.api+"/api/creatives/demo?"+q+"&limit=1", &list) == http.StatusOK && list.Complete &&
			getJSON(t, feedURL, &before) == http.StatusOK && before.Total == truth.TotalAds
	})
	if len(before.Videos) != 5 {
		t.Fatalf("the feed's first page has %d videos, want 5", len(before.Videos))
	}
	checkDemoMediaValid(t, dev, before)
	spends := map[string]float64{}
	for _, c := range storedCreatives(t, dev.api, q) {
		spends[c.AdID] = c.Spend
	}

	posted := map[string]string{} // video → its results
	for i, v := range before.Videos {
		code, ctype, body := fetch(t, v.DownloadURL)
		if code != http.StatusOK || ctype != "video/mp4" || !bytes.Contains(body[:16], []byte("ftyp")) {
			t.Fatalf("download of video %s: %d %s, %d bytes", v.VideoID, code, ctype, len(body))
		}
		if code, ctype, _ := fetch(t, v.ThumbnailURL); code != http.StatusOK || ctype != "image/jpeg" {
			t.Errorf("thumbnail of video %s: %d %s", v.VideoID, code, ctype)
		}
		// The feed ranks by the spend of the video's ads over the stored
		// days, which here are the demo range's: the list's spend.
		if len(v.Ads) != 1 || math.Abs(v.Metrics.Spend-spends[v.Ads[0].AdID]) > 1e-6 {
			t.Errorf("video %s: spend %v over ads %+v; the list says %v", v.VideoID, v.Metrics.Spend, v.Ads, spends[v.Ads[0].AdID])
		}
		if i > 0 && v.Metrics.Spend > before.Videos[i-1].Metrics.Spend {
			t.Errorf("video %s outspends the one before it: the feed is not by spend", v.VideoID)
		}
		results := fmt.Sprintf(`{"bytes":%d,"scenes":[{"start":0,"end":1.5}]}`, len(body))
		posted[v.VideoID] = results
		body2 := `{"analysisType":"scenes","model":"scene-detector","version":"1.0","results":` + results + `,"analyzedAt":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
		if code := post(t, dev.api+"/api/creatives/demo/videos/"+v.VideoID+"/analyses", body2); code != http.StatusCreated {
			t.Fatalf("post the result of video %s: HTTP %d", v.VideoID, code)
		}
	}

	var after pendingFeed
	getJSON(t, feedURL, &after)
	if after.Total != before.Total-5 {
		t.Errorf("the feed holds %d videos after 5 results, want %d", after.Total, before.Total-5)
	}
	for _, v := range after.Videos {
		if posted[v.VideoID] != "" {
			t.Errorf("analysed video %s is still in the feed", v.VideoID)
		}
	}

	var list struct {
		Total     int64 `json:"total_creatives"`
		Creatives []struct {
			VideoID  string `json:"video_id"`
			Analyses []struct {
				AnalysisType string          `json:"analysisType"`
				Results      json.RawMessage `json:"results"`
			} `json:"analyses"`
		} `json:"creatives"`
	}
	getJSON(t, dev.api+"/api/creatives/demo?"+q+"&analysis=analyzed&analysisType=scenes&include=analyses&limit=50", &list)
	if list.Total != 5 || len(list.Creatives) != 5 {
		t.Errorf("the list of analysed creatives has %d (total %d), want the 5", len(list.Creatives), list.Total)
	}
	for _, c := range list.Creatives {
		if len(c.Analyses) != 1 || c.Analyses[0].AnalysisType != "scenes" || string(c.Analyses[0].Results) != posted[c.VideoID] {
			t.Errorf("creative of video %s carries %+v, want the posted %s", c.VideoID, c.Analyses, posted[c.VideoID])
		}
	}

	// Past the URLs' expiry on graphsim's clock, the stored URLs no longer
	// download, and the feed hands out new ones that do.
	if code := post(t, dev.sim+"/_sim/clock?advance=96h", ""); code != http.StatusOK {
		t.Fatalf("advance graphsim's clock: HTTP %d", code)
	}
	if code, _, _ := fetch(t, after.Videos[0].DownloadURL); code != http.StatusForbidden {
		t.Fatalf("a stored URL downloads (%d) past its expiry: the check below would prove nothing", code)
	}
	var expired pendingFeed
	getJSON(t, feedURL, &expired)
	if expired.URLRefresh.Refreshed != 10 || expired.URLRefresh.Failed != 0 {
		t.Errorf("urlRefresh %+v, want the 5 videos' sources and thumbnails refreshed", expired.URLRefresh)
	}
	for _, v := range expired.Videos {
		if code, _, body := fetch(t, v.DownloadURL); code != http.StatusOK || len(body) < 4096 {
			t.Errorf("download of video %s after the expiry: %d, %d bytes", v.VideoID, code, len(body))
		}
		if code, _, _ := fetch(t, v.ThumbnailURL); code != http.StatusOK {
			t.Errorf("thumbnail of video %s after the expiry: %d", v.VideoID, code)
		}
	}

	// The export streams every video with its days and results.
	code, ctype, body := fetch(t, dev.api+"/api/videos/demo/export?include=analyses")
	if code != http.StatusOK || !strings.HasPrefix(ctype, "application/x-ndjson") {
		t.Fatalf("export: %d %s", code, ctype)
	}
	var ids []string
	results := 0
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var line struct {
			VideoID  string            `json:"videoId"`
			Days     []json.RawMessage `json:"days"`
			Analyses []json.RawMessage `json:"analyses"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.VideoID == "" || len(line.Days) == 0 {
			t.Fatalf("export line %d: %v %.200s", len(ids)+1, err, sc.Bytes())
		}
		ids = append(ids, line.VideoID)
		results += len(line.Analyses)
	}
	if int64(len(ids)) != truth.TotalAds || !slices.IsSorted(ids) || results != 5 {
		t.Errorf("export: %d videos (in id order: %v) with %d results; want %d with 5", len(ids), slices.IsSorted(ids), results, truth.TotalAds)
	}
	t.Logf("feed of %d videos; 5 analysed; after the expiry %d URLs refreshed; export %d bytes", before.Total, expired.URLRefresh.Refreshed, len(body))
}

// checkDemoMediaValid checks that the media URLs of dev's demo, on the first
// page of video creatives and of the feed, are valid by the real clock for
// more than an hour, as a user opening `make run` on any date needs: the
// browser shows them as they are, and no read has to refresh them first.
func checkDemoMediaValid(t *testing.T, dev devStack, feed pendingFeed) {
	t.Helper()
	var page struct {
		Creatives []struct {
			AdID           string `json:"ad_id"`
			ThumbnailURL   string `json:"thumbnail_url"`
			VideoSourceURL string `json:"video_source_url"`
		} `json:"creatives"`
	}
	filter := url.QueryEscape(`{"creative_type":"video"}`)
	if code := getJSON(t, dev.api+"/api/creatives/demo?"+dev.demoQuery()+"&page=1&limit=10&filters="+filter, &page); code != http.StatusOK || len(page.Creatives) == 0 {
		t.Fatalf("first page of video creatives: HTTP %d, %d creatives", code, len(page.Creatives))
	}
	urls := map[string]string{}
	for _, c := range page.Creatives {
		urls["thumbnail of ad "+c.AdID], urls["video of ad "+c.AdID] = c.ThumbnailURL, c.VideoSourceURL
	}
	for _, v := range feed.Videos {
		urls["feed download of video "+v.VideoID], urls["feed thumbnail of video "+v.VideoID] = v.DownloadURL, v.ThumbnailURL
	}
	soon := time.Now().Add(time.Hour)
	for what, u := range urls {
		if at, ok := graph.URLExpiry(u); !ok || !at.After(soon) {
			t.Errorf("%s expires at %s (signed %v), before an hour from now (%s): %.120s", what, at, ok, soon.UTC().Format(time.RFC3339), u)
		}
	}
	if feed.URLRefresh.Refreshed != 0 || feed.URLRefresh.Failed != 0 {
		t.Errorf("the feed's first read refreshed URLs (%+v): the demo's media were stale", feed.URLRefresh)
	}
}
