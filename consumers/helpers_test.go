package consumers_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/adstream/adstream/consumers"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
	"github.com/adstream/adstream/schemas"
)

// testTimeout bounds every test of this package.
const testTimeout = 30 * time.Second

// kafka is the test broker (testenv.Kafka: the real one under make test)
// with a client for producing and inspecting.
type kafka struct {
	brokers []string
	cl      *kgo.Client
	adm     *kadm.Client
	manual  *kgo.Client // produces to each record's Partition
}

func newKafka(t *testing.T) *kafka {
	t.Helper()
	brokers := testenv.Kafka(t)
	k := &kafka{brokers: brokers}
	for _, c := range []struct {
		cl   **kgo.Client
		opts []kgo.Opt
	}{
		{&k.cl, nil},
		{&k.manual, []kgo.Opt{kgo.RecordPartitioner(kgo.ManualPartitioner())}},
	} {
		cl, err := kgo.NewClient(append(c.opts, kgo.SeedBrokers(brokers...))...)
		if err != nil {
			t.Fatalf("kafka client: %v", err)
		}
		t.Cleanup(cl.Close)
		*c.cl = cl
	}
	k.adm = kadm.NewClient(k.cl)
	return k
}

// topicsFor creates a topic set of this test run with the given number of
// partitions; the topics are deleted when the test ends.
func (k *kafka) topicsFor(_ context.Context, t *testing.T, partitions int32) config.Topics {
	t.Helper()
	p := testenv.UniqueName(t, "test")
	tp := config.Topics{
		SyncRequests: p + ".sync-requests", Ads: p + ".ads", Insights: p + ".insights",
		SyncEvents: p + ".sync-events", DLQ: p + ".dlq",
	}
	testenv.CreateTopics(t, k.brokers, partitions, tp.All()...)
	return tp
}

// group names a consumer group of this test run, deleted when the test ends.
func (k *kafka) group(t *testing.T) string {
	t.Helper()
	return testenv.Group(t, k.brokers, "g")
}

// produce publishes records and waits until the broker acknowledged them.
func (k *kafka) produce(ctx context.Context, t *testing.T, rs ...*kgo.Record) {
	t.Helper()
	if err := k.cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// produceTo publishes records to the partitions they name and waits until
// the broker acknowledged them.
func (k *kafka) produceTo(ctx context.Context, t *testing.T, rs ...*kgo.Record) {
	t.Helper()
	if err := k.manual.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// committed returns the group's committed offsets by topic and partition;
// empty while the group has committed nothing.
func (k *kafka) committed(ctx context.Context, group string) (map[string]map[int32]int64, error) {
	resp, err := k.adm.FetchOffsets(ctx, group)
	if err != nil {
		return nil, err
	}
	out := map[string]map[int32]int64{}
	var perr error
	resp.Each(func(o kadm.OffsetResponse) {
		if o.Err != nil {
			perr = fmt.Errorf("%s/%d: %w", o.Topic, o.Partition, o.Err)
			return
		}
		if o.At < 0 {
			return
		}
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]int64{}
		}
		out[o.Topic][o.Partition] = o.At
	})
	return out, perr
}

// shared reports whether members of group, each with some partitions of
// topic, make up the whole stable group.
func (k *kafka) shared(ctx context.Context, group, topic string, members int) (bool, string) {
	described, err := k.adm.DescribeGroups(ctx, group)
	if err != nil {
		return false, err.Error()
	}
	g := described[group]
	owning := 0
	for _, m := range g.Members {
		if c, ok := m.Assigned.AsConsumer(); ok && slices.ContainsFunc(c.Topics, func(t kmsg.ConsumerMemberAssignmentTopic) bool {
			return t.Topic == topic && len(t.Partitions) > 0
		}) {
			owning++
		}
	}
	return g.State == "Stable" && len(g.Members) == members && owning == members,
		fmt.Sprintf("group %s is %s with %d members, %d of them with partitions of %s; want %d", group, g.State, len(g.Members), owning, topic, members)
}

// ends returns the end offset of every partition of topics that holds records.
func (k *kafka) ends(ctx context.Context, t *testing.T, topics ...string) map[string]map[int32]int64 {
	t.Helper()
	resp, err := k.adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		t.Fatalf("list end offsets: %v", err)
	}
	out := map[string]map[int32]int64{}
	resp.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			t.Errorf("end offset %s/%d: %v", o.Topic, o.Partition, o.Err)
			return
		}
		if o.Offset == 0 {
			return
		}
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]int64{}
		}
		out[o.Topic][o.Partition] = o.Offset
	})
	return out
}

