package schemas

import "time"

// SyncKind says how much of a brand a sync job fetches.
type SyncKind string

// The symbols of the SyncKind enum. A reader that meets a symbol it does not
// know reads FULL.
const (
	SyncKindFull        SyncKind = "FULL"
	SyncKindRefresh     SyncKind = "REFRESH"
	SyncKindIncremental SyncKind = "INCREMENTAL"
	SyncKindFallback    SyncKind = "FALLBACK"
)

// SyncRequest asks producers to sync one brand for an inclusive date range
// (topic TopicSyncRequests, key brand_id). It never carries an access token:
// tokens must not reach Kafka, producers look them up by brand.
type SyncRequest struct {
	JobID     string   `avro:"job_id"`
	BrandID   string   `avro:"brand_id"`
	StartDate string   `avro:"start_date"` // YYYY-MM-DD
	EndDate   string   `avro:"end_date"`   // YYYY-MM-DD
	Kind      SyncKind `avro:"kind"`
	// RequestedAt is stored with millisecond precision.
	RequestedAt time.Time `avro:"requested_at"`
	// SinceUpdatedTime bounds an INCREMENTAL sync to ads updated after it,
	// in Unix millis; 0 means no bound.
	SinceUpdatedTime int64  `avro:"since_updated_time"`
	RequestedBy      string `avro:"requested_by"`
}
