package jobs

import (
	"sync"
	"time"
)

// Clock stamps a job's events with a strictly increasing sequence (Unix
// nanoseconds, bumped by one when the wall clock has not moved), so their
// order never depends on the clock's resolution or on the millisecond
// timestamps that events carry. It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	last int64
}

// Next returns a value greater than every earlier one of this Clock.
func (c *Clock) Next() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = max(time.Now().UnixNano(), c.last+1)
	return c.last
}
