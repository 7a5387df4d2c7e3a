package store

import (
	"context"
	"fmt"
	"time"

	"github.com/adstream/adstream/schemas"
)

// InsertAds writes ads in one batch; ClickHouse acknowledges it as a whole.
// Rows are versioned by fetch time, so writing the same ad twice is harmless.
func (s *Store) InsertAds(ctx context.Context, ads []*schemas.Ad) error {
	if len(ads) == 0 {
		return nil
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("ads")+
		" (brand_id, ad_account_id, ad_id, creative_id, ad_name, ad_status, ad_effective_status, creative_type,"+
		" creative_url, thumbnail_url, video_id, video_source_url, video_length_seconds,"+
		" carousel_urls, carousel_links, carousel_names, carousel_descriptions, updated_time, fetched_at, version, sync_id)")
	if err != nil {
		return fmt.Errorf("prepare ads batch: %w", err)
	}
	for _, a := range ads {
		var urls, links, names, descs []string
		for _, c := range a.CarouselImages {
			urls, links = append(urls, c.URL), append(links, c.Link)
			names, descs = append(names, c.Name), append(descs, c.Description)
		}
		err := batch.Append(a.BrandID, a.AdAccountID, a.AdID, a.CreativeID, a.AdName, a.AdStatus, a.AdEffectiveStatus,
			string(a.CreativeType), a.CreativeURL, a.ThumbnailURL, a.VideoID, a.VideoSourceURL, a.VideoLengthSeconds,
			nonNil(urls), nonNil(links), nonNil(names), nonNil(descs),
			a.UpdatedTime, a.FetchedAt, uint64(a.FetchedAt.UnixNano()), a.SyncID)
		if err != nil {
			batch.Abort()
			return fmt.Errorf("append ad %s: %w", a.AdID, err)
		}
	}
	return batch.Send()
}

// InsertInsights writes ad insights: a range's rows to ad_insights and daily
// rows to ad_days, one batch each. The highest Version of an (brand, range or
// day, ad) wins when ClickHouse merges or reads with FINAL.
func (s *Store) InsertInsights(ctx context.Context, rows []*schemas.AdInsight) error {
	var ranges, days []*schemas.AdInsight
	for _, r := range rows {
		if r.Daily {
			days = append(days, r)
		} else {
			ranges = append(ranges, r)
		}
	}
	if err := s.insertDays(ctx, days); err != nil {
		return err
	}
	return s.insertRanges(ctx, ranges)
}

func (s *Store) insertRanges(ctx context.Context, rows []*schemas.AdInsight) error {
	if len(rows) == 0 {
		return nil
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("ad_insights")+
		" (brand_id, start_date, end_date, ad_id, ad_account_id, creative_type, ad_effective_status,"+
		" spend_micros, revenue_micros, orders, impressions, clicks, reach, frequency,"+
		" video_views, video_plays, video_thruplays, video_p25, video_p50, video_p75, video_p100,"+
		" post_engagement, fetched_at, version, sync_id, campaign_id, campaign_name, adset_id, adset_name)")
	if err != nil {
		return fmt.Errorf("prepare insights batch: %w", err)
	}
	var parse Days
	for _, r := range rows {
		start, end, err := parse.ParseRange(r.StartDate, r.EndDate)
		if err != nil {
			batch.Abort()
			return fmt.Errorf("insight %s: %w", r.AdID, err)
		}
		err = batch.Append(r.BrandID, start, end, r.AdID, r.AdAccountID, string(r.CreativeType), r.AdEffectiveStatus,
			r.SpendMicros, r.RevenueMicros, r.Orders, r.Impressions, r.Clicks, r.Reach, r.Frequency,
			r.VideoViews, r.VideoPlays, r.VideoThruplays, r.VideoP25, r.VideoP50, r.VideoP75, r.VideoP100,
			r.PostEngagement, r.FetchedAt, uint64(r.Version), r.SyncID, r.CampaignID, r.CampaignName, r.AdsetID, r.AdsetName)
		if err != nil {
			batch.Abort()
			return fmt.Errorf("append insight %s: %w", r.AdID, err)
		}
	}
	return batch.Send()
}

// InsertSyncEvents appends a producer's sync job events; a job's status is
// its newest event (see jobOrder).
func (s *Store) InsertSyncEvents(ctx context.Context, events []*schemas.SyncEvent) error {
	return s.insertEvents(ctx, events, func(e *schemas.SyncEvent) string { return StatusOf(e.Type) })
}

func (s *Store) insertEvents(ctx context.Context, events []*schemas.SyncEvent, status func(*schemas.SyncEvent) string) error {
	if len(events) == 0 {
		return nil
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("sync_events")+
		" (job_id, brand_id, start_date, end_date, kind, status, total_ads, published_ads, published_insights,"+
		" error_code, error, at, at_nanos, seq, units_total, units_done, progress_permille, published_days, days,"+
		" checkpoint_units, checkpoint_ads, checkpoint_insights, checkpoint_days, checkpoint_plan)")
	if err != nil {
		return fmt.Errorf("prepare sync events batch: %w", err)
	}
	var parse Days
	for _, e := range events {
		start, end, err := parse.ParseRange(e.StartDate, e.EndDate)
		if err != nil {
			batch.Abort()
			return fmt.Errorf("sync event %s: %w", e.JobID, err)
		}
		seq := e.Seq
		if seq == 0 { // an event from a producer older than seq
			seq = e.At.UnixNano()
		}
		days := make([]time.Time, 0, len(e.Days))
		for _, d := range e.Days {
			day, err := parse.Parse(d)
			if err != nil {
				batch.Abort()
				return fmt.Errorf("sync event %s: %w", e.JobID, err)
			}
			days = append(days, day)
		}
		err = batch.Append(e.JobID, e.BrandID, start, end, string(e.Kind), status(e),
			e.TotalAds, e.PublishedAds, e.PublishedInsights, e.ErrorCode, e.Error, e.At, e.At.UnixNano(), seq,
			e.UnitsTotal, e.UnitsDone, e.ProgressPermille, e.PublishedDays, days,
			e.CheckpointUnits, e.CheckpointAds, e.CheckpointInsights, e.CheckpointDays, e.CheckpointPlan)
		if err != nil {
			batch.Abort()
			return fmt.Errorf("append sync event %s: %w", e.JobID, err)
		}
	}
	return batch.Send()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
