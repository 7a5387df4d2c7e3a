// Package adfetch turns pages of Graph API ad insights into adstream's Ad and
// AdInsight records, looking up the ads, creatives and videos behind them.
// Producers use it for sync jobs and the API for its live first-read fallback.
package adfetch

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/adstream/adstream/internal/graph"
)

// Ad is an ad with its creative and, for a video creative, its video.
type Ad struct {
	graph.Ad
	Video graph.Video
}

// Lookup fetches the ads of an insights page (≤ 50 ids a call) and the videos
// of their video creatives, keyed by ad id.
func Lookup(ctx context.Context, gc *graph.Client, tok graph.Token, rows []graph.Insight) (map[string]Ad, error) {
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.AdID)
	}
	raw, err := gc.ByIDs(ctx, tok, ids, graph.AdFields)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Ad, len(raw))
	var videoIDs []string
	for id, r := range raw {
		var ad graph.Ad
		if err := json.Unmarshal(r, &ad); err != nil {
			return nil, fmt.Errorf("ad %s: %w", id, err)
		}
		out[id] = Ad{Ad: ad}
		if v := VideoID(ad.Creative); v != "" {
			videoIDs = append(videoIDs, v)
		}
	}
	if len(videoIDs) == 0 {
		return out, nil
	}
	videos, err := gc.Videos(ctx, tok, videoIDs)
	if err != nil {
		return nil, fmt.Errorf("videos: %w", err)
	}
	for id, a := range out {
		if v, ok := videos[VideoID(a.Creative)]; ok {
			a.Video = v
			out[id] = a
		}
	}
	return out, nil
}

// VideoID is the creative's video, wherever the creative names it.
func VideoID(c graph.Creative) string {
	if c.VideoID != "" {
		return c.VideoID
	}
	return c.ObjectStorySpec.VideoData.VideoID
}
