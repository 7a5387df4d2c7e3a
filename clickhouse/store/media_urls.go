package store

import (
	"context"
	"fmt"
	"time"
)

// MediaKind says which URL of which object a media URL is.
type MediaKind string

const (
	MediaVideoSource MediaKind = "video_source" // a video's playable file, by video id
	MediaThumbnail   MediaKind = "thumbnail"    // a creative's thumbnail, by creative id
)

// MediaKey names one media URL: the kind and the object's id.
type MediaKey struct {
	Kind MediaKind
	ID   string
}

// MediaURL is a media URL and when it stops working.
type MediaURL struct {
	URL       string
	ExpiresAt time.Time
}

// MediaURLs returns the refreshed URLs stored for the keys: of each, the one
// that expires last. Keys never refreshed are absent.
func (s *Store) MediaURLs(ctx context.Context, brandID string, keys []MediaKey) (map[MediaKey]MediaURL, error) {
	out := map[MediaKey]MediaURL{}
	if len(keys) == 0 {
		return out, nil
	}
	want := make(map[MediaKey]bool, len(keys))
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		if !want[k] {
			want[k] = true
			ids = append(ids, k.ID)
		}
	}
	rows, err := s.conn.Query(ctx, "SELECT kind, object_id, argMax(url, expires_at), max(expires_at) FROM "+s.table("media_urls")+
		" WHERE brand_id = ? AND object_id IN ("+placeholders(len(ids))+") GROUP BY kind, object_id",
		append([]any{brandID}, toAny(ids)...)...)
	if err != nil {
		return nil, fmt.Errorf("media urls of %s: %w", brandID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var k MediaKey
		var u MediaURL
		if err := rows.Scan(&kind, &k.ID, &u.URL, &u.ExpiresAt); err != nil {
			return nil, fmt.Errorf("scan media url: %w", err)
		}
		k.Kind = MediaKind(kind)
		if want[k] {
			u.ExpiresAt = u.ExpiresAt.UTC()
			out[k] = u
		}
	}
	return out, rows.Err()
}

// PutMediaURLs stores refreshed URLs, fetched at the given time.
func (s *Store) PutMediaURLs(ctx context.Context, brandID string, urls map[MediaKey]MediaURL, fetchedAt time.Time) error {
	if len(urls) == 0 {
		return nil
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("media_urls")+" (brand_id, kind, object_id, url, expires_at, fetched_at)")
	if err != nil {
		return fmt.Errorf("prepare media urls: %w", err)
	}
	for k, u := range urls {
		if err := batch.Append(brandID, string(k.Kind), k.ID, u.URL, u.ExpiresAt, fetchedAt); err != nil {
			batch.Abort()
			return fmt.Errorf("media url of %s: %w", k.ID, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("store media urls of %s: %w", brandID, err)
	}
	return nil
}
