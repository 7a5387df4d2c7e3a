package graph

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestAdDecode(t *testing.T) {
	give := `{"id":"238","name":"Carousel A","account_id":"1001","campaign_id":"7","adset_id":"8","status":"ACTIVE","effective_status":"CAMPAIGN_PAUSED",
		"created_time":"2024-01-02T08:00:00-0800","updated_time":"2024-01-15T10:30:00+0000",
		"creative":{"id":"55","object_type":"SHARE","thumbnail_url":"https://t/55.jpg",
			"object_story_spec":{"page_id":"9","link_data":{"link":"https://shop","picture":"https://p/main.jpg","child_attachments":[
				{"link":"https://shop/1","picture":"https://p/1.jpg","name":"One","description":"first"},
				{"link":"https://shop/2","picture":"https://p/2.jpg","name":"Two","video_id":"77"}]}}}}`
	want := Ad{
		ID: "238", Name: "Carousel A", AccountID: "1001", CampaignID: "7", AdsetID: "8",
		Status: "ACTIVE", EffectiveStatus: "CAMPAIGN_PAUSED",
		CreatedTime: time.Date(2024, 1, 2, 16, 0, 0, 0, time.UTC),
		UpdatedTime: time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC),
		Creative: Creative{ID: "55", ObjectType: "SHARE", ThumbnailURL: "https://t/55.jpg", ObjectStorySpec: StorySpec{
			LinkData: LinkData{Link: "https://shop", Picture: "https://p/main.jpg", ChildAttachments: []Attachment{
				{Link: "https://shop/1", Picture: "https://p/1.jpg", Name: "One", Description: "first"},
				{Link: "https://shop/2", Picture: "https://p/2.jpg", Name: "Two", VideoID: "77"},
			}},
		}},
	}

	var got Ad
	if err := json.Unmarshal([]byte(give), &got); err != nil {
		t.Fatal(err)
	}

	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if typ := Classify(got.Creative); typ != CreativeCarousel {
		t.Errorf("Classify = %s, want carousel", typ)
	}
}

func TestAdDecodeAssetFeedAndBadTime(t *testing.T) {
	var a Ad
	if err := json.Unmarshal([]byte(`{"id":"1","creative":{"id":"2","asset_feed_spec":{"videos":[{"video_id":"3"}]}}}`), &a); err != nil || !a.Creative.HasAssetFeed {
		t.Errorf("HasAssetFeed = %v, %v; want true", a.Creative.HasAssetFeed, err)
	}
	if err := json.Unmarshal([]byte(`{"id":"1","updated_time":"15/01/2024"}`), &a); err == nil {
		t.Error("want an error for an unreadable updated_time")
	}
}