// allCommitted reports whether group committed exactly the end offsets of
// every non-empty partition of topics, with a description when not.
func (k *kafka) allCommitted(ctx context.Context, t *testing.T, group string, topics ...string) (bool, string) {
	got, err := k.committed(ctx, group)
	if err != nil {
		return false, err.Error()
	}
	want := k.ends(ctx, t, topics...)
	for _, tp := range topics {
		for p, end := range want[tp] {
			if got[tp][p] != end {
				return false, fmt.Sprintf("committed %s/%d = %d, want end offset %d (all commits: %v)", tp, p, got[tp][p], end, got)
			}
		}
	}
	return true, ""
}

// readAll reads every record of topic from the start to its current end.
func (k *kafka) readAll(ctx context.Context, t *testing.T, topic string) []*kgo.Record {
	return testenv.ReadTopic(ctx, t, k.brokers, topic)
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, why)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// memSink is a consumers.Sink in memory. fail, when set, is asked before
// every insert and fails it with its error; inserted, when set, is told
// after every successful insert. Empty inserts are counted as calls too.
type memSink struct {
	mu       sync.Mutex
	ads      []*schemas.Ad
	insights []*schemas.AdInsight
	events   []*schemas.SyncEvent

	fail     func(table string) error
	inserted func(table string)
}

var _ consumers.Sink = (*memSink)(nil)

func (s *memSink) hooks(table string) error {
	if s.fail != nil {
		return s.fail(table)
	}
	return nil
}

func (s *memSink) done(table string) {
	if s.inserted != nil {
		s.inserted(table)
	}
}

func (s *memSink) InsertAds(_ context.Context, rows []*schemas.Ad) error {
	if err := s.hooks("ads"); err != nil {
		return err
	}
	s.mu.Lock()
	s.ads = append(s.ads, rows...)
	s.mu.Unlock()
	s.done("ads")
	return nil
}

func (s *memSink) InsertInsights(_ context.Context, rows []*schemas.AdInsight) error {
	if err := s.hooks("insights"); err != nil {
		return err
	}
	s.mu.Lock()
	s.insights = append(s.insights, rows...)
	s.mu.Unlock()
	s.done("insights")
	return nil
}

func (s *memSink) InsertSyncEvents(_ context.Context, rows []*schemas.SyncEvent) error {
	if err := s.hooks("sync_events"); err != nil {
		return err
	}
	s.mu.Lock()
	s.events = append(s.events, rows...)
	s.mu.Unlock()
	s.done("sync_events")
	return nil
}

// rows returns what the sink holds, each row re-encoded so that equal
// values compare equal, keyed "table:id" and counted.
func (s *memSink) rows(t *testing.T, codec schemas.Codec) map[string]int {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	add := func(v any) {
		b, err := codec.Encode(v)
		if err != nil {
			t.Fatalf("encode %T: %v", v, err)
		}
		out[string(b)]++
	}
	for _, r := range s.ads {
		add(r)
	}
	for _, r := range s.insights {
		add(r)
	}
	for _, r := range s.events {
		add(r)
	}
	return out
}

func (s *memSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ads) + len(s.insights) + len(s.events)
}

func (s *memSink) insightIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, r := range s.insights {
		ids = append(ids, r.AdID)
	}
	slices.Sort(ids)
	return ids
}

// fixture is a set of records produced to the data topics.
type fixture struct {
	records []*kgo.Record
	values  map[string]int // encoded value → how many were produced
}

// newFixture builds ads and insights of n ads of brand "b1" and the sync
// events of one job, each value distinct.
func newFixture(t *testing.T, codec schemas.Codec, tp config.Topics, n int) fixture {
	t.Helper()
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f := fixture{values: map[string]int{}}
	add := func(topic string, key []byte, v any) {
		b, err := codec.Encode(v)
		if err != nil {
			t.Fatalf("encode %T: %v", v, err)
		}
		f.records = append(f.records, &kgo.Record{Topic: topic, Key: key, Value: b})
		f.values[string(b)]++
	}
	for i := range n {
		id := fmt.Sprintf("ad-%03d", i)
		add(tp.Ads, schemas.AdKey("b1", id), testAd("b1", id, at))
		add(tp.Insights, schemas.AdKey("b1", id), testInsight("b1", id, int64(i), at))
	}
	for i, typ := range []schemas.SyncEventType{schemas.SyncStarted, schemas.SyncProgress, schemas.SyncCompleted} {
		add(tp.SyncEvents, []byte("job-1"), &schemas.SyncEvent{
			JobID: "job-1", BrandID: "b1", StartDate: "2026-11-01", EndDate: "2026-11-27",
			Kind: schemas.SyncKindFull, Type: typ, TotalAds: int64(n), PublishedAds: int64(i * n / 2),
			PublishedInsights: int64(i * n / 2), At: at.Add(time.Duration(i) * time.Second),
		})
	}
	return f
}

