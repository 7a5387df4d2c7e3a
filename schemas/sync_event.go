package schemas

import "time"

// SyncEventType says what happened to a sync job.
type SyncEventType string

// The symbols of the SyncEventType enum. A reader that meets a symbol it
// does not know reads PROGRESS, which never ends a job.
const (
	SyncStarted   SyncEventType = "STARTED"
	SyncProgress  SyncEventType = "PROGRESS"
	SyncCompleted SyncEventType = "COMPLETED"
	SyncFailed    SyncEventType = "FAILED"
)

// SyncEvent reports the progress, completion or failure of one sync job
// (topic TopicSyncEvents, key job_id). The published counts are totals so
// far, not increments, so a redelivered event changes nothing.
type SyncEvent struct {
	JobID             string        `avro:"job_id"`
	BrandID           string        `avro:"brand_id"`
	StartDate         string        `avro:"start_date"` // YYYY-MM-DD
	EndDate           string        `avro:"end_date"`   // YYYY-MM-DD
	Kind              SyncKind      `avro:"kind"`
	Type              SyncEventType `avro:"type"`
	TotalAds          int64         `avro:"total_ads"`
	PublishedAds      int64         `avro:"published_ads"`
	PublishedInsights int64         `avro:"published_insights"`
	Error             string        `avro:"error"`      // set when Type is FAILED: what a person can act on
	ErrorCode         string        `avro:"error_code"` // set when Type is FAILED: a stable code
	// At is stored with millisecond precision.
	At time.Time `avro:"at"`
	// Seq orders one job's events: strictly increasing, whichever attempt or
	// producer wrote them (see producers' clock).
	Seq int64 `avro:"seq"`
	// UnitsTotal and UnitsDone count the job's plan; ProgressPermille is
	// how far it got (0-1000), counting the running unit's share.
	UnitsTotal       int64 `avro:"units_total"`
	UnitsDone        int64 `avro:"units_done"`
	ProgressPermille int64 `avro:"progress_permille"`
	// PublishedDays counts the daily rows (one ad, one day) published so far.
	PublishedDays int64 `avro:"published_days"`
	// Days are, on COMPLETED, the days the job fetched (YYYY-MM-DD).
	Days []string `avro:"days"`
	// CheckpointUnits are the units of the plan (whole ad accounts) whose
	// records were all delivered before this event, and the Checkpoint*
	// counts what had been published then: where a run that takes the job
	// over after a crash resumes (see jobs.Plan.Resume). CheckpointPlan is
	// the fingerprint of the plan those units are of.
	CheckpointUnits    int64  `avro:"checkpoint_units"`
	CheckpointAds      int64  `avro:"checkpoint_ads"`
	CheckpointInsights int64  `avro:"checkpoint_insights"`
	CheckpointDays     int64  `avro:"checkpoint_days"`
	CheckpointPlan     string `avro:"checkpoint_plan"`
}
