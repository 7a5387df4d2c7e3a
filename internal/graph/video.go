package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// VideoFields are the video fields a Video is decoded from.
const VideoFields = "source,picture,length"

// Video is a video object: its playable source URL (short-lived, signed),
// thumbnail and length.
type Video struct {
	ID      string
	Source  string
	Picture string
	Length  float64 // seconds
}

// UnmarshalJSON decodes a video object, whose length may be a number or a string.
func (v *Video) UnmarshalJSON(b []byte) error {
	var w struct {
		ID      string  `json:"id"`
		Source  string  `json:"source"`
		Picture string  `json:"picture"`
		Length  flexNum `json:"length"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	out := Video{ID: w.ID, Source: w.Source, Picture: w.Picture}
	if w.Length != "" {
		l, err := strconv.ParseFloat(string(w.Length), 64)
		if err != nil {
			return fmt.Errorf("video %s length: %w", w.ID, err)
		}
		out.Length = l
	}
	*v = out
	return nil
}

// Video fetches /{videoID}?fields=source,picture,length.
func (c *Client) Video(ctx context.Context, tok Token, videoID string) (Video, error) {
	var v Video
	if err := c.Get(ctx, tok, videoID, url.Values{"fields": {VideoFields}}, &v); err != nil {
		return Video{}, fmt.Errorf("video %s: %w", videoID, err)
	}
	if v.ID == "" {
		v.ID = videoID
	}
	return v, nil
}

// Videos fetches many videos through ByIDs, 50 a request, keyed by id.
func (c *Client) Videos(ctx context.Context, tok Token, videoIDs []string) (map[string]Video, error) {
	raw, err := c.ByIDs(ctx, tok, videoIDs, VideoFields)
	if err != nil {
		return nil, fmt.Errorf("videos: %w", err)
	}
	out := make(map[string]Video, len(raw))
	for id, r := range raw {
		var v Video
		if err := json.Unmarshal(r, &v); err != nil {
			return nil, fmt.Errorf("video %s: %w", id, err)
		}
		if v.ID == "" {
			v.ID = id
		}
		out[id] = v
	}
	return out, nil
}
