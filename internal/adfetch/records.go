package adfetch

import (
	"time"

	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/schemas"
)

// Job names what the records belong to: a brand, a date range and the sync
// job (or fallback fetch) that fetched them.
type Job struct {
	BrandID, StartDate, EndDate, SyncID string
}

// AdRecord maps a Graph API ad and its creative onto the Ad record.
func AdRecord(job Job, acct string, a Ad, fetchedAt time.Time) *schemas.Ad {
	c := a.Creative
	typ := schemas.CreativeType(graph.Classify(c))
	rec := &schemas.Ad{
		BrandID: job.BrandID, AdAccountID: acct, AdID: a.ID, CreativeID: c.ID,
		AdName: a.Name, AdStatus: a.Status, AdEffectiveStatus: a.EffectiveStatus,
		CreativeType: typ, ThumbnailURL: firstNonEmpty(c.ThumbnailURL, c.ObjectStorySpec.VideoData.ImageURL, a.Video.Picture),
		VideoID: VideoID(c), VideoSourceURL: a.Video.Source, VideoLengthSeconds: a.Video.Length,
		UpdatedTime: a.UpdatedTime, FetchedAt: fetchedAt, SyncID: job.SyncID,
	}
	switch typ {
	case schemas.CreativeVideo:
		rec.CreativeURL = a.Video.Source
	case schemas.CreativeImage:
		rec.CreativeURL = firstNonEmpty(c.ImageURL, c.ObjectStorySpec.LinkData.Picture, c.ObjectStorySpec.PhotoData.URL, c.ThumbnailURL)
	case schemas.CreativeCarousel:
		for _, card := range c.ObjectStorySpec.LinkData.ChildAttachments {
			rec.CarouselImages = append(rec.CarouselImages, schemas.CarouselImage{
				URL: card.Picture, Link: card.Link, Name: card.Name, Description: card.Description,
			})
		}
		if len(rec.CarouselImages) > 0 {
			rec.CreativeURL = rec.CarouselImages[0].URL
		}
	default:
		rec.CreativeURL = c.ThumbnailURL
	}
	return rec
}

// InsightRecord maps a level=ad insights row onto the AdInsight record; the
// creative type and status come from the ad so aggregations can group by them.
func InsightRecord(job Job, acct string, in graph.Insight, ad *schemas.Ad, fetchedAt time.Time) *schemas.AdInsight {
	return &schemas.AdInsight{
		BrandID: job.BrandID, AdAccountID: acct, AdID: in.AdID,
		StartDate: job.StartDate, EndDate: job.EndDate,
		CreativeType: ad.CreativeType, AdEffectiveStatus: ad.AdEffectiveStatus,
		SpendMicros: in.SpendMicros, RevenueMicros: in.RevenueMicros, Orders: in.Purchases,
		Impressions: in.Impressions, Clicks: in.Clicks, Reach: in.Reach, Frequency: in.Frequency,
		VideoViews: in.VideoViews, VideoPlays: in.VideoPlays, VideoThruplays: in.ThruPlays,
		VideoP25: in.VideoP25, VideoP50: in.VideoP50, VideoP75: in.VideoP75, VideoP100: in.VideoP100,
		PostEngagement: in.PostEngagement, FetchedAt: fetchedAt,
		Version: schemas.VersionAt(fetchedAt), SyncID: job.SyncID,
		CampaignID: in.CampaignID, CampaignName: in.CampaignName, AdsetID: in.AdsetID, AdsetName: in.AdsetName,
	}
}

// DayRecord maps one day of a level=ad, time_increment=1 insights row onto a
// daily AdInsight; typ and status are the ad's, from its Ad record.
func DayRecord(job Job, acct string, in graph.Insight, typ schemas.CreativeType, status string, fetchedAt time.Time) *schemas.AdInsight {
	rec := InsightRecord(Job{BrandID: job.BrandID, StartDate: in.DateStart, EndDate: in.DateStart, SyncID: job.SyncID},
		acct, in, &schemas.Ad{CreativeType: typ, AdEffectiveStatus: status}, fetchedAt)
	rec.Daily = true
	rec.Frequency = 0 // a day's frequency is impressions / reach; stored days keep the sums only
	return rec
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
