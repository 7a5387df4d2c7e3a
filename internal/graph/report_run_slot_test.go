package graph

import (
	"context"
	"testing"

	"github.com/adstream/adstream/internal/graphsim"
)

// slotLog is a CallSlot that records how it was handed back and taken.
type slotLog struct {
	held            bool
	releases, takes int
	releasedUnheld  bool
}

func (s *slotLog) Release() {
	s.releasedUnheld = s.releasedUnheld || !s.held
	s.held = false
	s.releases++
}

func (s *slotLog) Acquire(context.Context) error {
	s.held = true
	s.takes++
	return nil
}

// A report run's waits between polls hold no call slot, and the run makes
// the same calls with a slot as without one.
func TestReportRunWaitsOutsideTheCallSlot(t *testing.T) {
	const polls = 4
	read := func(slot *slotLog) (rows, calls int) {
		s := newSimClient(t, graphsim.Options{Ads: 30, AsyncPolls: polls}, nil)
		ctx := t.Context()
		if slot != nil {
			ctx = WithCallSlot(ctx, slot)
		}
		src := s.c.InsightsByReportRuns(s.tok, InsightsQuery{AccountID: s.acct, Since: weekSince, Until: weekUntil, Daily: true})
		for !src.Done() {
			page, err := src.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			rows += len(page)
		}
		return rows, s.calls("insights") + s.calls("object")
	}
	wantRows, wantCalls := read(nil)
	if wantRows == 0 || wantCalls < polls {
		t.Fatalf("without a slot: %d rows in %d calls; the comparison would prove nothing", wantRows, wantCalls)
	}
	slot := &slotLog{held: true}
	rows, calls := read(slot)
	if rows != wantRows || calls != wantCalls {
		t.Errorf("with a call slot: %d rows in %d calls; without: %d rows in %d calls", rows, calls, wantRows, wantCalls)
	}
	if slot.releases != polls || slot.takes != polls || !slot.held || slot.releasedUnheld {
		t.Errorf("the slot was handed back %d times and taken %d times (held at the end %v, released unheld %v); want %d each, held",
			slot.releases, slot.takes, slot.held, slot.releasedUnheld, polls)
	}
}
