package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestByIDsChunksOf50(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		out := map[string]any{}
		for _, id := range strings.Split(r.URL.Query().Get("ids"), ",") {
			out[id] = map[string]string{"id": id}
		}
		writeJSON(w, out)
	}, func(c *Config) { c.NoBatch = true })
	var give []string
	for i := range 120 {
		give = append(give, fmt.Sprint(1000+i))
	}
	give = append(give, "1000", "1001", "") // duplicates and blanks cost no lookups

	got, err := h.c.ByIDs(context.Background(), testToken, give, "id,name")

	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, r := range h.calls {
		if r.URL.Path != "/v21.0/" || r.URL.Query().Get("fields") != "id,name" {
			t.Errorf("request %s, want /v21.0/?ids=…&fields=id,name", r.URL)
		}
		sizes = append(sizes, len(strings.Split(r.URL.Query().Get("ids"), ",")))
	}
	if want := []int{50, 50, 20}; !slices.Equal(sizes, want) {
		t.Errorf("chunk sizes = %v, want %v", sizes, want)
	}
	if len(got) != 120 {
		t.Errorf("got %d objects, want 120", len(got))
	}
	var one struct{ ID string }
	if err := json.Unmarshal(got["1119"], &one); err != nil || one.ID != "1119" {
		t.Errorf("got[1119] = %s, want its object", got["1119"])
	}
}

func TestVideo(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path != "/v21.0/778" || r.URL.Query().Get("fields") != VideoFields {
			graphError(w, 400, 100, 0, "unexpected request "+r.URL.String())
			return
		}
		w.Write([]byte(`{"id":"778","source":"https://video.example/778.mp4","picture":"https://img.example/778.jpg","length":12.48}`))
	})

	got, err := h.c.Video(context.Background(), testToken, "778")

	want := Video{ID: "778", Source: "https://video.example/778.mp4", Picture: "https://img.example/778.jpg", Length: 12.48}
	if err != nil || got != want {
		t.Errorf("Video = %+v, %v; want %+v", got, err, want)
	}
}
