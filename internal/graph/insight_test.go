package graph

import (
	"encoding/json"
	"testing"
)

func TestInsightDecode(t *testing.T) {
	tests := []struct {
		name string
		give string
		want Insight
	}{
		{
			name: "full row",
			give: `{"account_id":"1001","ad_id":"23850001","ad_name":"Summer – video 1","date_start":"2024-01-01","date_stop":"2024-01-31",
				"spend":"14.35","impressions":"10234","clicks":"187","reach":"8120","frequency":"1.260345",
				"actions":[{"action_type":"link_click","value":"150"},{"action_type":"video_view","value":"3011"},{"action_type":"post_engagement","value":"3400"},{"action_type":"offsite_conversion.fb_pixel_purchase","value":"4"},{"action_type":"purchase","value":"5"}],
				"action_values":[{"action_type":"offsite_conversion.fb_pixel_purchase","value":"80.10"},{"action_type":"purchase","value":"99.99"}],
				"video_play_actions":[{"action_type":"video_view","value":"5120"}],
				"video_thruplay_watched_actions":[{"action_type":"video_view","value":"980"}],
				"video_p25_watched_actions":[{"action_type":"video_view","value":"2500"}],
				"video_p50_watched_actions":[{"action_type":"video_view","value":"1400"}],
				"video_p75_watched_actions":[{"action_type":"video_view","value":"900"}],
				"video_p100_watched_actions":[{"action_type":"video_view","value":"610"}]}`,
			want: Insight{
				AccountID: "1001", AdID: "23850001", AdName: "Summer – video 1", DateStart: "2024-01-01", DateStop: "2024-01-31",
				SpendMicros: 14_350_000, Impressions: 10234, Clicks: 187, Reach: 8120, Frequency: 1.260345,
				Purchases: 5, RevenueMicros: 99_990_000, VideoViews: 3011, PostEngagement: 3400,
				VideoPlays: 5120, ThruPlays: 980, VideoP25: 2500, VideoP50: 1400, VideoP75: 900, VideoP100: 610,
			},
		},
		{
			name: "pixel purchase fallback",
			give: `{"ad_id":"2","spend":"0.01","actions":[{"action_type":"offsite_conversion.fb_pixel_purchase","value":"2"}],"action_values":[{"action_type":"offsite_conversion.fb_pixel_purchase","value":"19.9"}]}`,
			want: Insight{AdID: "2", SpendMicros: 10_000, Purchases: 2, RevenueMicros: 19_900_000},
		},
		{
			name: "bare numbers and absent metrics",
			give: `{"ad_id":"3","spend":1234567.891234,"impressions":10}`,
			want: Insight{AdID: "3", SpendMicros: 1_234_567_891_234, Impressions: 10},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Insight
			if err := json.Unmarshal([]byte(tt.give), &got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestInsightDecodeRejectsBadSpend(t *testing.T) {
	var got Insight
	err := json.Unmarshal([]byte(`{"ad_id":"9","spend":"14,35"}`), &got)
	if err == nil || err.Error() != `insight ad 9: spend: decimal "14,35": not a decimal number` {
		t.Errorf("error = %v, want it to name the ad and the field", err)
	}
}
