package graphsim

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fetchMedia downloads u and returns the status and body.
func fetchMedia(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A video's source URL downloads until its expiry on graphsim's clock, then
// answers 403 like the CDN; the Graph API then hands out a new URL that
// downloads the same bytes. An edited or unsigned URL never downloads.
func TestMediaURLsExpireOnTheSimulatedClock(t *testing.T) {
	h := newHarness(t, Options{Seed: 41, Ads: 60, CallBudget: 1e9})
	videoID := ""
	for id, k := range h.classifyAds(h.acct) {
		if k == "video" {
			_, _, b := h.get("/v21.0/"+id, url.Values{"fields": {"creative{video_id}"}})
			videoID = decode[map[string]any](t, b)["creative"].(map[string]any)["video_id"].(string)
			break
		}
	}
	source := func() string {
		code, _, b := h.get("/v21.0/"+videoID, url.Values{"fields": {"source"}})
		if code != 200 {
			t.Fatalf("video %s: %d %s", videoID, code, b)
		}
		return decode[map[string]any](t, b)["source"].(string)
	}
	first := source()
	u, _ := url.Parse(first)
	oe, err := strconv.ParseInt(u.Query().Get("oe"), 16, 64)
	if err != nil || u.Query().Get("oh") == "" {
		t.Fatalf("source %s carries no oe/oh signature", first)
	}
	if got, want := time.Unix(oe, 0).Sub(h.sim.Now()), MediaTTL; got != want {
		t.Errorf("source expires %s after the clock, want %s", got, want)
	}
	code, body := fetchMedia(t, first)
	if code != 200 || !strings.Contains(body[:16], "ftyp") || len(body) < 4096 {
		t.Fatalf("fresh source: %d, %d bytes", code, len(body))
	}

	edited := strings.Replace(first, "oe="+u.Query().Get("oe"), "oe="+strconv.FormatInt(oe+86400, 16), 1)
	unsigned := h.srv.URL + u.Path
	for _, bad := range []string{edited, unsigned} {
		if code, msg := fetchMedia(t, bad); code != http.StatusForbidden || !strings.Contains(msg, "Bad URL hash") {
			t.Errorf("%s: %d %q, want 403 Bad URL hash", bad, code, msg)
		}
	}

	h.advance(MediaTTL - time.Minute)
	if code, _ := fetchMedia(t, first); code != 200 {
		t.Errorf("a minute before expiry: %d, want 200", code)
	}
	h.advance(2 * time.Minute)
	if code, msg := fetchMedia(t, first); code != http.StatusForbidden || !strings.Contains(msg, "URL signature expired") {
		t.Errorf("after expiry: %d %q, want 403 URL signature expired", code, msg)
	}
	again := source()
	if again == first {
		t.Fatal("the Graph API handed out the expired URL again")
	}
	if code, body2 := fetchMedia(t, again); code != 200 || body2 != body {
		t.Errorf("renewed source: %d, same bytes %v", code, body2 == body)
	}
}
