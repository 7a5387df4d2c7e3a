package store

import (
	"context"
	"fmt"
	"time"
)

// ReadVersion is what a read of a range's creatives or aggregations depends
// on, taken in one round trip: equal versions promise equal answers, so a
// read cache may serve an answer for as long as the version it was read at
// is the current one. Every part only grows or changes when the range's data,
// its sync jobs, the brand or its refreshed media URLs do.
type ReadVersion struct {
	// Days is how many days of the range are stored, DaysFetched when the
	// newest of them was fetched (Unix nanoseconds).
	Days, DaysFetched uint64
	// Rebuild is the range's newest rebuild (0: none).
	Rebuild uint64
	// Events and EventsAt count the range's sync events and give the newest
	// one's time: any new state of any of its jobs changes them.
	Events   uint64
	EventsAt int64
	// Brand is the brand's registration (rows, newest version); Media the
	// media URLs refreshed for the brand (rows, newest fetch).
	Brand, BrandAt, Media, MediaAt uint64
}

// Covered says whether every day of r is stored.
func (v ReadVersion) Covered(r Range) bool {
	start, end, err := ParseRange(r.StartDate, r.EndDate)
	return err == nil && v.Days == uint64(end.Sub(start)/(24*time.Hour))+1
}

// Derived says whether the range's newest rebuild is at least as new as its
// newest stored day: what EnsureRange would otherwise derive.
func (v ReadVersion) Derived() bool { return v.Rebuild != 0 && v.Rebuild >= v.DaysFetched }

// ReadStamp says whether anything an answer of a range depends on changed:
// equal stamps promise equal answers. Writes counts the writes that can
// change an answer of the range (its sync events and rebuilds, its brand's
// registration, stored days and refreshed media URLs) as the range_stamps
// table's views keep it on every insert, and deletes once their mutations
// are done; the count only grows, and a reader that sees it grow sees the
// rows written with it. Rebuild is the range's newest rebuild as the same
// views saw it written to creative_aggregations: on a replicated cluster
// range_stamps' rows may reach a replica before the rebuild's, so a reader
// keeps an answer under a stamp only when the answer was read from the
// stamp's rebuild (an answer read in between, of the old rebuild, is served
// but not kept). It is one lookup of one table by its primary key, where
// ReadVersion reads five tables.
type ReadStamp struct {
	Writes, Rebuild uint64
}

// ReadStamp reads r's read stamp.
func (s *Store) ReadStamp(ctx context.Context, r Range) (ReadStamp, error) {
	args, err := rangeArgs(r)
	if err != nil {
		return ReadStamp{}, err
	}
	// The days are compared as the strings rangeArgs checked, not through
	// toDate: 18.16 analyses each function call of a query, and this one
	// is read on every cached read (some 10 % of it: BenchmarkReadStamp).
	var st ReadStamp
	err = s.conn.QueryRow(ctx, "SELECT sum(writes), max(rebuild) FROM "+s.table("range_stamps")+
		" WHERE brand_id = ? AND (start_date = ? AND end_date = ? OR start_date = '1970-01-01')", args...).
		Scan(&st.Writes, &st.Rebuild)
	if err != nil {
		return ReadStamp{}, fmt.Errorf("read stamp of %s: %w", r.BrandID, err)
	}
	return st, nil
}

// bumpBrandStamp adds a write to the brand's read stamp: what a delete does
// once its mutations are done, which no view sees. read_stamps, the stamps
// of replicas not yet upgraded to range_stamps, gets it too.
func (s *Store) bumpBrandStamp(ctx context.Context, brandID string) error {
	err := s.conn.Exec(ctx, "INSERT INTO "+s.table("range_stamps")+" (brand_id, start_date, end_date, rebuild, writes)"+
		" SELECT ?, toDate(0), toDate(0), toUInt64(0), toUInt64(1)", brandID)
	if err == nil {
		err = s.conn.Exec(ctx, "INSERT INTO "+s.table("read_stamps")+" (brand_id, start_date, end_date, writes)"+
			" SELECT ?, toDate(0), toDate(0), toUInt64(1)", brandID)
	}
	if err != nil {
		return fmt.Errorf("read stamp of %s: %w", brandID, err)
	}
	return nil
}

// ReadVersion reads r's version. Each part is a lookup by its table's primary
// key prefix.
func (s *Store) ReadVersion(ctx context.Context, r Range) (ReadVersion, error) {
	args, err := rangeArgs(r)
	if err != nil {
		return ReadVersion{}, err
	}
	// One subquery a table, each an array of its parts: a subquery costs
	// about a millisecond on a busy ClickHouse 18.16, nine of them 10 ms.
	var days, events, brand, media []uint64
	var v ReadVersion
	err = s.conn.QueryRow(ctx, "SELECT"+
		" (SELECT [toUInt64(uniqExact(date)), max(fetched_at)] FROM "+s.table("synced_days")+" WHERE "+dayWhere+"),"+
		" (SELECT max(rebuild_version) FROM "+s.table("creative_aggregations")+" WHERE "+rangeWhere+"),"+
		" (SELECT [count(), toUInt64(max(at_nanos))] FROM "+s.table("sync_events")+" WHERE "+rangeWhere+"),"+
		" (SELECT [count(), max(version)] FROM "+s.table("brands")+" WHERE brand_id = ?),"+
		" (SELECT [count(), toUInt64(max(fetched_at))] FROM "+s.table("media_urls")+" WHERE brand_id = ?)",
		append(append(append(append([]any{}, args...), args...), args...), r.BrandID, r.BrandID)...).
		Scan(&days, &v.Rebuild, &events, &brand, &media)
	if err != nil {
		return ReadVersion{}, fmt.Errorf("read version of %s: %w", r.BrandID, err)
	}
	if len(days) != 2 || len(events) != 2 || len(brand) != 2 || len(media) != 2 {
		return ReadVersion{}, fmt.Errorf("read version of %s: parts of %d, %d, %d, %d values", r.BrandID, len(days), len(events), len(brand), len(media))
	}
	v.Days, v.DaysFetched = days[0], days[1]
	v.Events, v.EventsAt = events[0], int64(events[1])
	v.Brand, v.BrandAt, v.Media, v.MediaAt = brand[0], brand[1], media[0], media[1]
	return v, nil
}
