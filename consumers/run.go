// Package consumers moves records from Kafka into ClickHouse in batches,
// committing offsets only after ClickHouse acknowledged the insert.
package consumers

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/schemas"
)

// Config sizes the batches.
type Config struct {
	Brokers []string
	Topics  config.Topics
	Group   string
	// InstanceID makes the consumer a static member of Group: restarted
	// under the same id, it takes its partitions back at once (bus.Member).
	InstanceID string
	// SessionTimeout is how long the group waits for a member that died
	// and did not come back (default 45s, Kafka's; see bus.Member).
	SessionTimeout time.Duration
	// BatchRows: insert when this many records are pending (default
	// DefaultBatchRows; up to three batches are held at a time, one filling
	// and two in flight, see pipeline.go).
	BatchRows  int
	FlushEvery time.Duration // or when the oldest pending record is this old (default 1s)
}

// DefaultBatchRows is Config.BatchRows when unset. Bigger batches cost
// ClickHouse less a row (fewer parts to write and merge) and the consumer
// too, but hold more records. BenchmarkIngest, 2026-12-02, 600k daily rows,
// the consumer's rows/s ÷ clickhouse-client's, its queries' server CPU µs a
// row, and the most the run added to the heap: at 10k 0.28–0.34, 5.4–6.1,
// 110–167 MiB; at 50k 0.64–0.69, 2.2–2.8, 226–283 MiB; at 100k 0.78–1.10,
// 1.2–2.5, 350–500 MiB (two to ten runs each). 100k: the goal is 0.6, and a
// consumer process has the memory. ClickHouse's own advice is the same
// (inserts of many thousands of rows, about one a second); FlushEvery still
// bounds how long a record waits. dev, under its memory limit, takes 10k
// (cmd/adstream).
const DefaultBatchRows = 100_000

// Sink is where batches go: the ClickHouse store.
type Sink interface {
	InsertAds(ctx context.Context, ads []*schemas.Ad) error
	InsertInsights(ctx context.Context, rows []*schemas.AdInsight) error
	InsertSyncEvents(ctx context.Context, events []*schemas.SyncEvent) error
}

// Deps are the consumer's collaborators, built by cmd/adstream.
type Deps struct {
	Sink Sink
	// Aggregates, when set, rebuilds a range's aggregations once a completed
	// job's records are stored (see aggregate.go); nil maintains none.
	Aggregates Aggregates
	Codec      schemas.Codec
	Log        *slog.Logger
	Metrics    prometheus.Registerer
}

// Run consumes the ads, insights and sync-events topics as a member of
// cfg.Group until ctx ends. Records accumulate until BatchRows or FlushEvery;
// the batch is inserted (retrying while ClickHouse is down, never dropping
// it) and only then are its offsets committed, on a goroutine of its own
// while the next batch is polled and decoded, two batches at most at once,
// committed in the order polled (pipeline.go). A record that
// cannot be decoded, or whose dates the store cannot hold (store.ParseRange),
// goes to the dead-letter topic with the reason, and its partition keeps
// moving; one that cannot be decoded because the schema registry does not
// answer is held, and the consumer waits for the registry (stall.go).
// Rebalances wait for the pending batch and those in flight to be stored
// and committed. On shutdown between polls it stops polling, waits for the
// batches in flight, inserts and commits the pending batch (within 30 s), and
// leaves the group, static member or not, so the other members take its
// partitions at once; a shutdown that interrupts a flush returns its error
// and leaves the batch uncommitted, so the group delivers it again
// (at-least-once, absorbed by the versioned tables). When another process
// joins the group under the same InstanceID, Run returns an error that says
// so.
func Run(ctx context.Context, cfg Config, deps Deps) error {
	if cfg.BatchRows <= 0 {
		cfg.BatchRows = DefaultBatchRows
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = time.Second
	}
	rebalance := new(atomic.Bool)
	member := bus.Member{Group: cfg.Group, InstanceID: cfg.InstanceID, SessionTimeout: cfg.SessionTimeout}
	cl, err := bus.NewClient(cfg.Brokers, deps.Log, append(member.Opts(),
		bus.Metrics(deps.Metrics, "consumer"),
		kgo.ConsumeTopics(cfg.Topics.Ads, cfg.Topics.Insights, cfg.Topics.SyncEvents),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsCallbackBlocked(func(context.Context, *kgo.Client) { rebalance.Store(true) }),
		kgo.FetchMaxWait(200*time.Millisecond),
	)...)
	if err != nil {
		return err
	}
	// Last, after the final commit: leave, so that the others take the
	// partitions now, and close.
	defer member.LeaveAndClose(cl, deps.Log)
	if err := bus.EnsureTopics(ctx, cl, cfg.Topics.All()...); err != nil {
		return err
	}
	c := &consumer{cfg: cfg, deps: deps, cl: cl, member: member, metrics: newMetrics(deps.Metrics), rebalance: rebalance}
	if deps.Aggregates != nil {
		c.agg = newAggregator(deps.Aggregates, deps.Log, cfg.FlushEvery, deps.Metrics)
		c.agg.recover(ctx)
	}
	deps.Log.Info("consumer started", "group", cfg.Group, "instance", cfg.InstanceID, "batch_rows", cfg.BatchRows, "flush_every", cfg.FlushEvery)
	return c.loop(ctx)
}

