package graphsim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func ids(rows []map[string]any, key string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range rows {
		out[fmt.Sprint(r[key])] = r
	}
	return out
}

// TestHierarchyIsConsistent checks campaigns, ad sets and ads agree on every
// edge: an ad's campaign and ad set are listed by /campaigns and /adsets,
// its ad set belongs to its campaign, a group is active exactly when one of
// its ads is, and insights rows carry the campaign's objective.
func TestHierarchyIsConsistent(t *testing.T) {
	h := newHarness(t, Options{Seed: 53, Ads: 260, CallBudget: 1e9})
	h.advance(50 * time.Hour)
	with := func(kv ...string) url.Values {
		q := url.Values{"limit": {"500"}}
		for i := 0; i < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return q
	}
	ads, _ := h.pageAll("/v21.0/"+h.acct+"/ads", with("fields", "id,effective_status,adset_id,campaign_id,adset{campaign_id},campaign{objective}"))
	everyAd, _ := h.pageAll("/v21.0/"+h.acct+"/ads", with("fields", "id,effective_status,adset_id,campaign_id", "effective_status", allStatuses))
	campaigns, _ := h.pageAll("/v21.0/"+h.acct+"/campaigns", with("fields", "id,effective_status,objective,updated_time"))
	adsets, _ := h.pageAll("/v21.0/"+h.acct+"/adsets", with("fields", "id,effective_status,campaign_id"))
	byCampaign, byAdset := ids(campaigns, "id"), ids(adsets, "id")
	for _, a := range ads {
		c, s := byCampaign[a["campaign_id"].(string)], byAdset[a["adset_id"].(string)]
		if c == nil || s == nil {
			t.Fatalf("ad %s (%s): campaign %s listed %v, ad set %s listed %v", a["id"], a["effective_status"], a["campaign_id"], c != nil, a["adset_id"], s != nil)
		}
		if s["campaign_id"] != a["campaign_id"] || a["adset"].(map[string]any)["campaign_id"] != a["campaign_id"] {
			t.Fatalf("ad %s in campaign %s, its ad set %v", a["id"], a["campaign_id"], s)
		}
		if a["campaign"].(map[string]any)["objective"] != c["objective"] {
			t.Fatalf("ad %s sees objective %v, its campaign %v", a["id"], a["campaign"], c["objective"])
		}
	}
	active := map[string]bool{}
	for _, a := range everyAd {
		if a["effective_status"] == "ACTIVE" {
			active[a["campaign_id"].(string)], active[a["adset_id"].(string)] = true, true
		}
	}
	for _, g := range append(slices.Clone(campaigns), adsets...) {
		if (g["effective_status"] == "ACTIVE") != active[g["id"].(string)] {
			t.Fatalf("%s is %s, has an active ad: %v", g["id"], g["effective_status"], active[g["id"].(string)])
		}
	}
	rows, _ := h.pageAll("/v21.0/"+h.acct+"/insights", with("level", "campaign", "fields", "campaign_id,objective,spend"))
	for _, r := range rows {
		if c := byCampaign[r["campaign_id"].(string)]; c != nil && c["objective"] != r["objective"] {
			t.Fatalf("insights objective %s, campaign %s", r["objective"], c["objective"])
		}
	}

	t.Run("filters and summary", func(t *testing.T) {
		everySet, _ := h.pageAll("/v21.0/"+h.acct+"/adsets", with("fields", "id,effective_status,updated_time", "effective_status", groupStatuses("AdSet")))
		everyCampaign, _ := h.pageAll("/v21.0/"+h.acct+"/campaigns", with("fields", "id,objective", "effective_status", groupStatuses("Campaign")))
		times := []string{}
		for _, r := range everySet {
			times = append(times, r["updated_time"].(string))
		}
		slices.Sort(times)
		cut := times[len(times)/2]
		cutAt, _ := time.Parse("2006-01-02T15:04:05-0700", cut)
		tests := []struct {
			name, edge string
			params     url.Values
			every      []map[string]any
			keep       func(r map[string]any) bool
		}{
			{"paused ad sets", "adsets", with("effective_status", `["PAUSED"]`), everySet, func(r map[string]any) bool { return r["effective_status"] == "PAUSED" }},
			{"sales campaigns", "campaigns", with("filtering", `[{"field":"campaign.objective","operator":"EQUAL","value":"OUTCOME_SALES"}]`, "effective_status", groupStatuses("Campaign")),
				everyCampaign, func(r map[string]any) bool { return r["objective"] == "OUTCOME_SALES" }},
			{"ad sets updated since", "adsets", with("filtering", fmt.Sprintf(`[{"field":"adset.updated_time","operator":"GREATER_THAN","value":%d}]`, cutAt.Unix()), "effective_status", groupStatuses("AdSet")),
				everySet, func(r map[string]any) bool { return r["updated_time"].(string) > cut }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.params.Set("fields", "id,effective_status,objective,updated_time")
				if tt.edge == "adsets" {
					tt.params.Set("fields", "id,effective_status,updated_time")
				}
				tt.params.Set("summary", "true")
				tt.params.Set("limit", "3")
				got, _ := h.pageAll("/v21.0/"+h.acct+"/"+tt.edge, tt.params)
				every := tt.every
				var want []string
				for _, r := range every {
					if tt.keep(r) {
						want = append(want, r["id"].(string))
					}
				}
				var gotIDs []string
				for _, r := range got {
					gotIDs = append(gotIDs, r["id"].(string))
				}
				if fmt.Sprint(gotIDs) != fmt.Sprint(want) || len(want) == 0 || len(want) == len(every) {
					t.Fatalf("%d campaigns %v, want %d %v of %d", len(got), gotIDs, len(want), want, len(every))
				}
				_, _, b := h.get("/v21.0/"+h.acct+"/"+tt.edge, tt.params)
				if n := decode[graphPage](t, b).Summary["total_count"]; n != float64(len(want)) {
					t.Fatalf("summary.total_count %v, want %d", n, len(want))
				}
			})
		}
		since := cutAt.Unix()
		sets, _ := h.pageAll("/v21.0/"+h.acct+"/adsets", with("fields", "id,updated_time", "updated_since", fmt.Sprint(since), "effective_status", groupStatuses("AdSet")))
		for _, s := range sets {
			if at, _ := time.Parse("2006-01-02T15:04:05-0700", s["updated_time"].(string)); at.Unix() < since {
				t.Fatalf("updated_since %d listed ad set updated at %s", since, s["updated_time"])
			}
		}
		code, _, b := h.get("/v21.0/"+h.acct+"/campaigns", with("effective_status", `["ADSET_PAUSED"]`))
		if e := decode[graphErr](t, b); code != 400 || !strings.Contains(e.Error.Message, "param effective_status[] must be one of {ACTIVE, ARCHIVED, DELETED") {
			t.Fatalf("campaign with an ad set status: %d %s", code, b)
		}
	})
}

