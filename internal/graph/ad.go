package graph

import (
	"encoding/json"
	"fmt"
	"time"
)

// AdFields are the ad fields, with the creative expanded, that an Ad is
// decoded from.
const AdFields = "id,name,account_id,campaign_id,adset_id,status,effective_status,created_time,updated_time," +
	"creative{id,object_type,thumbnail_url,image_url,video_id,object_story_spec,asset_feed_spec}"

// Ad is an ad with its creative, from act_{id}/ads or an ids lookup with AdFields.
type Ad struct {
	ID, Name                       string
	AccountID, CampaignID, AdsetID string
	Status, EffectiveStatus        string
	CreatedTime, UpdatedTime       time.Time // zero when absent
	Creative                       Creative
}

// Creative is the creative{...} expansion of an ad.
type Creative struct {
	ID              string    `json:"id"`
	ObjectType      string    `json:"object_type"` // VIDEO, PHOTO, SHARE, …
	ThumbnailURL    string    `json:"thumbnail_url"`
	ImageURL        string    `json:"image_url"`
	VideoID         string    `json:"video_id"`
	ObjectStorySpec StorySpec `json:"object_story_spec"`
	// HasAssetFeed reports an asset_feed_spec: a dynamic creative whose
	// assets the API combines at delivery time.
	HasAssetFeed bool `json:"-"`
}

// StorySpec is the part of object_story_spec that classification and
// display need; absent parts are zero.
type StorySpec struct {
	VideoData VideoData `json:"video_data"`
	LinkData  LinkData  `json:"link_data"`
	PhotoData PhotoData `json:"photo_data"`
}

// VideoData is object_story_spec.video_data.
type VideoData struct {
	VideoID  string `json:"video_id"`
	ImageURL string `json:"image_url"` // the video's thumbnail
}

// LinkData is object_story_spec.link_data; ChildAttachments are carousel cards.
type LinkData struct {
	Link             string       `json:"link"`
	Picture          string       `json:"picture"`
	Name             string       `json:"name"`
	Description      string       `json:"description"`
	ChildAttachments []Attachment `json:"child_attachments"`
}

// Attachment is one carousel card.
type Attachment struct {
	Link        string `json:"link"`
	Picture     string `json:"picture"`
	Name        string `json:"name"`
	Description string `json:"description"`
	VideoID     string `json:"video_id"`
}

// PhotoData is object_story_spec.photo_data.
type PhotoData struct {
	URL string `json:"url"`
}

// UnmarshalJSON decodes a creative, noting whether asset_feed_spec is present.
func (c *Creative) UnmarshalJSON(b []byte) error {
	type plain Creative
	var w struct {
		plain
		AssetFeedSpec json.RawMessage `json:"asset_feed_spec"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = Creative(w.plain)
	c.HasAssetFeed = len(w.AssetFeedSpec) > 0 && string(w.AssetFeedSpec) != "null"
	return nil
}

// UnmarshalJSON decodes an ad, reading Graph's "2024-01-15T10:30:00+0000" times.
func (a *Ad) UnmarshalJSON(b []byte) error {
	var w struct {
		ID              string   `json:"id"`
		Name            string   `json:"name"`
		AccountID       string   `json:"account_id"`
		CampaignID      string   `json:"campaign_id"`
		AdsetID         string   `json:"adset_id"`
		Status          string   `json:"status"`
		EffectiveStatus string   `json:"effective_status"`
		CreatedTime     string   `json:"created_time"`
		UpdatedTime     string   `json:"updated_time"`
		Creative        Creative `json:"creative"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	created, err := ParseTime(w.CreatedTime)
	if err != nil {
		return fmt.Errorf("ad %s created_time: %w", w.ID, err)
	}
	updated, err := ParseTime(w.UpdatedTime)
	if err != nil {
		return fmt.Errorf("ad %s updated_time: %w", w.ID, err)
	}
	*a = Ad{
		ID: w.ID, Name: w.Name, AccountID: w.AccountID, CampaignID: w.CampaignID, AdsetID: w.AdsetID,
		Status: w.Status, EffectiveStatus: w.EffectiveStatus,
		CreatedTime: created, UpdatedTime: updated, Creative: w.Creative,
	}
	return nil
}

// TimeLayout is how the Graph API writes times.
const TimeLayout = "2006-01-02T15:04:05-0700"

// ParseTime reads a Graph time ("2024-01-15T10:30:00+0000", RFC 3339
// accepted too) in UTC; "" is the zero time.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: want %s", s, TimeLayout)
	}
	return t.UTC(), nil
}
