package graph

import (
	"encoding/json"
	"fmt"
	"strconv"
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
// strings. Absent metrics are zero.
func (in *Insight) UnmarshalJSON(b []byte) error {
	var w struct {
		AccountID    string   `json:"account_id"`
		AdID         string   `json:"ad_id"`
		AdName       string   `json:"ad_name"`
		DateStart    string   `json:"date_start"`
		DateStop     string   `json:"date_stop"`
		CampaignID   string   `json:"campaign_id"`
		CampaignName string   `json:"campaign_name"`
		AdsetID      string   `json:"adset_id"`
		AdsetName    string   `json:"adset_name"`
		Spend        flexNum  `json:"spend"`
		Impressions  flexNum  `json:"impressions"`
		Clicks       flexNum  `json:"clicks"`
		Reach        flexNum  `json:"reach"`
		Frequency    flexNum  `json:"frequency"`
		Actions      []action `json:"actions"`
		ActionValues []action `json:"action_values"`
		Plays        []action `json:"video_play_actions"`
		ThruPlays    []action `json:"video_thruplay_watched_actions"`
		P25          []action `json:"video_p25_watched_actions"`
		P50          []action `json:"video_p50_watched_actions"`
		P75          []action `json:"video_p75_watched_actions"`
		P100         []action `json:"video_p100_watched_actions"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	out := Insight{AccountID: w.AccountID, AdID: w.AdID, AdName: w.AdName, DateStart: w.DateStart, DateStop: w.DateStop,
		CampaignID: w.CampaignID, CampaignName: w.CampaignName, AdsetID: w.AdsetID, AdsetName: w.AdsetName}
	var errs fieldErrs
	out.SpendMicros = errs.micros("spend", w.Spend)
	out.Impressions = errs.count("impressions", w.Impressions)
	out.Clicks = errs.count("clicks", w.Clicks)
	out.Reach = errs.count("reach", w.Reach)
	if w.Frequency != "" {
		f, err := strconv.ParseFloat(string(w.Frequency), 64)
		errs.add("frequency", err)
		out.Frequency = f
	}
	out.Purchases = errs.count("actions", pick(w.Actions, actionPurchase, actionPixelPurchase))
	out.RevenueMicros = errs.micros("action_values", pick(w.ActionValues, actionPurchase, actionPixelPurchase))
	out.VideoViews = errs.count("actions", pick(w.Actions, actionVideoView))
	out.PostEngagement = errs.count("actions", pick(w.Actions, "post_engagement"))
	out.VideoPlays = errs.count("video_play_actions", pick(w.Plays, actionVideoView))
	out.ThruPlays = errs.count("video_thruplay_watched_actions", pick(w.ThruPlays, actionVideoView))
	out.VideoP25 = errs.count("video_p25_watched_actions", pick(w.P25, actionVideoView))
	out.VideoP50 = errs.count("video_p50_watched_actions", pick(w.P50, actionVideoView))
	out.VideoP75 = errs.count("video_p75_watched_actions", pick(w.P75, actionVideoView))
	out.VideoP100 = errs.count("video_p100_watched_actions", pick(w.P100, actionVideoView))
	if errs.err != nil {
		return fmt.Errorf("insight ad %s: %w", w.AdID, errs.err)
	}
	*in = out
	return nil
}

// action is one element of an actions-style list.
type action struct {
	Type  string  `json:"action_type"`
	Value flexNum `json:"value"`
}

// pick is the value of the first of types present in as, "" when none is.
func pick(as []action, types ...string) flexNum {
	for _, typ := range types {
		for _, a := range as {
			if a.Type == typ {
				return a.Value
			}
		}
	}
	return ""
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

func (e *fieldErrs) micros(field string, v flexNum) int64 {
	if v == "" {
		return 0
	}
	m, err := ParseMicros(string(v))
	e.add(field, err)
	return m
}

func (e *fieldErrs) count(field string, v flexNum) int64 {
	if v == "" {
		return 0
	}
	n, err := parseCount(string(v))
	e.add(field, err)
	return n
}
