package graph

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestDecodeInsightsEqualsReflection decodes graphsim's daily and range
// pages with DecodeInsights and with encoding/json's reflection (the decoder
// it replaced, kept below), row by row: every field must be equal.
func TestDecodeInsightsEqualsReflection(t *testing.T) {
	for _, daily := range []bool{true, false} {
		t.Run(fmt.Sprintf("daily=%v", daily), func(t *testing.T) {
			body := simPage(t, daily)
			page, err := decodePage(body)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Data) != 500 || page.Paging.Next == "" || page.Paging.Cursors.After == "" {
				t.Fatalf("page of %d rows, next %q, after %q: want 500 rows and paging", len(page.Data), page.Paging.Next, page.Paging.Cursors.After)
			}
			var ref struct {
				Data   []json.RawMessage `json:"data"`
				Paging struct {
					Next string `json:"next"`
				} `json:"paging"`
			}
			if err := json.Unmarshal(body, &ref); err != nil {
				t.Fatal(err)
			}
			if ref.Paging.Next != page.Paging.Next {
				t.Errorf("next = %q, want %q", page.Paging.Next, ref.Paging.Next)
			}
			got, err := DecodeInsights(page.Data)
			if err != nil {
				t.Fatal(err)
			}
			for i, raw := range ref.Data {
				want, err := reflectInsight(raw)
				if err != nil {
					t.Fatal(err)
				}
				if got[i] != want {
					t.Fatalf("row %d:\ngot  %+v\nwant %+v", i, got[i], want)
				}
			}
		})
	}
}

func TestDecodeInsightsRows(t *testing.T) {
	tests := []struct {
		name string
		give string
		want Insight
	}{
		{"escapes and unicode", `{"ad_id":"7","ad_name":"Caf\u00e9 \"sale\" \\ 50%","campaign_name":"été – 🌞"}`,
			Insight{AdID: "7", AdName: `Café "sale" \ 50%`, CampaignName: "été – 🌞"}},
		{"invalid UTF-8 becomes U+FFFD, as encoding/json does", "{\"ad_id\":\"8\",\"ad_name\":\"a\xffb\"}",
			Insight{AdID: "8", AdName: "a\ufffdb"}},
		{"nulls and white space", " { \"ad_id\" : \"9\" , \"spend\" : null , \"actions\" : null , \"reach\":\t\"12\"\n}\n",
			Insight{AdID: "9", Reach: 12}},
		{"unknown fields of every kind are skipped", `{"x":{"a":[1,{"b":"]}"}],"c":true},"y":[[],[null,false]],"ad_id":"10","z":-1.5e3,"impressions":"3"}`,
			Insight{AdID: "10", Impressions: 3}},
		{"action lists with extra keys and escaped types", `{"ad_id":"11","actions":[{"1d_click":"9","action_type":"purch\u0061se","value":"4"}],"video_play_actions":[{"value":7,"action_type":"video_view"}]}`,
			Insight{AdID: "11", Purchases: 4, VideoPlays: 7}},
		{"null row", `null`, Insight{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeInsights([]json.RawMessage{json.RawMessage(tt.give)})
			if err != nil {
				t.Fatal(err)
			}
			if got[0] != tt.want {
				t.Errorf("got  %+v\nwant %+v", got[0], tt.want)
			}
		})
	}
}

