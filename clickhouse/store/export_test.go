package store

import "context"

// MaterializeRangeInRuns is MaterializeRange reading the range's days in at
// most runs runs, for the benchmark that compares one run with several.
func (s *Store) MaterializeRangeInRuns(ctx context.Context, r Range, runs int) error {
	return s.materializeRange(ctx, r, runs)
}
