package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/jobs"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// publisher records what it is asked to publish.
type publisher struct {
	mu   sync.Mutex
	reqs []*schemas.SyncRequest
	err  error
}

func (p *publisher) Enqueue(_ context.Context, r *schemas.SyncRequest) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	p.reqs = append(p.reqs, r)
	return nil
}

func newStore(t *testing.T) *store.Store {
	testenv.Integration(t)
	conn, cfg := testenv.ClickHouse(t)
	return store.New(conn, cfg.Database)
}

var rng = store.Range{BrandID: "acme", StartDate: "2026-11-01", EndDate: "2026-11-30"}

// Any number of concurrent callers (API replicas, schedulers) queue one job
// id, and the store holds one job.
func TestConcurrentSyncsQueueOneJob(t *testing.T) {
	st := newStore(t)
	pub := &publisher{}
	q := &jobs.Queue{Store: st, Publisher: pub}
	ids := make([]string, 100)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := q.Sync(context.Background(), rng, schemas.SyncKindFull, "test")
			if err != nil {
				t.Error(err)
			}
			ids[i] = got.JobID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("callers got different jobs: %s and %s", ids[0], id)
		}
	}
	for _, r := range pub.reqs {
		if r.JobID != ids[0] {
			t.Fatalf("published job %s besides %s", r.JobID, ids[0])
		}
	}
	j, err := st.LatestJob(context.Background(), rng)
	if err != nil || j.JobID != ids[0] || j.Status != store.StatusPending {
		t.Fatalf("latest job %+v, %v; want %s pending", j, err, ids[0])
	}
	t.Logf("100 concurrent callers: 1 job id, %d requests published", len(pub.reqs))
}

// A request that never reached Kafka leaves no pending job behind.
func TestFailedPublishRecordsNothing(t *testing.T) {
	st := newStore(t)
	q := &jobs.Queue{Store: st, Publisher: &publisher{err: errors.New("broker down")}}
	if _, err := q.Sync(context.Background(), rng, schemas.SyncKindFull, "test"); err == nil {
		t.Fatal("Sync succeeded with the broker down")
	}
	if _, err := st.LatestJob(context.Background(), rng); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a job was recorded although its request was not published: %v", err)
	}
}

// Each job of a range has an id of its own, across ends, failures and
// deletes, so a producer can tell a duplicate request from a new job.
func TestEveryJobOfARangeHasANewID(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	pub := &publisher{}
	q := &jobs.Queue{Store: st, Publisher: pub}
	dedup := &jobs.Dedup{History: st}
	end := func(id string, typ schemas.SyncEventType) {
		t.Helper()
		err := st.InsertSyncEvents(ctx, []*schemas.SyncEvent{
			{JobID: id, BrandID: rng.BrandID, StartDate: rng.StartDate, EndDate: rng.EndDate, Type: schemas.SyncStarted, At: time.Now(), Seq: 1},
			{JobID: id, BrandID: rng.BrandID, StartDate: rng.StartDate, EndDate: rng.EndDate, Type: typ, At: time.Now(), Seq: 2}})
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for i, finish := range []func(string){
		func(id string) { end(id, schemas.SyncCompleted) },
		func(id string) { end(id, schemas.SyncFailed) },
		func(string) {
			if _, err := st.DeleteRange(ctx, rng); err != nil {
				t.Fatal(err)
			}
		},
		func(id string) { end(id, schemas.SyncCompleted) },
	} {
		got, err := q.Sync(ctx, rng, schemas.SyncKindFull, "test")
		if err != nil || !got.Queued {
			t.Fatalf("job %d: %+v, %v; want a new job queued", i, got, err)
		}
		if seen[got.JobID] {
			t.Fatalf("job %d reuses the id %s", i, got.JobID)
		}
		seen[got.JobID] = true
		req := pub.reqs[len(pub.reqs)-1]
		if dup, err := dedup.Duplicate(ctx, req); err != nil || dup {
			t.Fatalf("job %d's request taken as a duplicate (%v)", i, err)
		}
		finish(got.JobID)
		if i != 2 { // the delete took the ended job's history with it
			if dup, _ := dedup.Duplicate(ctx, req); !dup {
				t.Fatalf("job %d: a request of the ended job is not taken as a duplicate", i)
			}
		}
	}
}
