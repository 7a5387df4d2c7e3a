package jobs

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/schemas"
)

// Plan is a sync job's units of work: per ad account, in the order of the
// brand's accounts, its range pass and then one unit per chunk of days.
type Plan struct {
	Accounts []string // ad account ids
	Chunks   []Chunk
}

// Units is how many units the plan has.
func (p Plan) Units() int64 { return int64(len(p.Accounts)) * p.perAccount() }

func (p Plan) perAccount() int64 { return int64(1 + len(p.Chunks)) }

// Fingerprint names the plan: the same for the same accounts in the same
// order and the same chunks of days.
func (p Plan) Fingerprint() string {
	var b strings.Builder
	for _, a := range p.Accounts {
		b.WriteString(a + "\x00")
	}
	for _, c := range p.Chunks {
		b.WriteString("\x01" + c.Start + ".." + c.End)
	}
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:8])
}

// Checkpoint is how far a job got for good: the first Units units of the
// plan named Plan, whose records were all delivered to Kafka before an event
// recorded them, and what it had published then. A producer records one
// after each ad account it finished (SyncEvent.Checkpoint*).
type Checkpoint struct {
	Units, Ads, Insights, Days int64
	Plan                       string
}

// CheckpointOf is the checkpoint j's newest event recorded.
func CheckpointOf(j store.SyncJob) Checkpoint {
	return Checkpoint{Units: j.CheckpointUnits, Ads: j.CheckpointAds, Insights: j.CheckpointInsights,
		Days: j.CheckpointDays, Plan: j.CheckpointPlan}
}

// Resume says where a run of plan p starts when its job's stored state is j
// (the zero SyncJob for a job never seen): after the accounts an earlier run
// finished, counting what they published, so that the job's COMPLETED event
// reports the whole job, as the consumers' check of the stored records
// expects. It skips whole accounts only: an account's daily chunks need the
// creative type and status of its ads, which its range pass collected, so an
// account that was left half done is done again. A run of another plan (the
// brand's accounts or the days to fetch changed since) starts over: the
// earlier run's units are not this plan's, and skipping them could leave an
// account or a day unfetched.
func (p Plan) Resume(j store.SyncJob) (accounts int, from Checkpoint) {
	c := CheckpointOf(j)
	if j.Status != store.StatusProcessing || c.Plan != p.Fingerprint() ||
		c.Units <= 0 || c.Units > p.Units() || c.Units%p.perAccount() != 0 {
		return 0, Checkpoint{}
	}
	return int(c.Units / p.perAccount()), c
}

// KeepProgress raises what ev reports to what its job's events reported
// before this run began (prev), so that a run that takes a job over never
// shows it going back while it redoes the unit the dead run was in: the
// percentage, the units done (of the same plan) and the published ads and
// insights only rise. A COMPLETED event is left as it is: it reports the
// whole job exactly. Before the run has planned (UnitsTotal 0) ev reports
// prev's plan and checkpoint, which still hold.
func KeepProgress(ev *schemas.SyncEvent, prev store.SyncJob) {
	if ev.Type == schemas.SyncCompleted {
		return
	}
	if ev.UnitsTotal == 0 {
		ev.UnitsTotal = prev.UnitsTotal
		ev.CheckpointUnits, ev.CheckpointAds, ev.CheckpointInsights, ev.CheckpointDays, ev.CheckpointPlan =
			prev.CheckpointUnits, prev.CheckpointAds, prev.CheckpointInsights, prev.CheckpointDays, prev.CheckpointPlan
	}
	if ev.UnitsTotal == prev.UnitsTotal && ev.CheckpointPlan == prev.CheckpointPlan {
		ev.UnitsDone = max(ev.UnitsDone, prev.UnitsDone)
	}
	ev.ProgressPermille = max(ev.ProgressPermille, prev.ProgressPermille)
	ev.PublishedAds = max(ev.PublishedAds, prev.PublishedAds)
	ev.PublishedInsights = max(ev.PublishedInsights, prev.PublishedInsights)
	ev.TotalAds = max(ev.TotalAds, ev.PublishedAds)
}
