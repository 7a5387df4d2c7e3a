package producers

import (
	"testing"

	"github.com/adstream/adstream/internal/graph"
)

// An ad is re-read when it changed, or when its ad set or campaign changed
// status (Meta pauses a campaign's ads without touching their updated_time);
// a parent updated without a new status changes nothing of the ad.
func TestChangesOfAnAd(t *testing.T) {
	known := &accountAds{parents: map[string]string{"set1": "ACTIVE", "camp1": "ACTIVE"}}
	tests := []struct {
		name string
		give changes
		want bool
	}{
		{"nothing moved", changes{known: known}, false},
		{"the ad was updated", changes{ads: map[string]bool{"ad1": true}, known: known}, true},
		{"another ad was updated", changes{ads: map[string]bool{"ad2": true}, known: known}, false},
		{"its campaign was paused", changes{parents: map[string]string{"camp1": "PAUSED"}, known: known}, true},
		{"its ad set was archived", changes{parents: map[string]string{"set1": "ARCHIVED"}, known: known}, true},
		{"its campaign was edited, still active", changes{parents: map[string]string{"camp1": "ACTIVE"}, known: known}, false},
		{"a parent never seen before", changes{parents: map[string]string{"set1": "ACTIVE"}, known: &accountAds{}}, true},
	}
	row := graph.Insight{AdID: "ad1", AdsetID: "set1", CampaignID: "camp1"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.give.changed(row); got != tt.want {
				t.Errorf("changed = %v, want %v", got, tt.want)
			}
		})
	}
}
