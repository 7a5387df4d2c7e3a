package consumers_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// memberProcessEnv holds the consumers.Config (JSON) of the member process
// that TestConsumerMemberProcess runs in a child of the test binary.
const memberProcessEnv = "ADSTREAM_TEST_CONSUMER_MEMBER"

// TestConsumerMemberProcess is not a test: started by another test as a
// process of its own, it is a consumer (consumers.Run with an in-memory sink)
// that prints "stored <ad id>" for each insight it stores, until killed.
func TestConsumerMemberProcess(t *testing.T) {
	spec := os.Getenv(memberProcessEnv)
	if spec == "" {
		t.Skip("the consumer process of the recovery tests; runs only when they start it")
	}
	var cfg consumers.Config
	if err := json.Unmarshal([]byte(spec), &cfg); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	sink.inserted = func(table string) {
		if table == "insights" {
			fmt.Println("stored " + strings.Join(sink.insightIDs(), " "))
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	err := consumers.Run(context.Background(), cfg, consumers.Deps{Sink: sink, Codec: newCodec(t), Log: log})
	t.Fatalf("the member process is meant to be killed, but Run returned %v", err)
}

// startMemberProcess runs a consumer with cfg in a child process and
// returns it once it stored the insight of ad waitFor, which k produced.
func startMemberProcess(t *testing.T, cfg consumers.Config, waitFor string) *exec.Cmd {
	t.Helper()
	spec, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestConsumerMemberProcess$", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), memberProcessEnv+"="+string(spec))
	cmd.Stderr = t.Output()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	stored := make(chan struct{})
	go func() { // ends when the process does
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if slices.Contains(strings.Fields(lines.Text()), waitFor) {
				close(stored)
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case <-stored:
	case <-time.After(testTimeout):
		t.Fatalf("the member process did not store %s within %s", waitFor, testTimeout)
	}
	return cmd
}

// A consumer killed with SIGKILL and restarted at once under the same
// instance id consumes again within seconds: it does not wait out the dead
// member's session (Kafka's default 45 s, which the test keeps).
func TestConsumerRestartedAfterKillConsumesAtOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 3)
	codec := newCodec(t)
	cfg := consumers.Config{Brokers: k.brokers, Topics: tp, Group: k.group(t),
		InstanceID: testenv.UniqueName(t, "consumer"), FlushEvery: 100 * time.Millisecond}
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	insight := func(id string) *kgo.Record {
		b, err := codec.Encode(testInsight("b1", id, 1, at))
		if err != nil {
			t.Fatal(err)
		}
		return &kgo.Record{Topic: tp.Insights, Key: schemas.AdKey("b1", id), Value: b}
	}

	k.produce(ctx, t, insight("before-kill"))
	member := startMemberProcess(t, cfg, "before-kill")
	if err := member.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = member.Wait()

	restarted := time.Now()
	sink := &memSink{}
	runConsumer(ctx, t, k, cfg, consumers.Deps{Sink: sink, Codec: codec})
	k.produce(ctx, t, insight("after-restart"))
	eventually(t, 40*time.Second, func() (bool, string) {
		return slices.Contains(sink.insightIDs(), "after-restart"), fmt.Sprintf("the restarted consumer stored %v", sink.insightIDs())
	})
	took := time.Since(restarted)
	t.Logf("a consumer killed with SIGKILL and restarted consumed a new record %.1fs after its restart", took.Seconds())
	if took > 15*time.Second {
		t.Errorf("the restarted consumer took %s to consume a new record, want seconds: it waited for the dead member's session", took)
	}
}

// A consumer that stops cleanly leaves the group, static member or not, so
// the other member takes its partitions at once rather than after its
// session timeout.
func TestConsumerStoppingCleanlyHandsPartitionsOnAtOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 6)
	codec := newCodec(t)
	group := k.group(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	onEveryPartition := func(prefix string) []*kgo.Record {
		var out []*kgo.Record
		for p := range int32(6) {
			b, err := codec.Encode(testInsight("b1", fmt.Sprintf("%s-%d", prefix, p), 1, at))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, &kgo.Record{Topic: tp.Insights, Partition: p, Value: b})
		}
		return out
	}
	cfg := func(instance string) consumers.Config {
		return consumers.Config{Topics: tp, Group: group, InstanceID: testenv.UniqueName(t, instance), FlushEvery: 100 * time.Millisecond}
	}
	leaving, staying := &memSink{}, &memSink{}
	first := startConsumer(t, k, cfg("leaving"), leaving, nil)
	startConsumer(t, k, cfg("staying"), staying, nil)
	eventually(t, 40*time.Second, func() (bool, string) { return k.shared(ctx, group, tp.Insights, 2) })
	k.produceTo(ctx, t, onEveryPartition("before")...)
	eventually(t, 40*time.Second, func() (bool, string) {
		if n := leaving.count() + staying.count(); n != 6 || leaving.count() == 0 || staying.count() == 0 {
			return false, fmt.Sprintf("the members stored %v and %v, want the 6 records shared between them", leaving.insightIDs(), staying.insightIDs())
		}
		return k.allCommitted(ctx, t, group, tp.Insights)
	})

	if err := first.stop(t); err != nil {
		t.Fatalf("Run returned %v on shutdown, want nil", err)
	}
	stopped := time.Now()
	k.produceTo(ctx, t, onEveryPartition("after")...)
	eventually(t, 40*time.Second, func() (bool, string) {
		return countPrefix(staying.insightIDs(), "after-") == 6,
			fmt.Sprintf("the staying member stored %v", staying.insightIDs())
	})
	took := time.Since(stopped)
	t.Logf("after a clean stop the other member consumed every partition within %.1fs", took.Seconds())
	if took > 15*time.Second {
		t.Errorf("the staying member took %s to take the stopped member's partitions, want seconds: the stopped one did not leave", took)
	}
}

// Two processes that join the group under the same instance id cannot both
// consume: the older one stops with an error that says why.
func TestConsumerStopsWhenAnotherProcessTakesItsInstanceID(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	k := newKafka(t)
	tp := k.topicsFor(ctx, t, 1)
	cfg := consumers.Config{Topics: tp, Group: k.group(t), InstanceID: testenv.UniqueName(t, "shared"), FlushEvery: 100 * time.Millisecond}
	codec := newCodec(t)
	b, err := codec.Encode(testInsight("b1", "ad-1", 1, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	older := &memSink{}
	first := startConsumer(t, k, cfg, older, nil)
	k.produce(ctx, t, &kgo.Record{Topic: tp.Insights, Value: b})
	eventually(t, 40*time.Second, func() (bool, string) { return older.count() == 1, "the first consumer stored nothing" })

	startConsumer(t, k, cfg, &memSink{}, nil)
	err = first.wait(t)
	if err == nil || !strings.Contains(err.Error(), "another process joined as instance") || !strings.Contains(err.Error(), cfg.InstanceID) {
		t.Fatalf("the consumer whose instance id was taken returned %v, want an error naming the shared id %s", err, cfg.InstanceID)
	}
}

func countPrefix(ids []string, prefix string) int {
	n := 0
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n
}
