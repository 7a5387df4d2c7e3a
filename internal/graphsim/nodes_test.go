package graphsim

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestIDsLookup(t *testing.T) {
	h := newHarness(t, Options{Seed: 12, Ads: 80})
	rows, _ := h.pageAll("/v21.0/"+h.acct+"/ads", url.Values{"limit": {"60"}})
	var ids []string
	for _, r := range rows {
		ids = append(ids, r["id"].(string))
	}
	tests := []struct {
		name     string
		give     []string
		wantCode int // 0 = success
	}{
		{"three", ids[:3], 0},
		{"fifty", ids[:50], 0},
		{"fifty-one", ids[:51], 100},
		{"unknown", []string{ids[0], "123"}, 803},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, b := h.get("/v21.0/", url.Values{"ids": {strings.Join(tt.give, ",")}, "fields": {"id,name,creative{id}"}})
			if tt.wantCode != 0 {
				if e := decode[graphErr](t, b); code != 400 || e.Error.Code != tt.wantCode {
					t.Fatalf("%d %s", code, b)
				}
				return
			}
			got := decode[map[string]map[string]any](t, b)
			if code != 200 || len(got) != len(tt.give) {
				t.Fatalf("%d: %d objects for %d ids", code, len(got), len(tt.give))
			}
			for _, id := range tt.give {
				if got[id]["id"] != id || got[id]["creative"] == nil {
					t.Fatalf("object %s = %v", id, got[id])
				}
			}
		})
	}
}

// TestCreativesAndMedia checks every creative kind carries its signals and
// that the media URLs graphsim hands out answer with bytes.
func TestCreativesAndMedia(t *testing.T) {
	h := newHarness(t, Options{Seed: 13, Ads: 200, CallBudget: 1e9})
	kinds := h.classifyAds(h.acct)
	count := map[string]int{}
	for _, k := range kinds {
		count[k]++
	}
	for _, k := range []string{"video", "image", "carousel", "unknown"} {
		if count[k] == 0 {
			t.Fatalf("no %s creatives in %v", k, count)
		}
	}
	if count["video"] < count["carousel"] || count["image"] < count["unknown"] {
		t.Fatalf("creative mix off: %v", count)
	}
	var videoAd string
	for id, k := range kinds {
		if k == "video" {
			videoAd = id
			break
		}
	}
	code, _, b := h.get("/v21.0/"+videoAd, url.Values{"fields": {"creative{video_id,thumbnail_url}"}})
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	cr := decode[map[string]any](t, b)["creative"].(map[string]any)
	code, _, b = h.get("/v21.0/"+cr["video_id"].(string), url.Values{"fields": {"source,picture,length"}})
	if code != 200 {
		t.Fatalf("video: %d %s", code, b)
	}
	v := decode[map[string]any](t, b)
	if l, _ := v["length"].(float64); l <= 0 {
		t.Fatalf("video length %v", v["length"])
	}
	for _, u := range []string{v["source"].(string), v["picture"].(string), cr["thumbnail_url"].(string)} {
		if !strings.HasPrefix(u, h.srv.URL+"/_sim/media/") {
			t.Fatalf("media URL %s not served by graphsim", u)
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) < 32 {
			t.Fatalf("%s: %d with %d bytes", u, resp.StatusCode, len(body))
		}
	}
}

func TestAuthBearerAndAccounts(t *testing.T) {
	h := newHarness(t, Options{Seed: 14, Ads: 10, Brands: 3, Accounts: 2})
	brands := h.sim.Brands()
	if brands[0].BrandID != "demo" || brands[1].BrandID != "brand-2" || brands[2].BrandID != "brand-3" {
		t.Fatalf("brand ids %v", brands)
	}
	for _, b := range brands {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/v21.0/me/adaccounts?fields=id", nil)
		req.Header.Set("Authorization", "Bearer "+b.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		p := decode[graphPage](t, body)
		if resp.StatusCode != 200 || len(p.Data) != 2 || p.Data[0]["id"] != b.AdAccountIDs[0] {
			t.Fatalf("%s: %d %s", b.BrandID, resp.StatusCode, body)
		}
	}
	code, _, body := h.do(http.MethodGet, h.srv.URL+"/_sim/brands", nil)
	got := decode[[]Brand](t, body)
	if code != 200 || len(got) != 3 || got[2].AccessToken != brands[2].AccessToken {
		t.Fatalf("/_sim/brands: %d %s", code, body)
	}
}
