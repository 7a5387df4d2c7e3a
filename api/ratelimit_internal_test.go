package api

import (
	"fmt"
	"testing"
	"time"
)

func TestWindowsResetAndForget(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	w := newWindows(2, time.Minute, func() time.Time { return now })
	type step struct {
		advance       time.Duration
		client        string
		wantAllowed   bool
		wantRemaining int
		wantReset     time.Duration
	}
	steps := []step{
		{0, "a", true, 1, time.Minute},
		{10 * time.Second, "a", true, 0, 50 * time.Second},
		{10 * time.Second, "a", false, 0, 40 * time.Second},
		{0, "b", true, 1, time.Minute}, // b has its own window
		{39 * time.Second, "a", false, 0, time.Second},
		{time.Second, "a", true, 1, time.Minute}, // a's window ended: a new one
		{0, "b", true, 0, 20 * time.Second},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		allowed, remaining, reset := w.take(s.client)
		if allowed != s.wantAllowed || remaining != s.wantRemaining || reset != s.wantReset {
			t.Fatalf("step %d (%s): take = %v, %d, %s; want %v, %d, %s", i+1, s.client, allowed, remaining, reset, s.wantAllowed, s.wantRemaining, s.wantReset)
		}
	}
	// Callers of past windows are forgotten: memory follows the live ones.
	for i := range 100 {
		w.take(fmt.Sprint("ip:", i))
	}
	now = now.Add(2 * time.Minute)
	w.take("c")
	if n := len(w.byClient); n != 1 {
		t.Fatalf("%d windows kept after they all expired, want 1 (the new caller)", n)
	}
}
