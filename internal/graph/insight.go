package graph

import (
	"encoding/json"
	"fmt"
)

// InsightFields are the insights fields an Insight is decoded from.
var InsightFields = []string{
	"account_id", "ad_id", "ad_name", "date_start", "date_stop",
	"campaign_id", "campaign_name", "adset_id", "adset_name",
	"spend", "impressions", "clicks", "reach", "frequency",
	"actions", "action_values",
	"video_play_actions", "video_thruplay_watched_actions",
	"video_p25_watched_actions", "video_p50_watched_actions",
	"video_p75_watched_actions", "video_p100_watched_actions",
}

// Insight is one level=ad insights row: an ad's metrics over DateStart..DateStop.
// Money is in integer micro-units of the account currency.
type Insight struct {
	AccountID, AdID, AdName  string
	DateStart, DateStop      string // YYYY-MM-DD, inclusive
	CampaignID, CampaignName string
	AdsetID, AdsetName       string

	SpendMicros                int64
	Impressions, Clicks, Reach int64
	Frequency                  float64
	Purchases                  int64 // action purchase, else offsite_conversion.fb_pixel_purchase
	RevenueMicros              int64 // action_values purchase, else offsite_conversion.fb_pixel_purchase
	VideoViews                 int64 // action video_view (3-second plays)
	PostEngagement             int64 // action post_engagement
	VideoPlays                 int64 // video_play_actions
	ThruPlays                  int64 // video_thruplay_watched_actions
	VideoP25, VideoP50         int64 // video_pNN_watched_actions
	VideoP75, VideoP100        int64
}

const (
	actionPurchase      = "purchase"
	actionPixelPurchase = "offsite_conversion.fb_pixel_purchase"
	actionVideoView     = "video_view"
)

// UnmarshalJSON decodes an insights row, whose numbers the API writes as
// strings. Absent metrics are zero. DecodeInsights decodes a page of rows
// the same way.
func (in *Insight) UnmarshalJSON(b []byte) error {
	var w insightWire
	return w.decode(b, in)
}

// flexNum is a number the API writes as a JSON string ("14.35") or, from
// some servers, as a bare JSON number; it keeps the decimal text exact.
type flexNum string

func (n *flexNum) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*n = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = flexNum(s)
	default:
		var num json.Number
		if err := json.Unmarshal(b, &num); err != nil {
			return err
		}
		*n = flexNum(num)
	}
	return nil
}

// fieldErrs keeps the first field that failed to parse.
type fieldErrs struct{ err error }

func (e *fieldErrs) add(field string, err error) {
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("%s: %w", field, err)
	}
}

func (e *fieldErrs) micros(field string, v []byte) int64 {
	if len(v) == 0 {
		return 0
	}
	m, err := ParseMicros(string(v))
	e.add(field, err)
	return m
}

func (e *fieldErrs) count(field string, v []byte) int64 {
	if len(v) == 0 {
		return 0
	}
	n, err := parseCount(string(v))
	e.add(field, err)
	return n
}
