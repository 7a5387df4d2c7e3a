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

// DeleteRange deletes a brand's range: its days (ad_days and their
// versions, synced_days) and everything derived from them — the rows,
// aggregations and sync history of every range that overlaps it — and
// returns how many creatives (distinct ads) the range held. Without their
// history the refresh scheduler no longer brings the ranges back; a
// tombstone event stays for each, so job ids are never reused. The ads table is kept: an ad may have other days. Deletes are
// ClickHouse mutations, which run in the background; DeleteRange waits until
// they are done (at most deleteWait, then ErrMutationPending), so a read
// after it returns sees nothing of the range and an on-demand aggregation
// cannot be rebuilt from rows about to vanish.
func (s *Store) DeleteRange(ctx context.Context, r Range) (int64, error) {
	if _, _, err := ParseRange(r.StartDate, r.EndDate); err != nil {
		return 0, err
	}
	n, err := s.CountCreatives(ctx, r, nil)
	if err != nil {
		return 0, err
	}
	overlap := []any{r.BrandID, r.EndDate, r.StartDate}
	days := []any{r.BrandID, r.StartDate, r.EndDate}
	return n, s.purge(ctx, r.BrandID, "brand_id = ? AND start_date <= toDate(?) AND end_date >= toDate(?)", overlap, []purgeOf{
		{"ad_insights", "brand_id = ? AND start_date <= toDate(?) AND end_date >= toDate(?)", overlap},
		{"creative_aggregations", "brand_id = ? AND start_date <= toDate(?) AND end_date >= toDate(?)", overlap},
		{"sync_events", "brand_id = ? AND start_date <= toDate(?) AND end_date >= toDate(?)", overlap},
		{"range_snapshots", "brand_id = ? AND start_date <= toDate(?) AND end_date >= toDate(?)", overlap},
		{snapshotTable, "brand_id = ? AND start_date <= toDate(?) AND end_date >= toDate(?)", overlap},
		{"ad_days", dayWhere, days},
		{"ad_day_versions", dayWhere, days},
		{"synced_days", dayWhere, days},
		{"type_daily", dayWhere, days},
	}, []Range{r})
}

// PurgeBrand deletes every stored row of a brand: ads, days, ranges,
// aggregations, video analyses, refreshed media URLs and sync history
// (leaving tombstones), like DeleteRange.
func (s *Store) PurgeBrand(ctx context.Context, brandID string) error {
	brand := []any{brandID}
	var of []purgeOf
	for _, t := range []string{"ads", "ad_insights", "creative_aggregations", "ad_days", "ad_day_versions", "synced_days", "type_daily", "range_snapshots", snapshotTable, "sync_events",
		"video_analyses", "media_urls", "ad_totals"} {
		of = append(of, purgeOf{t, "brand_id = ?", brand})
	}
	return s.purge(ctx, brandID, "brand_id = ?", brand, of, nil)
}

// purgeOf is one table's delete.
type purgeOf struct {
	table, where string
	args         []any
}

// purge runs the deletes, waits for them, and leaves a tombstone for every
// range whose history (selected by historyWhere) they removed, and for also.
func (s *Store) purge(ctx context.Context, brandID, historyWhere string, historyArgs []any, of []purgeOf, also []Range) error {
	ranges, err := s.rangesWithHistory(ctx, brandID, historyWhere, historyArgs)
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(of))
	for _, p := range of {
		// Values are bound (escaped by the driver), never spliced.
		if err := s.conn.Exec(ctx, "ALTER TABLE "+s.table(p.table)+" DELETE WHERE "+p.where, p.args...); err != nil {
			return fmt.Errorf("delete %s of %s: %w", p.table, brandID, err)
		}
		tables = append(tables, p.table)
	}
	waitErr := s.waitMutations(ctx, deleteWait, tables...)
	// No view sees a mutation, and a range without history of its own
	// (derived from the deleted days) gets no tombstone: the brand's stamp
	// says the answers changed. Also when the mutations are still running:
	// an answer read meanwhile may then be kept until the brand's next write.
	if err := s.bumpBrandStamp(ctx, brandID); err != nil {
		return err
	}
	if waitErr != nil {
		return waitErr
	}
	at := time.Now().UTC()
	for _, r := range append(ranges, also...) {
		if err := s.recordDeleted(ctx, r, at); err != nil {
			return fmt.Errorf("record delete of %s: %w", brandID, err)
		}
	}
	return nil
}

// rangesWithHistory lists the ranges with sync events that where selects.
func (s *Store) rangesWithHistory(ctx context.Context, brandID, where string, args []any) ([]Range, error) {
	rows, err := s.conn.Query(ctx, "SELECT DISTINCT toString(start_date), toString(end_date) FROM "+s.table("sync_events")+
		" WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("ranges of %s: %w", brandID, err)
	}
	defer rows.Close()
	var out []Range
	for rows.Next() {
		r := Range{BrandID: brandID}
		if err := rows.Scan(&r.StartDate, &r.EndDate); err != nil {
			return nil, fmt.Errorf("scan range: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
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