type consumer struct {
	cfg      Config
	deps     Deps
	cl       *kgo.Client
	member   bus.Member
	metrics  *metrics
	pending  batch
	slab     insightSlab // where insights are decoded (decode.go)
	days     store.Days  // parses the records' days for storable (decode.go)
	inflight []*inflight // the batches being flushed beside the loop (pipeline.go), oldest first
	// rebalance is set when a rebalance waits for AllowRebalance: the loop
	// then drains what it polled instead of polling more.
	rebalance *atomic.Bool
	flushed   bool        // a batch was stored since the last aggregation check
	agg       *aggregator // nil: no aggregations to maintain
}

func (c *consumer) loop(ctx context.Context) error {
	// No flush outlives the loop: whatever is in flight when it returns
	// (an error, another process fencing this one) is stopped and awaited.
	flushCtx, stopFlushes := context.WithCancel(ctx)
	defer func() {
		stopFlushes()
		_ = c.await()
	}()
	for {
		wait := c.cfg.FlushEvery
		if !c.pending.empty() {
			wait = max(time.Until(c.pending.started.Add(c.cfg.FlushEvery)), time.Millisecond)
		}
		pollCtx, cancel := context.WithTimeout(ctx, wait)
		fetches := c.cl.PollRecords(pollCtx, c.cfg.BatchRows-c.pending.len())
		cancel()
		// What is pending or in flight stays uncommitted: the process that
		// took our instance id consumes it again.
		if err := c.member.Fenced(fetches); err != nil {
			return err
		}
		fetches.EachError(func(topic string, p int32, err error) {
			if ctx.Err() == nil && pollCtx.Err() == nil {
				c.deps.Log.Warn("fetch", "topic", topic, "partition", p, "err", err)
			}
		})
		held := false // a record waited for the registry until shutdown
		fetches.EachPartition(func(p kgo.FetchTopicPartition) {
			for _, r := range p.Records {
				if held || !c.add(ctx, r) {
					held = true
					return
				}
			}
			if n := len(p.Records); n > 0 {
				c.metrics.lag.WithLabelValues(p.Topic, strconv.Itoa(int(p.Partition))).
					Set(float64(p.HighWatermark - p.Records[n-1].Offset - 1))
			}
		})
		c.metrics.pending.Set(float64(c.unsettled()))
		stopping := ctx.Err() != nil
		var err error
		switch {
		case stopping:
			// Shutdown still flushes the pending batch: a fresh context
			// bounded by a grace period. Batches in flight were flushing
			// under ctx; if ctx ended an insert or commit, drain returns
			// that error and the group delivers those batches again.
			gctx, gcancel := context.WithTimeout(context.Background(), 30*time.Second)
			err = c.drain(gctx)
			gcancel()
		case c.rebalance.Load():
			err = c.drain(ctx)
		case c.pending.len() >= c.cfg.BatchRows || (!c.pending.empty() && time.Since(c.pending.started) >= c.cfg.FlushEvery):
			err = c.handOver(flushCtx)
		default:
			_, err = c.landed()
		}
		if err != nil {
			return err
		}
		c.metrics.pending.Set(float64(c.unsettled()))
		// Owed rebuilds wait until shutdown's flush is done; a restart recovers them.
		if c.agg != nil && !stopping {
			c.agg.check(ctx, c.flushed)
			c.flushed = false
		}
		// A rebalance must wait for what was polled: partitions revoked
		// with records still pending or in flight would be read again by
		// their new owner.
		if c.unsettled() == 0 {
			c.rebalance.Store(false)
			c.cl.AllowRebalance()
		}
		if stopping {
			c.deps.Log.Info("consumer stopped")
			return nil
		}
	}
}
