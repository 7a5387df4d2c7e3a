package schemas

import "time"

// CreativeType classifies an ad's creative. It is an Avro enum rather than a
// string so that a typo cannot create a new aggregation bucket, and the enum
// default (unknown) lets a reader that predates a new symbol still read it.
type CreativeType string

// The symbols of the CreativeType enum.
const (
	CreativeVideo    CreativeType = "video"
	CreativeImage    CreativeType = "image"
	CreativeCarousel CreativeType = "carousel"
	CreativeUnknown  CreativeType = "unknown"
)

// CarouselImage is one card of a carousel creative.
type CarouselImage struct {
	URL         string `avro:"url"`
	Link        string `avro:"link"`
	Name        string `avro:"name"`
	Description string `avro:"description"`
}

// Ad is one ad with its creative as fetched from the Marketing API (topic
// TopicAds, key AdKey). Times are stored with millisecond precision.
type Ad struct {
	BrandID            string          `avro:"brand_id"`
	AdAccountID        string          `avro:"ad_account_id"`
	AdID               string          `avro:"ad_id"`
	CreativeID         string          `avro:"creative_id"`
	AdName             string          `avro:"ad_name"`
	AdStatus           string          `avro:"ad_status"`
	AdEffectiveStatus  string          `avro:"ad_effective_status"`
	CreativeType       CreativeType    `avro:"creative_type"`
	CreativeURL        string          `avro:"creative_url"`
	ThumbnailURL       string          `avro:"thumbnail_url"`
	VideoID            string          `avro:"video_id"`
	VideoSourceURL     string          `avro:"video_source_url"`
	VideoLengthSeconds float64         `avro:"video_length_seconds"`
	CarouselImages     []CarouselImage `avro:"carousel_images"`
	UpdatedTime        time.Time       `avro:"updated_time"`
	FetchedAt          time.Time       `avro:"fetched_at"`
	SyncID             string          `avro:"sync_id"`
}
