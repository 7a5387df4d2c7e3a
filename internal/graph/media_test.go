package graph

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestURLExpiry(t *testing.T) {
	tests := []struct {
		give   string
		want   time.Time
		wantOK bool
	}{
		{"https://video.xx.fbcdn.net/v/t42/1_n.mp4?_nc_cat=1&oh=00_AfB&oe=6745A1B2", time.Unix(0x6745A1B2, 0).UTC(), true},
		{"http://127.0.0.1:8090/_sim/media/12.jpg?oe=692b5100&oh=00_ab", time.Unix(0x692b5100, 0).UTC(), true},
		{"https://cdn.example/a.mp4", time.Time{}, false},
		{"https://cdn.example/a.mp4?oe=zz", time.Time{}, false},
		{"", time.Time{}, false},
		{"%zz", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, ok := URLExpiry(tt.give)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("URLExpiry = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// A video deleted since it was stored fails the whole ids lookup with 803;
// MediaURLs asks again without it, returns the others' URLs and names it.
func TestMediaURLsSkipsDeletedObjects(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		ids := strings.Split(r.URL.Query().Get("ids"), ",")
		if slices.Contains(ids, "404") {
			graphError(w, http.StatusBadRequest, 803, 0, "(#803) Some of the aliases you requested do not exist: 404")
			return
		}
		out := map[string]any{}
		for _, id := range ids {
			out[id] = map[string]string{"id": id, "source": "https://cdn.example/" + id + ".mp4?oe=1"}
		}
		writeJSON(w, out)
	})
	urls, gone, err := h.c.MediaURLs(context.Background(), testToken, []string{"1", "404", "2"}, FieldVideoSource)
	if err != nil {
		t.Fatal(err)
	}
	if len(urls) != 2 || urls["1"] != "https://cdn.example/1.mp4?oe=1" || urls["2"] == "" {
		t.Errorf("urls = %v, want the sources of 1 and 2", urls)
	}
	if !slices.Equal(gone, []string{"404"}) {
		t.Errorf("gone = %v, want [404]", gone)
	}
	if n := h.callCount(); n != 2 {
		t.Errorf("%d lookups, want 2 (one refused, one without the deleted id)", n)
	}
	for _, r := range h.calls {
		if r.URL.Query().Get("fields") != "source" {
			t.Errorf("asked fields=%q, want source", r.URL.Query().Get("fields"))
		}
	}
}

// Any other failure is returned, not swallowed.
func TestMediaURLsReturnsOtherErrors(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		graphError(w, http.StatusBadRequest, 190, 463, "Error validating access token: Session has expired")
	})
	if _, _, err := h.c.MediaURLs(context.Background(), testToken, []string{"1"}, FieldCreativeThumbnail); err == nil || !strings.Contains(err.Error(), "thumbnail_url") {
		t.Fatalf("err = %v, want the expired token error naming thumbnail_url", err)
	}
}
