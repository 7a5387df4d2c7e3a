package store

import (
	"errors"
	"fmt"
	"time"
)

// FirstDay and LastDay bound the days the store writes and reads faithfully.
// A Date column is UInt16 days since 1970-01-01, and the driver wraps any
// other day modulo 65,536 days without an error: 2200-01-01 is written as
// 2020-07-27 and 1969-12-31 as 2149-06-06, silently landing in (and
// overwriting) another range. ClickHouse 18.16 is narrower still (measured
// on 18.16.1): toDate('…') turns every day after 2105-12-31 into day 0, so a
// query for such a range would match 1970-01-01's rows, and toString prints
// day 0 as 0000-00-00, so 1970-01-01 would not read back as a date. A current
// ClickHouse holds up to 2149-06-06, but the store keeps to what both hold.
var (
	FirstDay = time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)
	LastDay  = time.Date(2105, 12, 31, 0, 0, 0, 0, time.UTC)
)

// ErrBadDate is wrapped by every error about a day the store refuses: not
// YYYY-MM-DD, or outside FirstDay..LastDay. No retry can make such a day valid.
var ErrBadDate = errors.New("bad date")

// ParseDay parses a YYYY-MM-DD day for a Date column, refusing a day the
// column cannot hold. Every write of a Date and every range a query binds
// goes through it, so no day is ever wrapped into another.
func ParseDay(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	switch {
	case err != nil:
		return time.Time{}, fmt.Errorf("%w %q: not a day in the form YYYY-MM-DD", ErrBadDate, s)
	case t.Before(FirstDay):
		return time.Time{}, fmt.Errorf("%w %s: before %s, the first day the store holds", ErrBadDate, s, FirstDay.Format(time.DateOnly))
	case t.After(LastDay):
		return time.Time{}, fmt.Errorf("%w %s: after %s, the last day the store holds", ErrBadDate, s, LastDay.Format(time.DateOnly))
	}
	return t, nil
}

// ParseRange parses both days of a range with ParseDay.
func ParseRange(start, end string) (time.Time, time.Time, error) {
	s, err := ParseDay(start)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	e, err := ParseDay(end)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return s, e, nil
}

// Days parses days with ParseDay, each distinct day once: a batch holds a
// few days of many rows, and parsing every row's day cost the consumer as
// much as decoding the row. Its zero value is ready. It forgets what it parsed past maxParsedDays,
// so a long-lived Days stays small. Not safe for concurrent use.
type Days struct{ parsed map[string]time.Time }

// maxParsedDays bounds what a Days remembers.
const maxParsedDays = 4096

// Parse is ParseDay(s).
func (d *Days) Parse(s string) (time.Time, error) {
	if t, ok := d.parsed[s]; ok {
		return t, nil
	}
	t, err := ParseDay(s)
	if err != nil {
		return time.Time{}, err
	}
	if d.parsed == nil || len(d.parsed) >= maxParsedDays {
		d.parsed = map[string]time.Time{}
	}
	d.parsed[s] = t
	return t, nil
}

// ParseRange is ParseRange(start, end).
func (d *Days) ParseRange(start, end string) (time.Time, time.Time, error) {
	s, err := d.Parse(start)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	e, err := d.Parse(end)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return s, e, nil
}

// rangeWhere selects one brand and range; rangeArgs binds it.
const rangeWhere = "brand_id = ? AND start_date = toDate(?) AND end_date = toDate(?)"

// rangeArgs returns the values rangeWhere binds, or the ParseDay error of a
// day the store cannot hold: toDate of such a day would select another range.
func rangeArgs(r Range) ([]any, error) {
	if _, _, err := ParseRange(r.StartDate, r.EndDate); err != nil {
		return nil, fmt.Errorf("range of %s: %w", r.BrandID, err)
	}
	return []any{r.BrandID, r.StartDate, r.EndDate}, nil
}
