package jobs_test

import (
	"testing"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/schemas"
)

func TestPlanResume(t *testing.T) {
	// 3 accounts × (range pass + 2 chunks) = 9 units, 3 per account.
	chunks := []jobs.Chunk{{Start: "2026-11-01", End: "2026-11-07"}, {Start: "2026-11-08", End: "2026-11-10"}}
	plan := jobs.Plan{Accounts: []string{"act_1", "act_2", "act_3"}, Chunks: chunks}
	fp := plan.Fingerprint()
	oneAccount := store.SyncJob{Status: store.StatusProcessing, UnitsTotal: 9, UnitsDone: 4,
		CheckpointUnits: 3, CheckpointAds: 120, CheckpointInsights: 120, CheckpointDays: 840, CheckpointPlan: fp}
	other := func(p jobs.Plan) func(*store.SyncJob) {
		return func(j *store.SyncJob) { j.CheckpointPlan = p.Fingerprint() }
	}
	with := func(j store.SyncJob, edit func(*store.SyncJob)) store.SyncJob { edit(&j); return j }
	tests := []struct {
		name         string
		give         store.SyncJob
		wantAccounts int
		wantFrom     jobs.Checkpoint
	}{
		{"a job never seen", store.SyncJob{}, 0, jobs.Checkpoint{}},
		{"pending", store.SyncJob{Status: store.StatusPending}, 0, jobs.Checkpoint{}},
		{"killed after its first account", oneAccount, 1, jobs.Checkpoint{Units: 3, Ads: 120, Insights: 120, Days: 840, Plan: fp}},
		{"killed after two accounts", with(oneAccount, func(j *store.SyncJob) { j.CheckpointUnits, j.UnitsDone = 6, 7 }),
			2, jobs.Checkpoint{Units: 6, Ads: 120, Insights: 120, Days: 840, Plan: fp}},
		{"killed inside its first account", with(oneAccount, func(j *store.SyncJob) { j.CheckpointUnits, j.CheckpointAds = 0, 0 }), 0, jobs.Checkpoint{}},
		{"days stored since: fewer chunks", with(oneAccount, other(jobs.Plan{Accounts: plan.Accounts, Chunks: chunks[:1]})), 0, jobs.Checkpoint{}},
		{"days stored since: as many chunks", with(oneAccount, other(jobs.Plan{Accounts: plan.Accounts,
			Chunks: []jobs.Chunk{{Start: "2026-11-01", End: "2026-11-07"}, {Start: "2026-11-09", End: "2026-11-10"}}})), 0, jobs.Checkpoint{}},
		{"another account in the first's place", with(oneAccount, other(jobs.Plan{Accounts: []string{"act_9", "act_2", "act_3"}, Chunks: chunks})), 0, jobs.Checkpoint{}},
		{"the accounts in another order", with(oneAccount, other(jobs.Plan{Accounts: []string{"act_2", "act_1", "act_3"}, Chunks: chunks})), 0, jobs.Checkpoint{}},
		{"a producer without checkpoints", with(oneAccount, func(j *store.SyncJob) { j.CheckpointPlan = "" }), 0, jobs.Checkpoint{}},
		{"a checkpoint inside an account", with(oneAccount, func(j *store.SyncJob) { j.CheckpointUnits = 4 }), 0, jobs.Checkpoint{}},
		{"beyond the plan", with(oneAccount, func(j *store.SyncJob) { j.CheckpointUnits = 12 }), 0, jobs.Checkpoint{}},
		{"completed", with(oneAccount, func(j *store.SyncJob) { j.Status = store.StatusCompleted }), 0, jobs.Checkpoint{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accounts, from := plan.Resume(tt.give)
			if accounts != tt.wantAccounts || from != tt.wantFrom {
				t.Fatalf("Resume = %d accounts from %+v; want %d from %+v", accounts, from, tt.wantAccounts, tt.wantFrom)
			}
		})
	}
}

