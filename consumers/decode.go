package consumers

import (
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/adstream/adstream/schemas"
)

// The consumer decodes tens of thousands of daily rows a second: a row
// allocated on its own, and each of its days parsed, cost as much CPU as
// Avro itself, and GC a seventh of the consumer's (BenchmarkIngest).

// insightChunk is how many insights one allocation of an insightSlab holds.
const insightChunk = 1024

// insightSlab hands out AdInsight values carved from chunks, one allocation
// per insightChunk rows instead of one per row. Chunks are never reused:
// the sink may keep the rows it is given, so a chunk lives as long as any
// of its rows does.
type insightSlab struct{ free []schemas.AdInsight }

// next returns a zeroed insight that stays the slab's until take.
func (s *insightSlab) next() *schemas.AdInsight {
	if len(s.free) == 0 {
		s.free = make([]schemas.AdInsight, insightChunk)
	}
	s.free[0] = schemas.AdInsight{}
	return &s.free[0]
}

// take hands the insight next returned over to the caller.
func (s *insightSlab) take() { s.free = s.free[1:] }

// decode returns the record r holds. An insight on the insights topic is
// decoded into the slab; a record of another type there is decoded anew,
// for place to reject with its type.
func (c *consumer) decode(r *kgo.Record) (any, error) {
	if r.Topic != c.cfg.Topics.Insights {
		return c.deps.Codec.Decode(r.Value)
	}
	in := c.slab.next()
	err := c.deps.Codec.DecodeInto(r.Value, in)
	if errors.Is(err, schemas.ErrTypeMismatch) {
		return c.deps.Codec.Decode(r.Value)
	}
	if err != nil {
		return nil, err
	}
	c.slab.take()
	return in, nil
}

// storable checks a record against the store's rule for dates (through
// store.Days, which parses each distinct day once). The store refuses a day
// its Date columns cannot hold, and it would refuse it on every retry,
// stalling the partition: such a record is poison, not an outage.
func (c *consumer) storable(v any) error {
	switch rec := v.(type) {
	case *schemas.AdInsight:
		if _, _, err := c.days.ParseRange(rec.StartDate, rec.EndDate); err != nil {
			return fmt.Errorf("insight of ad %s: %w", rec.AdID, err)
		}
	case *schemas.SyncEvent:
		if _, _, err := c.days.ParseRange(rec.StartDate, rec.EndDate); err != nil {
			return fmt.Errorf("sync event of job %s: %w", rec.JobID, err)
		}
	}
	return nil
}