// TestMediaLibrary checks advideos and adimages hold exactly the videos and
// images the creatives use, hashes narrow adimages, and a video's
// thumbnails start with its picture.
func TestMediaLibrary(t *testing.T) {
	h := newHarness(t, Options{Seed: 55, Ads: 90, CallBudget: 1e9})
	creatives, _ := h.pageAll("/v21.0/"+h.acct+"/adcreatives", url.Values{"limit": {"500"}, "fields": {"id,video_id,image_hash,object_story_spec"}})
	wantVideos, wantHashes := map[string]bool{}, map[string]bool{}
	for _, c := range creatives {
		if v, ok := c["video_id"].(string); ok {
			wantVideos[v] = true
		}
		if v, ok := c["image_hash"].(string); ok {
			wantHashes[v] = true
		}
		oss, _ := c["object_story_spec"].(map[string]any)
		ld, _ := oss["link_data"].(map[string]any)
		cards, _ := ld["child_attachments"].([]any)
		for _, card := range cards {
			wantHashes[card.(map[string]any)["image_hash"].(string)] = true
		}
	}
	videos, _ := h.pageAll("/v21.0/"+h.acct+"/advideos", url.Values{"limit": {"7"}, "fields": {"id,picture,length"}})
	images, _ := h.pageAll("/v21.0/"+h.acct+"/adimages", url.Values{"limit": {"7"}, "fields": {"hash,url,creatives"}})
	if len(videos) != len(wantVideos) || len(images) != len(wantHashes) {
		t.Fatalf("%d videos and %d images, creatives use %d and %d", len(videos), len(images), len(wantVideos), len(wantHashes))
	}
	for _, v := range videos {
		if !wantVideos[v["id"].(string)] {
			t.Fatalf("video %s used by no creative", v["id"])
		}
	}
	for _, im := range images {
		if !wantHashes[im["hash"].(string)] {
			t.Fatalf("image %s used by no creative", im["hash"])
		}
	}
	some := []string{images[0]["hash"].(string), images[3]["hash"].(string)}
	got, _ := h.pageAll("/v21.0/"+h.acct+"/adimages", url.Values{"hashes": {`["` + strings.Join(some, `","`) + `"]`}, "fields": {"hash"}})
	if len(got) != 2 {
		t.Fatalf("hashes=%v: %v", some, got)
	}
	short, _ := h.pageAll("/v21.0/"+h.acct+"/advideos", url.Values{"maxlength": {"20"}, "fields": {"length"}, "limit": {"500"}})
	for _, v := range short {
		if v["length"].(float64) > 20 {
			t.Fatalf("maxlength=20 listed a %vs video", v["length"])
		}
	}
	thumbs, _ := h.pageAll("/v21.0/"+videos[0]["id"].(string)+"/thumbnails", nil)
	if len(thumbs) != 3 || thumbs[0]["is_preferred"] != true || thumbs[0]["uri"] != videos[0]["picture"] {
		t.Fatalf("thumbnails %v of video %v", thumbs, videos[0])
	}
	code, _, b := h.do(http.MethodGet, thumbs[1]["uri"].(string), nil)
	if code != 200 || len(b) < 100 {
		t.Fatalf("thumbnail download: %d, %d bytes", code, len(b))
	}
}

