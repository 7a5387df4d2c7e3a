package schemas

import "time"

// AdInsight is the metrics of one ad over one inclusive date range (topic
// TopicInsights, key AdKey). Money is in micro-units of the account currency.
// Storage keeps, per (brand, ad, range), the row with the highest Version.
type AdInsight struct {
	BrandID           string       `avro:"brand_id"`
	AdAccountID       string       `avro:"ad_account_id"`
	AdID              string       `avro:"ad_id"`
	StartDate         string       `avro:"start_date"` // YYYY-MM-DD
	EndDate           string       `avro:"end_date"`   // YYYY-MM-DD
	CreativeType      CreativeType `avro:"creative_type"`
	AdEffectiveStatus string       `avro:"ad_effective_status"`
	SpendMicros       int64        `avro:"spend_micros"`
	RevenueMicros     int64        `avro:"revenue_micros"`
	Orders            int64        `avro:"orders"`
	Impressions       int64        `avro:"impressions"`
	Clicks            int64        `avro:"clicks"`
	Reach             int64        `avro:"reach"`
	Frequency         float64      `avro:"frequency"`
	VideoViews        int64        `avro:"video_views"` // 3-second plays
	VideoPlays        int64        `avro:"video_plays"`
	VideoThruplays    int64        `avro:"video_thruplays"`
	VideoP25          int64        `avro:"video_p25"`
	VideoP50          int64        `avro:"video_p50"`
	VideoP75          int64        `avro:"video_p75"`
	VideoP100         int64        `avro:"video_p100"`
	PostEngagement    int64        `avro:"post_engagement"`
	// FetchedAt is stored with millisecond precision.
	FetchedAt time.Time `avro:"fetched_at"`
	// Version orders the rows of one (brand, ad, range); see VersionAt.
	Version int64  `avro:"version"`
	SyncID  string `avro:"sync_id"`
	// Daily marks one day of the ad (StartDate = EndDate), stored as the
	// truth every range is derived from.
	Daily        bool   `avro:"daily"`
	CampaignID   string `avro:"campaign_id"`
	CampaignName string `avro:"campaign_name"`
	AdsetID      string `avro:"adset_id"`
	AdsetName    string `avro:"adset_name"`
}

// VersionAt returns the Version of an insight fetched at t: its Unix time
// in nanoseconds, finer than FetchedAt so two fetches in one millisecond
// still order.
func VersionAt(t time.Time) int64 { return t.UnixNano() }