func testAd(brand, id string, at time.Time) *schemas.Ad {
	return &schemas.Ad{
		BrandID: brand, AdAccountID: "act_1", AdID: id, CreativeID: "c-" + id, AdName: "Ad " + id,
		AdStatus: "ACTIVE", AdEffectiveStatus: "ACTIVE", CreativeType: schemas.CreativeCarousel,
		CreativeURL: "https://cdn.example/" + id + "/1.jpg", ThumbnailURL: "https://cdn.example/" + id + "/t.jpg",
		CarouselImages: []schemas.CarouselImage{
			{URL: "https://cdn.example/" + id + "/1.jpg", Link: "https://shop.example/1", Name: "one"},
			{URL: "https://cdn.example/" + id + "/2.jpg", Link: "https://shop.example/2", Name: "two"},
		},
		UpdatedTime: at.Add(-time.Hour), FetchedAt: at, SyncID: "job-1",
	}
}

func testInsight(brand, id string, i int64, at time.Time) *schemas.AdInsight {
	return &schemas.AdInsight{
		BrandID: brand, AdAccountID: "act_1", AdID: id, StartDate: "2026-11-01", EndDate: "2026-11-27",
		CreativeType: schemas.CreativeCarousel, AdEffectiveStatus: "ACTIVE",
		SpendMicros: 1_000_000 + i*10_001, RevenueMicros: 3_000_000 + i, Orders: i, Impressions: 1000 + i,
		Clicks: 10 + i, Reach: 900 + i, Frequency: 1.11, PostEngagement: i,
		FetchedAt: at, Version: schemas.VersionAt(at), SyncID: "job-1",
	}
}

// consumer runs consumers.Run in the background until the test ends.
type consumer struct {
	cancel context.CancelFunc
	done   chan error
}

func startConsumer(t *testing.T, k *kafka, cfg consumers.Config, sink consumers.Sink, reg prometheus.Registerer) *consumer {
	t.Helper()
	return startConsumerCtx(context.Background(), t, k, cfg, sink, reg)
}

// startConsumerCtx is startConsumer under parent: ending parent stops Run.
func startConsumerCtx(parent context.Context, t *testing.T, k *kafka, cfg consumers.Config, sink consumers.Sink, reg prometheus.Registerer) *consumer {
	t.Helper()
	return runConsumer(parent, t, k, cfg, consumers.Deps{Sink: sink, Aggregates: aggregatesOf(sink), Codec: newCodec(t), Metrics: reg})
}

// runConsumer runs consumers.Run with deps (a test logger when deps has
// none) in the background until parent ends or the test does.
func runConsumer(parent context.Context, t *testing.T, k *kafka, cfg consumers.Config, deps consumers.Deps) *consumer {
	t.Helper()
	cfg.Brokers = k.brokers
	if deps.Log == nil {
		deps.Log = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithTimeout(parent, testTimeout)
	c := &consumer{cancel: cancel, done: make(chan error, 1)}
	go func() { c.done <- consumers.Run(ctx, cfg, deps) }()
	t.Cleanup(func() {
		cancel()
		<-c.done
	})
	return c
}

// stop cancels the consumer and returns what Run returned.
func (c *consumer) stop(t *testing.T) error {
	t.Helper()
	c.cancel()
	return c.wait(t)
}

// wait returns what Run returned, failing the test if it runs on.
func (c *consumer) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-c.done:
		c.done <- err // for the cleanup
		return err
	case <-time.After(testTimeout):
		t.Fatalf("consumers.Run did not return within %s", testTimeout)
		return nil
	}
}

func newCodec(t testing.TB) schemas.Codec {
	t.Helper()
	s, err := schemas.NewSerde()
	if err != nil {
		t.Fatalf("serde: %v", err)
	}
	return s
}

// aggregatesOf is the sink when it also maintains aggregations (the real
// store does; the fakes do not).
func aggregatesOf(sink consumers.Sink) consumers.Aggregates {
	a, _ := sink.(consumers.Aggregates)
	return a
}
