package schemas

import "time"

// ms is a fixed instant at millisecond precision, as the schemas store it.
var ms = time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// sampleRecords returns one realistic value of every record type.
func sampleRecords() []any {
	return []any{
		&SyncRequest{
			JobID: "job-7f3c9a", BrandID: "demo", StartDate: "2026-02-01", EndDate: "2026-02-28",
			Kind: SyncKindIncremental, RequestedAt: ms, SinceUpdatedTime: ms.Add(-24 * time.Hour).UnixMilli(),
			RequestedBy: "scheduler",
		},
		&Ad{
			BrandID: "demo", AdAccountID: "act_1029384756", AdID: "120210000000000001",
			CreativeID: "120210000000000777", AdName: "Spring sale — carousel 3 «ünïcode»",
			AdStatus: "ACTIVE", AdEffectiveStatus: "CAMPAIGN_PAUSED", CreativeType: CreativeCarousel,
			CreativeURL: "https://scontent.example/c.jpg", ThumbnailURL: "https://scontent.example/t.jpg",
			CarouselImages: []CarouselImage{
				{URL: "https://scontent.example/1.jpg", Link: "https://shop.example/p/1", Name: "Card 1", Description: "First"},
				{URL: "https://scontent.example/2.jpg", Link: "https://shop.example/p/2", Name: "Card 2"},
			},
			UpdatedTime: ms.Add(-time.Hour), FetchedAt: ms, SyncID: "job-7f3c9a",
		},
		&Ad{
			BrandID: "demo", AdAccountID: "act_1029384756", AdID: "120210000000000002",
			CreativeType: CreativeVideo, VideoID: "998877", VideoSourceURL: "https://video.example/v.mp4",
			VideoLengthSeconds: 15.36, CarouselImages: []CarouselImage{}, UpdatedTime: ms, FetchedAt: ms,
		},
		&AdInsight{
			BrandID: "demo", AdAccountID: "act_1029384756", AdID: "120210000000000002",
			StartDate: "2026-02-01", EndDate: "2026-02-28", CreativeType: CreativeVideo,
			AdEffectiveStatus: "ACTIVE", SpendMicros: 14_350_000, RevenueMicros: 92_990_000, Orders: 3,
			Impressions: 48_213, Clicks: 611, Reach: 30_007, Frequency: 1.6067, VideoViews: 9_120,
			VideoPlays: 20_400, VideoThruplays: 3_310, VideoP25: 8_001, VideoP50: 5_120, VideoP75: 3_902,
			VideoP100: 2_744, PostEngagement: 1_283, FetchedAt: ms, Version: VersionAt(ms.Add(417)),
			SyncID: "job-7f3c9a",
		},
		&SyncEvent{
			JobID: "job-7f3c9a", BrandID: "demo", StartDate: "2026-02-01", EndDate: "2026-02-28",
			Kind: SyncKindFull, Type: SyncFailed, TotalAds: 100_000, PublishedAds: 61_200,
			PublishedInsights: 61_150, Error: "graph: code 17: user request limit reached", At: ms,
			ErrorCode: "rate_limited", Seq: 1_773_480_413_589_000_001, UnitsTotal: 12, UnitsDone: 7, ProgressPermille: 615, PublishedDays: 1_700_000,
			Days: []string{"2026-02-01", "2026-02-02"}, CheckpointUnits: 6, CheckpointAds: 50_100, CheckpointInsights: 50_100, CheckpointDays: 1_400_000,
			CheckpointPlan: "5f0c2a9e81d4b7c3",
		},
		&DeadLetter{
			OriginalTopic: TopicInsights, Partition: 11, Offset: 1 << 40,
			Key: []byte("demo/120210000000000002"), Value: []byte{0xC3, 0x01, 0xff, 0x00},
			Reason: "schemas: decode: unknown schema", At: ms,
		},
		&AdInsight{
			BrandID: "demo", AdAccountID: "act_1029384756", AdID: "120210000000000002",
			StartDate: "2026-02-03", EndDate: "2026-02-03", CreativeType: CreativeImage, SpendMicros: 1_000_001,
			Reach: 900, FetchedAt: ms, Version: VersionAt(ms), SyncID: "job-7f3c9a", Daily: true,
			CampaignID: "120200000000000010", CampaignName: "Spring", AdsetID: "120201000000000100", AdsetName: "Spring — women 25-34",
		},
	}
}
