package schemas

// Topic names. The value of each topic is one record type of this package;
// the key is noted beside it.
const (
	TopicSyncRequests = "adstream.sync-requests.v1" // key brand_id, value SyncRequest
	TopicAds          = "adstream.ads.v1"           // key AdKey, value Ad
	TopicInsights     = "adstream.insights.v1"      // key AdKey, value AdInsight
	TopicSyncEvents   = "adstream.sync-events.v1"   // key job_id, value SyncEvent
	TopicDLQ          = "adstream.dlq.v1"           // key the original key, value DeadLetter
)

// AdKey returns the Kafka key of an ad's records, "brand/ad", so that every
// record of one ad lands on one partition and stays in order.
func AdKey(brandID, adID string) []byte {
	b := make([]byte, 0, len(brandID)+1+len(adID))
	b = append(b, brandID...)
	b = append(b, '/')
	return append(b, adID...)
}
