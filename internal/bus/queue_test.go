package bus_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/schemas"
)

const topic = "adstream.sync-requests.v1"

// newBroker starts an in-process broker serving topics (it creates no
// other). With a port and a dir, a broker started again on them is the same
// broker after a restart: same address, same topics and offsets.
func newBroker(t *testing.T, port int, dir string, topics ...string) *kfake.Cluster {
	t.Helper()
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(1, topics...)}
	if port > 0 {
		opts = append(opts, kfake.Ports(port), kfake.DataDir(dir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newQueue(t *testing.T, brokers []string, timeout time.Duration) *bus.SyncQueue {
	t.Helper()
	cl, err := bus.NewQueueClient(brokers, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	codec, err := schemas.NewSerde()
	if err != nil {
		t.Fatal(err)
	}
	q := bus.NewSyncQueue(cl, topic, codec)
	q.Timeout = timeout
	return q
}

func request(id string) *schemas.SyncRequest {
	return &schemas.SyncRequest{JobID: id, BrandID: "acme", StartDate: "2026-11-01", EndDate: "2026-11-27",
		Kind: schemas.SyncKindFull, RequestedAt: time.Now().UTC(), RequestedBy: "test"}
}

// With the broker gone, Enqueue gives up after its timeout with
// ErrUnavailable instead of waiting out the 2-minute delivery timeout, and
// succeeds again once a broker is back on the same address.
func TestEnqueueWhenTheBrokerIsDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	broker := newBroker(t, port, dir, topic)
	q := newQueue(t, broker.ListenAddrs(), time.Second)
	ctx := context.Background()
	if err := q.Enqueue(ctx, request("job-1")); err != nil {
		t.Fatalf("broker up: %v", err)
	}

	broker.Close()
	for _, id := range []string{"job-2", "job-3"} { // the second finds no connection left to reuse
		start := time.Now()
		err := q.Enqueue(ctx, request(id))
		took := time.Since(start)
		t.Logf("broker down: Enqueue returned after %s: %v", took.Round(time.Millisecond), err)
		if !errors.Is(err, bus.ErrUnavailable) {
			t.Fatalf("broker down: err = %v, want ErrUnavailable", err)
		}
		if took > 20*time.Second {
			t.Fatalf("broker down: Enqueue took %s with a 1 s timeout", took)
		}
	}

	broker = newBroker(t, port, dir, topic)
	defer broker.Close()
	deadline := time.Now().Add(30 * time.Second)
	for err = q.Enqueue(ctx, request("job-4")); err != nil; err = q.Enqueue(ctx, request("job-4")) {
		if time.Now().After(deadline) {
			t.Fatalf("broker back: Enqueue still fails after 30 s: %v", err)
		}
	}
	// What Enqueue reported as not queued must not turn up later.
	if got := jobIDs(t, broker.ListenAddrs()); !slices.Equal(got, []string{"job-1", "job-4"}) {
		t.Errorf("the topic holds %v, want [job-1 job-4]", got)
	}
}

// jobIDs reads the job ids of every request on the topic, oldest first.
func jobIDs(t *testing.T, brokers []string) []string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	codec, err := schemas.NewSerde()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var ids []string
	for ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			var req schemas.SyncRequest
			if err := codec.DecodeInto(r.Value, &req); err != nil {
				t.Errorf("offset %d: %v", r.Offset, err)
			}
			ids = append(ids, req.JobID)
		})
	}
	return ids
}

// A missing topic is reported as unavailable, naming the topic.
func TestEnqueueToAMissingTopic(t *testing.T) {
	broker := newBroker(t, 0, "") // serves no topic and creates none
	defer broker.Close()
	q := newQueue(t, broker.ListenAddrs(), 2*time.Second)
	err := q.Enqueue(context.Background(), request("job-1"))
	if !errors.Is(err, bus.ErrUnavailable) || !strings.Contains(err.Error(), topic) {
		t.Fatalf("err = %v, want ErrUnavailable naming %s", err, topic)
	}
}

// A caller that gives up first gets its own context error, not
// ErrUnavailable.
func TestEnqueueCallerCancels(t *testing.T) {
	broker := newBroker(t, 0, "")
	addrs := broker.ListenAddrs()
	broker.Close()
	q := newQueue(t, addrs, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := q.Enqueue(ctx, request("job-1"))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, bus.ErrUnavailable) {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
}
