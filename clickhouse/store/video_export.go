package store

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ExportedVideo is one video of an export: the ads showing it (details
// only) and its metrics per stored day, summed over those ads.
type ExportedVideo struct {
	VideoID string
	Ads     []VideoAd
	Days    []VideoDay
}

// VideoDay is one stored day of a video.
type VideoDay struct {
	Date string // YYYY-MM-DD
	Metrics
}

// ExportVideos hands every video of the brand to each, chunk videos at a
// time, ordered by video id. It streams two ordered reads side by side (the
// videos' ads, and their days grouped by video and day) and holds one chunk
// in memory, whatever the brand's size. An error of each stops the export
// and is returned; so does cancelling ctx.
func (s *Store) ExportVideos(ctx context.Context, brandID string, chunk int, each func([]ExportedVideo) error) error {
	ctx, cancel := context.WithCancel(ctx)
	ads, err := s.conn.Query(ctx, "SELECT "+videoAdColumns+" FROM "+s.table("ads")+" FINAL WHERE brand_id = ? AND video_id != ''"+
		" ORDER BY video_id, ad_id", brandID)
	if err != nil {
		cancel()
		return fmt.Errorf("export videos of %s: %w", brandID, err)
	}
	defer ads.Close()
	days, err := s.conn.Query(ctx, "SELECT video_id, toString(date), "+metricSums+" FROM"+
		" (SELECT ad_id, date, "+metricColumns+" FROM "+s.table("ad_days")+" FINAL WHERE brand_id = ?)"+
		" ANY INNER JOIN (SELECT ad_id, video_id FROM "+s.table("ads")+" FINAL WHERE brand_id = ? AND video_id != '') USING ad_id"+
		" GROUP BY video_id, date ORDER BY video_id, date", brandID, brandID)
	if err != nil {
		cancel()
		return fmt.Errorf("export days of %s: %w", brandID, err)
	}
	defer days.Close()
	defer cancel() // runs first: a stop half-way cancels both reads rather than draining them
	x := exporter{ads: ads, days: days}
	for {
		batch, err := x.nextChunk(chunk)
		if err != nil {
			return fmt.Errorf("export videos of %s: %w", brandID, err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := each(batch); err != nil {
			return err
		}
	}
}

// exporter merges the two ordered reads of ExportVideos.
type exporter struct {
	ads, days driver.Rows
	// The next row of each read, read but not yet used; ok is false
	// once the read is done.
	nextAd            VideoAd
	nextAdOK, started bool
	nextDay           videoDayRow
	nextDayOK         bool
	adsDone, daysDone bool
	daysPeeked        bool // nextDay holds a row not yet used
}

type videoDayRow struct {
	videoID string
	day     VideoDay
}

// nextChunk reads up to n videos with their ads, then their days.
func (x *exporter) nextChunk(n int) ([]ExportedVideo, error) {
	if !x.started {
		x.started = true
		if err := x.readAd(); err != nil {
			return nil, err
		}
	}
	var out []ExportedVideo
	index := map[string]int{}
	for x.nextAdOK && (len(out) < n || out[len(out)-1].VideoID == x.nextAd.VideoID) {
		if len(out) == 0 || out[len(out)-1].VideoID != x.nextAd.VideoID {
			index[x.nextAd.VideoID] = len(out)
			out = append(out, ExportedVideo{VideoID: x.nextAd.VideoID})
		}
		out[len(out)-1].Ads = append(out[len(out)-1].Ads, x.nextAd)
		if err := x.readAd(); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	last := out[len(out)-1].VideoID
	for {
		if err := x.peekDay(); err != nil {
			return nil, err
		}
		if !x.nextDayOK || x.nextDay.videoID > last {
			return out, nil
		}
		// A day of a video the ads read did not list (its ad changed
		// video between the two reads) is skipped.
		if i, ok := index[x.nextDay.videoID]; ok {
			out[i].Days = append(out[i].Days, x.nextDay.day)
		}
		x.daysPeeked = false
	}
}

func (x *exporter) readAd() error {
	x.nextAdOK = false
	if x.adsDone {
		return nil
	}
	if !x.ads.Next() {
		x.adsDone = true
		return x.ads.Err()
	}
	var a VideoAd
	if err := x.ads.Scan(a.dest()...); err != nil {
		return fmt.Errorf("scan video ad: %w", err)
	}
	a.FetchedAt = a.FetchedAt.UTC()
	x.nextAd, x.nextAdOK = a, true
	return nil
}

// peekDay makes nextDay the first day row not yet used.
func (x *exporter) peekDay() error {
	if x.daysPeeked {
		return nil
	}
	x.nextDayOK = false
	if x.daysDone {
		return nil
	}
	if !x.days.Next() {
		x.daysDone = true
		return x.days.Err()
	}
	var r videoDayRow
	if err := x.days.Scan(append([]any{&r.videoID, &r.day.Date}, r.day.Metrics.dest()...)...); err != nil {
		return fmt.Errorf("scan video day: %w", err)
	}
	x.nextDay, x.nextDayOK, x.daysPeeked = r, true, true
	return nil
}
