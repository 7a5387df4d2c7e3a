package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrMutationPending is returned when a delete was accepted by ClickHouse
// but had not finished rewriting its parts within the wait.
var ErrMutationPending = errors.New("delete accepted but still running")

// deleteWait bounds how long DeleteRange waits for its mutations.
const deleteWait = 30 * time.Second

// DeleteRange deletes the insights, aggregations and sync history of a brand
// and range and returns how many creatives (distinct ads) the range held.
// Without its sync history the refresh scheduler no longer brings the range
// back; a tombstone event stays, so job ids are never reused. The ads table is kept: an ad may belong to other ranges. Deletes are ClickHouse mutations,
// which run in the background; DeleteRange waits until they are done (at most
// deleteWait, then ErrMutationPending), so a read after it returns sees
// nothing of the range and an on-demand aggregation cannot be rebuilt from
// rows about to vanish.
func (s *Store) DeleteRange(ctx context.Context, r Range) (int64, error) {
	args, err := rangeArgs(r)
	if err != nil {
		return 0, err
	}
	n, err := s.CountCreatives(ctx, r, nil)
	if err != nil {
		return 0, err
	}
	tables := []string{"ad_insights", "creative_aggregations", "sync_events"}
	for _, t := range tables {
		// Values are bound (escaped by the driver), never spliced.
		if err := s.conn.Exec(ctx, "ALTER TABLE "+s.table(t)+" DELETE WHERE "+rangeWhere, args...); err != nil {
			return 0, fmt.Errorf("delete %s of %s: %w", t, r.BrandID, err)
		}
	}
	if err := s.waitMutations(ctx, deleteWait, tables...); err != nil {
		return 0, err
	}
	if err := s.recordDeleted(ctx, r, time.Now().UTC()); err != nil {
		return 0, fmt.Errorf("record delete of %s: %w", r.BrandID, err)
	}
	return n, nil
}

// waitMutations polls system.mutations until no mutation of the tables is
// still running.
func (s *Store) waitMutations(ctx context.Context, limit time.Duration, tables ...string) error {
	deadline := time.Now().Add(limit)
	wait := 5 * time.Millisecond
	for {
		var running uint64
		err := s.conn.QueryRow(ctx, "SELECT count() FROM system.mutations WHERE database = ? AND has(?, table) AND is_done = 0",
			s.db, tables).Scan(&running)
		if err != nil {
			return fmt.Errorf("mutations of %s: %w", s.db, err)
		}
		if running == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %d mutations after %s", ErrMutationPending, running, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 200*time.Millisecond)
	}
}
