package producers_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/internal/tokenbox"
	"github.com/adstream/adstream/producers"
	"github.com/adstream/adstream/schemas"
)

// memberProcessEnv holds the producers.Config (JSON) of the member process
// that TestProducerMemberProcess runs in a child of the test binary.
const memberProcessEnv = "ADSTREAM_TEST_PRODUCER_MEMBER"

// TestProducerMemberProcess is not a test: started by another test as a
// process of its own, it is a producer that knows no brand (every job fails
// at once, which tells the test it took the request), until killed.
func TestProducerMemberProcess(t *testing.T) {
	spec := os.Getenv(memberProcessEnv)
	if spec == "" {
		t.Skip("the producer process of the recovery test; runs only when it starts it")
	}
	var cfg producers.Config
	if err := json.Unmarshal([]byte(spec), &cfg); err != nil {
		t.Fatal(err)
	}
	codec, err := schemas.NewSerde()
	if err != nil {
		t.Fatal(err)
	}
	box, err := tokenbox.New(tokenbox.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	gc, err := graph.New(graph.Config{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	err = producers.Run(context.Background(), cfg, producers.Deps{
		Brands: &memBrands{m: map[string]store.Brand{}}, Graph: gc, Tokens: box, Codec: codec, Log: log})
	t.Fatalf("the member process is meant to be killed, but Run returned %v", err)
}

// A producer killed with SIGKILL and restarted at once under the same
// instance id takes the next sync request within seconds: it does not wait
// out the dead member's session (Kafka's default 45 s, which the test keeps).
func TestProducerRestartedAfterKillTakesRequestsAtOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	e := newWorld(t)
	cfg := producers.Config{Brokers: e.brokers, Topics: e.topics, Group: testenv.Group(t, e.brokers, "producers"),
		InstanceID: testenv.UniqueName(t, "producer")}
	spec, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	member := exec.Command(os.Args[0], "-test.run=^TestProducerMemberProcess$", "-test.timeout=5m")
	member.Env = append(os.Environ(), memberProcessEnv+"="+string(spec))
	member.Stderr = t.Output()
	if err := member.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = member.Process.Kill(); _ = member.Wait() })
	e.enqueue(ctx, t, request("job-before-kill", "unknown-to-the-member"))
	if evs := e.waitJob(ctx, t, "job-before-kill"); evs[len(evs)-1].Type != schemas.SyncFailed {
		t.Fatalf("the member process ended its job %s, want FAILED (it knows no brand)", evs[len(evs)-1].Type)
	}
	if err := member.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = member.Wait()

	restarted := time.Now()
	e.startProducer(t, cfg)
	e.enqueue(ctx, t, request("job-after-restart", e.brand.BrandID))
	e.waitEvent(ctx, t, "job-after-restart")
	took := time.Since(restarted)
	t.Logf("a producer killed with SIGKILL and restarted took a new sync request %.1fs after its restart", took.Seconds())
	if took > 15*time.Second {
		t.Errorf("the restarted producer took %s to take a new request, want seconds: it waited for the dead member's session", took)
	}
	if evs := e.waitJob(ctx, t, "job-after-restart"); evs[len(evs)-1].Type != schemas.SyncCompleted {
		t.Errorf("the job after the restart ended %s, want COMPLETED", evs[len(evs)-1].Type)
	}
}

// waitEvent returns once job has published any event: a producer took it.
func (e *env) waitEvent(ctx context.Context, t *testing.T, jobID string) {
	t.Helper()
	for {
		for _, r := range e.readAll(ctx, t, e.topics.SyncEvents) {
			if string(r.Key) == jobID {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no producer took job %s: %v", jobID, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
