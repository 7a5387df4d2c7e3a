package graph

import "testing"

func TestClassify(t *testing.T) {
	cards := func(n int) StorySpec {
		return StorySpec{LinkData: LinkData{Picture: "https://p/main.jpg", ChildAttachments: make([]Attachment, n)}}
	}
	tests := []struct {
		name string
		give Creative
		want CreativeType
	}{
		{"video_id", Creative{VideoID: "1", ThumbnailURL: "t"}, CreativeVideo},
		{"video_data", Creative{ObjectStorySpec: StorySpec{VideoData: VideoData{VideoID: "1", ImageURL: "i"}}}, CreativeVideo},
		{"carousel of 3", Creative{ObjectType: "SHARE", ObjectStorySpec: cards(3)}, CreativeCarousel},
		{"carousel of 1", Creative{ObjectStorySpec: cards(1)}, CreativeCarousel},
		{"image_url", Creative{ImageURL: "https://i"}, CreativeImage},
		{"link picture", Creative{ObjectStorySpec: StorySpec{LinkData: LinkData{Picture: "https://p"}}}, CreativeImage},
		{"photo_data", Creative{ObjectStorySpec: StorySpec{PhotoData: PhotoData{URL: "https://p"}}}, CreativeImage},
		{"thumbnail of a photo", Creative{ObjectType: "PHOTO", ThumbnailURL: "https://t"}, CreativeImage},
		{"thumbnail of a share", Creative{ObjectType: "SHARE", ThumbnailURL: "https://t"}, CreativeImage},
		{"thumbnail of a status", Creative{ObjectType: "STATUS", ThumbnailURL: "https://t"}, CreativeUnknown},
		{"asset feed", Creative{HasAssetFeed: true}, CreativeUnknown},
		{"asset feed with a thumbnail", Creative{HasAssetFeed: true, ObjectType: "SHARE", ThumbnailURL: "https://t"}, CreativeUnknown},
		{"empty", Creative{}, CreativeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.give); got != tt.want {
				t.Errorf("Classify = %s, want %s", got, tt.want)
			}
		})
	}
}
