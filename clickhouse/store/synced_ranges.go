package store

import (
	"context"
	"fmt"
	"time"
)

// SyncedRanges lists the brand ranges with a sync completed since the given
// time: what the scheduler keeps fresh.
func (s *Store) SyncedRanges(ctx context.Context, since time.Time) ([]Range, error) {
	rows, err := s.conn.Query(ctx, "SELECT brand_id, toString(start_date), toString(end_date) FROM "+s.table("sync_events")+
		" WHERE status = ? AND at >= ? GROUP BY brand_id, start_date, end_date ORDER BY brand_id, start_date, end_date",
		StatusCompleted, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("synced ranges: %w", err)
	}
	defer rows.Close()
	var out []Range
	for rows.Next() {
		var r Range
		if err := rows.Scan(&r.BrandID, &r.StartDate, &r.EndDate); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