func TestDecodeInsightsRejects(t *testing.T) {
	tests := []struct {
		name, give, want string
	}{
		{"truncated row", `{"ad_id":"1","spend":"1.5"`, "item 0: json offset 26: want ',' or '}' in an object"},
		{"unterminated string", `{"ad_id":"1`, "item 0: ad_id: json offset 9: unterminated string"},
		{"id as a number", `{"ad_id":12}`, "item 0: ad_id: json offset 9: want a string"},
		{"spend as a list", `{"ad_id":"1","spend":["1"]}`, "item 0: spend: json offset 21: want a number"},
		{"bad spend names ad and field", `{"ad_id":"9","spend":"14,35"}`, `item 0: insight ad 9: spend: decimal "14,35": not a decimal number`},
		{"data after the row", `{"ad_id":"1"} {}`, "item 0: json offset 14: data after the value"},
		{"not an object", `[1]`, "item 0: json offset 0: want an object"},
		{"nested too deep", `{"x":` + strings.Repeat("[", maxSkipDepth+1) + strings.Repeat("]", maxSkipDepth+1) + `}`, "item 0: x: json offset 10005: nested too deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeInsights([]json.RawMessage{json.RawMessage(tt.give)})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}

// reflectInsight is the decoder DecodeInsights replaced: encoding/json into
// the wire shape, numbers kept as text, then the same conversion.
func reflectInsight(b []byte) (Insight, error) {
	type act struct {
		Type  string  `json:"action_type"`
		Value flexNum `json:"value"`
	}
	var w struct {
		AccountID    string  `json:"account_id"`
		AdID         string  `json:"ad_id"`
		AdName       string  `json:"ad_name"`
		DateStart    string  `json:"date_start"`
		DateStop     string  `json:"date_stop"`
		CampaignID   string  `json:"campaign_id"`
		CampaignName string  `json:"campaign_name"`
		AdsetID      string  `json:"adset_id"`
		AdsetName    string  `json:"adset_name"`
		Spend        flexNum `json:"spend"`
		Impressions  flexNum `json:"impressions"`
		Clicks       flexNum `json:"clicks"`
		Reach        flexNum `json:"reach"`
		Frequency    flexNum `json:"frequency"`
		Actions      []act   `json:"actions"`
		ActionValues []act   `json:"action_values"`
		Plays        []act   `json:"video_play_actions"`
		ThruPlays    []act   `json:"video_thruplay_watched_actions"`
		P25          []act   `json:"video_p25_watched_actions"`
		P50          []act   `json:"video_p50_watched_actions"`
		P75          []act   `json:"video_p75_watched_actions"`
		P100         []act   `json:"video_p100_watched_actions"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return Insight{}, err
	}
	pick := func(as []act, types ...string) int64 {
		for _, typ := range types {
			for _, a := range as {
				if a.Type == typ {
					n, _ := strconv.ParseInt(string(a.Value), 10, 64)
					return n
				}
			}
		}
		return 0
	}
	money := func(as []act, types ...string) int64 {
		for _, typ := range types {
			for _, a := range as {
				if a.Type == typ {
					m, _ := ParseMicros(string(a.Value))
					return m
				}
			}
		}
		return 0
	}
	count := func(v flexNum) int64 { n, _ := strconv.ParseInt(string(v), 10, 64); return n }
	spend, _ := ParseMicros(string(w.Spend))
	freq, _ := strconv.ParseFloat(string(w.Frequency), 64)
	return Insight{AccountID: w.AccountID, AdID: w.AdID, AdName: w.AdName, DateStart: w.DateStart, DateStop: w.DateStop,
		CampaignID: w.CampaignID, CampaignName: w.CampaignName, AdsetID: w.AdsetID, AdsetName: w.AdsetName,
		SpendMicros: spend, Impressions: count(w.Impressions), Clicks: count(w.Clicks), Reach: count(w.Reach), Frequency: freq,
		Purchases: pick(w.Actions, actionPurchase, actionPixelPurchase), RevenueMicros: money(w.ActionValues, actionPurchase, actionPixelPurchase),
		VideoViews: pick(w.Actions, actionVideoView), PostEngagement: pick(w.Actions, "post_engagement"),
		VideoPlays: pick(w.Plays, actionVideoView), ThruPlays: pick(w.ThruPlays, actionVideoView),
		VideoP25: pick(w.P25, actionVideoView), VideoP50: pick(w.P50, actionVideoView), VideoP75: pick(w.P75, actionVideoView), VideoP100: pick(w.P100, actionVideoView),
	}, nil
}