// A run that takes a job over redoes the unit the dead run was in: what it
// reports never goes back meanwhile, and its completion reports the whole job.
func TestKeepProgress(t *testing.T) {
	prev := store.SyncJob{Status: store.StatusProcessing, UnitsTotal: 9, UnitsDone: 5, ProgressPermille: 580,
		TotalAds: 400, PublishedAds: 190, PublishedInsights: 190, CheckpointUnits: 3, CheckpointAds: 120, CheckpointPlan: "p1"}
	tests := []struct {
		name string
		give schemas.SyncEvent
		want schemas.SyncEvent
	}{
		{"started, before the plan: the earlier plan and checkpoint",
			schemas.SyncEvent{Type: schemas.SyncStarted},
			schemas.SyncEvent{Type: schemas.SyncStarted, UnitsTotal: 9, UnitsDone: 5, ProgressPermille: 580, TotalAds: 190,
				PublishedAds: 190, PublishedInsights: 190, CheckpointUnits: 3, CheckpointAds: 120, CheckpointPlan: "p1"}},
		{"redoing the second account",
			schemas.SyncEvent{Type: schemas.SyncProgress, UnitsTotal: 9, UnitsDone: 3, ProgressPermille: 340, TotalAds: 400,
				PublishedAds: 150, PublishedInsights: 150, CheckpointUnits: 3, CheckpointAds: 120, CheckpointPlan: "p1"},
			schemas.SyncEvent{Type: schemas.SyncProgress, UnitsTotal: 9, UnitsDone: 5, ProgressPermille: 580, TotalAds: 400,
				PublishedAds: 190, PublishedInsights: 190, CheckpointUnits: 3, CheckpointAds: 120, CheckpointPlan: "p1"}},
		{"past where the dead run was",
			schemas.SyncEvent{Type: schemas.SyncProgress, UnitsTotal: 9, UnitsDone: 6, ProgressPermille: 666, TotalAds: 400, PublishedAds: 240, PublishedInsights: 240, CheckpointPlan: "p1"},
			schemas.SyncEvent{Type: schemas.SyncProgress, UnitsTotal: 9, UnitsDone: 6, ProgressPermille: 666, TotalAds: 400, PublishedAds: 240, PublishedInsights: 240, CheckpointPlan: "p1"}},
		{"another plan: its own units, a percentage that does not go back",
			schemas.SyncEvent{Type: schemas.SyncProgress, UnitsTotal: 9, UnitsDone: 1, ProgressPermille: 111, TotalAds: 400, PublishedAds: 60, PublishedInsights: 60, CheckpointPlan: "p2"},
			schemas.SyncEvent{Type: schemas.SyncProgress, UnitsTotal: 9, UnitsDone: 1, ProgressPermille: 580, TotalAds: 400, PublishedAds: 190, PublishedInsights: 190, CheckpointPlan: "p2"}},
		{"completed: the whole job, exactly",
			schemas.SyncEvent{Type: schemas.SyncCompleted, UnitsTotal: 9, UnitsDone: 9, ProgressPermille: 1000, TotalAds: 180, PublishedAds: 180, PublishedInsights: 180},
			schemas.SyncEvent{Type: schemas.SyncCompleted, UnitsTotal: 9, UnitsDone: 9, ProgressPermille: 1000, TotalAds: 180, PublishedAds: 180, PublishedInsights: 180}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.give
			jobs.KeepProgress(&got, prev)
			if got.UnitsTotal != tt.want.UnitsTotal || got.UnitsDone != tt.want.UnitsDone || got.ProgressPermille != tt.want.ProgressPermille ||
				got.TotalAds != tt.want.TotalAds || got.PublishedAds != tt.want.PublishedAds || got.PublishedInsights != tt.want.PublishedInsights ||
				got.CheckpointUnits != tt.want.CheckpointUnits || got.CheckpointAds != tt.want.CheckpointAds || got.CheckpointPlan != tt.want.CheckpointPlan {
				t.Fatalf("KeepProgress:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
