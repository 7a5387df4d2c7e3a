package graph

// CreativeType is how adstream groups creatives: video, image, carousel or unknown.
type CreativeType string

// The creative types; the API's aggregations and Avro records use these strings.
const (
	CreativeVideo    CreativeType = "video"
	CreativeImage    CreativeType = "image"
	CreativeCarousel CreativeType = "carousel"
	CreativeUnknown  CreativeType = "unknown"
)

// Classify tells a creative's type, first match wins:
//   - video: video_id or object_story_spec.video_data.video_id;
//   - carousel: link_data.child_attachments has a card;
//   - unknown: an asset_feed_spec (dynamic creative), whose thumbnail says
//     nothing about what is delivered;
//   - image: image_url, link_data.picture, photo_data.url, or a thumbnail of
//     a PHOTO or SHARE object;
//   - unknown otherwise.
func Classify(c Creative) CreativeType {
	s := c.ObjectStorySpec
	switch {
	case c.VideoID != "" || s.VideoData.VideoID != "":
		return CreativeVideo
	case len(s.LinkData.ChildAttachments) > 0:
		return CreativeCarousel
	case c.HasAssetFeed:
		return CreativeUnknown
	case c.ImageURL != "" || s.LinkData.Picture != "" || s.PhotoData.URL != "":
		return CreativeImage
	case c.ThumbnailURL != "" && (c.ObjectType == "PHOTO" || c.ObjectType == "SHARE"):
		return CreativeImage
	}
	return CreativeUnknown
}
