// Package adfetch turns pages of Graph API ad insights into adstream's Ad and
// AdInsight records, looking up the ads, creatives and videos behind them.
// Producers use it for sync jobs and the API for its live first-read fallback.
package adfetch

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/adstream/adstream/internal/graph"
)

// Ad is an ad with its creative and, for a video creative, its video.
type Ad struct {
	graph.Ad
	Video graph.Video
}

// Lookup fetches the ads of an insights page and the videos of their video
// creatives, keyed by ad id: one lookup each, a Graph batch above
// graph.MaxIDs ids.
func Lookup(ctx context.Context, gc *graph.Client, tok graph.Token, rows []graph.Insight) (map[string]Ad, error) {
	return LookupGated(ctx, gc, tok, rows, nil)
}

// Gate bounds the Graph calls in flight: Acquire blocks until a call may
// start, or returns ctx's error; Release ends the call. It must be safe for
// concurrent use.
type Gate interface {
	Acquire(ctx context.Context) error
	Release()
}

// LookupGated is Lookup with its lookups split into calls of graph.MaxIDs ids
// sent concurrently, each while it holds one of gate's calls: first the ads,
// then the videos of their video creatives. A nil gate is Lookup. The first failing call ends the lookup with
// its error once the calls in flight have returned.
func LookupGated(ctx context.Context, gc *graph.Client, tok graph.Token, rows []graph.Insight, gate Gate) (map[string]Ad, error) {
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.AdID)
	}
	out := make(map[string]Ad, len(ids))
	var videoIDs []string
	err := eachChunk(ctx, gate, ids, func(ctx context.Context, chunk []string) (func(), error) {
		raw, err := gc.ByIDs(ctx, tok, chunk, graph.AdFields)
		if err != nil {
			return nil, err
		}
		ads := make(map[string]graph.Ad, len(raw))
		for id, r := range raw {
			var ad graph.Ad
			if err := json.Unmarshal(r, &ad); err != nil {
				return nil, fmt.Errorf("ad %s: %w", id, err)
			}
			ads[id] = ad
		}
		return func() { // under eachChunk's lock
			for id, ad := range ads {
				out[id] = Ad{Ad: ad}
				if v := VideoID(ad.Creative); v != "" {
					videoIDs = append(videoIDs, v)
				}
			}
		}, nil
	})
	if err != nil {
		return nil, err
	}
	if len(videoIDs) == 0 {
		return out, nil
	}
	videos := make(map[string]graph.Video, len(videoIDs))
	err = eachChunk(ctx, gate, videoIDs, func(ctx context.Context, chunk []string) (func(), error) {
		got, err := gc.Videos(ctx, tok, chunk)
		if err != nil {
			return nil, fmt.Errorf("videos: %w", err)
		}
		return func() { maps.Copy(videos, got) }, nil
	})
	if err != nil {
		return nil, err
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
