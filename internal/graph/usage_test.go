package graph

import (
	"net/http"
	"testing"
	"time"
)

func TestParseUsage(t *testing.T) {
	tests := []struct {
		name   string
		give   map[string]string
		want   Usage
		wantOK bool
	}{
		{name: "none", give: nil},
		{
			name: "business use case, max over types",
			give: map[string]string{"X-Business-Use-Case-Usage": `{"111":[{"type":"ads_insights","call_count":28,"total_cputime":95,"total_time":40,"estimated_time_to_regain_access":0},{"type":"ads_management","call_count":3,"total_cputime":1,"total_time":2,"estimated_time_to_regain_access":5}]}`},
			want: Usage{MaxPct: 95, RegainAfter: 5 * time.Minute}, wantOK: true,
		},
		{
			name: "ad account",
			give: map[string]string{"X-Ad-Account-Usage": `{"acc_id_util_pct":9.67,"reset_time_duration":120,"ads_api_access_tier":"standard_access"}`},
			want: Usage{MaxPct: 9.67, ResetAfter: 2 * time.Minute}, wantOK: true,
		},
		{
			name: "insights throttle",
			give: map[string]string{"X-FB-Ads-Insights-Throttle": `{"app_id_util_pct":42,"acc_id_util_pct":7}`},
			want: Usage{MaxPct: 42}, wantOK: true,
		},
		{
			name: "all three",
			give: map[string]string{
				"X-Business-Use-Case-Usage":  `{"1":[{"call_count":10,"estimated_time_to_regain_access":1}]}`,
				"X-Ad-Account-Usage":         `{"acc_id_util_pct":30,"reset_time_duration":0}`,
				"X-FB-Ads-Insights-Throttle": `{"app_id_util_pct":20,"acc_id_util_pct":99}`,
			},
			want: Usage{MaxPct: 99, RegainAfter: time.Minute}, wantOK: true,
		},
		{name: "malformed is skipped", give: map[string]string{"X-Ad-Account-Usage": `{"acc_id_util_pct":`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.give {
				h.Set(k, v)
			}
			got, ok := parseUsage(h)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseUsage = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