// TestAccountLists checks the account's conversions, audiences, people and
// activity log: on its pixel, filterable, and in step with the ads.
func TestAccountLists(t *testing.T) {
	h := newHarness(t, Options{Seed: 57, Ads: 120, CallBudget: 1e9})
	h.advance(36 * time.Hour)
	convs, _ := h.pageAll("/v21.0/"+h.acct+"/customconversions", url.Values{"fields": {"id,name,pixel,custom_event_type"}})
	ads, _ := h.pageAll("/v21.0/"+h.acct+"/ads", url.Values{"fields": {"tracking_specs,updated_time,effective_status"}, "effective_status": {allStatuses}, "limit": {"500"}})
	pixel := ads[0]["tracking_specs"].([]any)[0].(map[string]any)["fb_pixel"].([]any)[0]
	if len(convs) != len(customConversions) || convs[0]["pixel"].(map[string]any)["id"] != pixel {
		t.Fatalf("custom conversions %v, ads track pixel %v", convs, pixel)
	}
	lookalikes, _ := h.pageAll("/v21.0/"+h.acct+"/customaudiences", url.Values{"fields": {"name,subtype"}, "filtering": {`[{"field":"subtype","operator":"EQUAL","value":"LOOKALIKE"}]`}})
	if len(lookalikes) != 1 || lookalikes[0]["subtype"] != "LOOKALIKE" {
		t.Fatalf("lookalike audiences %v", lookalikes)
	}
	people, _ := h.pageAll("/v21.0/me/business_users", url.Values{"fields": {"id,name,role,business"}})
	biz := people[0]["business"].(map[string]any)["id"].(string)
	code, _, b := h.get("/v21.0/"+h.acct+"/assigned_users", nil)
	if e := decode[graphErr](t, b); code != 400 || !strings.Contains(e.Error.Message, "business is required") {
		t.Fatalf("assigned_users without business: %d %s", code, b)
	}
	assigned, _ := h.pageAll("/v21.0/"+h.acct+"/assigned_users", url.Values{"business": {biz}, "fields": {"id,name,user_type"}})
	if len(people) != len(businessPeople) || len(assigned) != len(people) || assigned[0]["id"] != people[0]["id"] {
		t.Fatalf("business users %v, assigned users %v", people, assigned)
	}
	code, _, b = h.get("/v21.0/"+people[1]["id"].(string), url.Values{"fields": {"name,role"}})
	if code != 200 || decode[map[string]any](t, b)["name"] != people[1]["name"] {
		t.Fatalf("GET a business user: %d %s", code, b)
	}

	since := h.sim.Now().Add(-48 * time.Hour)
	acts, _ := h.pageAll("/v21.0/"+h.acct+"/activities", url.Values{"since": {fmt.Sprint(since.Unix())}, "limit": {"9"},
		"fields": {"event_time,event_type,object_id,extra_data"}})
	var last string
	changes := map[string]string{}
	for _, a := range acts {
		at := a["event_time"].(string)
		if last != "" && at > last {
			t.Fatalf("activities not newest first: %s after %s", at, last)
		}
		last = at
		if a["event_type"] == "update_ad_run_status" {
			if _, seen := changes[a["object_id"].(string)]; !seen {
				changes[a["object_id"].(string)] = at
			}
		}
	}
	n := 0
	for _, ad := range ads {
		up, _ := time.Parse("2006-01-02T15:04:05-0700", ad["updated_time"].(string))
		if up.After(since) {
			n++
			if want := ad["updated_time"].(string); changes[ad["id"].(string)] != want && !strings.Contains(fmt.Sprint(acts), ad["id"].(string)) {
				t.Fatalf("ad %s changed at %s, activities say %q", ad["id"], want, changes[ad["id"].(string)])
			}
		}
	}
	if n == 0 || len(changes) == 0 {
		t.Fatalf("no ad changed in the last two days (%d activities)", len(acts))
	}
}

// TestAPIVersionHeader checks Facebook-Api-Version echoes the path's version.
func TestAPIVersionHeader(t *testing.T) {
	h := newHarness(t, Options{Seed: 3, Ads: 5})
	for _, tt := range []struct{ path, want string }{
		{"/v23.0/" + h.acct, "v23.0"}, {"/v19.0/" + h.acct + "/bogus", "v19.0"}, {"/" + h.acct, "v21.0"},
	} {
		_, hd, _ := h.get(tt.path, nil)
		if got := hd.Get("Facebook-Api-Version"); got != tt.want {
			t.Fatalf("%s: Facebook-Api-Version %q, want %q", tt.path, got, tt.want)
		}
	}
}
