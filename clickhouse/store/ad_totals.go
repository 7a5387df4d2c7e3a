package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Summing a brand's every stored day on each read of the video feed costs a
// scan of all of them (85 ms for 300,000 days, measured; seconds for a large
// brand). ad_totals holds each ad's sums as of one state of the brand's
// stored days, built once when that state changes (a sync's days were
// stored, a range deleted): the feed then reads a row per ad. Days a running
// sync has stored but not yet recorded in synced_days count from its end on.

// daysSignature identifies the state of a brand's stored days: the newest
// fetch and how many days are stored.
func (s *Store) daysSignature(ctx context.Context, brandID string) (string, error) {
	var sig string
	err := s.conn.QueryRow(ctx, "SELECT concat(toString(max(fetched_at)), '/', toString(uniqExact(date))) FROM "+
		s.table("synced_days")+" WHERE brand_id = ?", brandID).Scan(&sig)
	if err != nil {
		return "", fmt.Errorf("stored days of %s: %w", brandID, err)
	}
	return sig, nil
}

// currentTotals returns the build of the brand's ad totals that matches its
// stored days, building it first when there is none. Two readers may both
// build one; each reads a complete build, and the extra one merges away.
func (s *Store) currentTotals(ctx context.Context, brandID string) (uint64, error) {
	sig, err := s.daysSignature(ctx, brandID)
	if err != nil {
		return 0, err
	}
	var built uint64
	err = s.conn.QueryRow(ctx, "SELECT max(built) FROM "+s.table("ad_totals")+" WHERE brand_id = ? AND ad_id = '' AND days_signature = ?",
		brandID, sig).Scan(&built)
	if err != nil {
		return 0, fmt.Errorf("ad totals of %s: %w", brandID, err)
	}
	if built != 0 {
		return built, nil
	}
	built = uint64(time.Now().UnixNano())
	v := strconv.FormatUint(built, 10)
	err = s.conn.Exec(ctx, "INSERT INTO "+s.table("ad_totals")+" (brand_id, ad_id, built, days_signature, "+metricColumns+
		", days, first_day, last_day) SELECT brand_id, ad_id, toUInt64("+v+"), ?, "+metricSums+", count(), min(date), max(date) FROM "+
		s.table("ad_days")+" FINAL WHERE brand_id = ? GROUP BY brand_id, ad_id", sig, brandID)
	if err != nil {
		return 0, fmt.Errorf("build ad totals of %s: %w", brandID, err)
	}
	// The marker goes in after the build's rows, so a reader that finds it
	// finds them all.
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("ad_totals")+" (brand_id, ad_id, built, days_signature, first_day, last_day)")
	if err != nil {
		return 0, fmt.Errorf("prepare ad totals marker: %w", err)
	}
	if err := batch.Append(brandID, "", built, sig, FirstDay, FirstDay); err != nil {
		batch.Abort()
		return 0, fmt.Errorf("ad totals marker of %s: %w", brandID, err)
	}
	if err := batch.Send(); err != nil {
		return 0, fmt.Errorf("ad totals marker of %s: %w", brandID, err)
	}
	return built, nil
}
