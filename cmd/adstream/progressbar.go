package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
)

// progressView shows a sync job's progress on w. On a terminal it is one
// bar line redrawn in place with \r; elsewhere (CI logs, pipes), where \r
// would pile up, it is one plain line per change of status or percentage.
// It is not safe for concurrent use.
type progressView struct {
	w   io.Writer
	tty bool
	now func() time.Time

	line      string // the bar line on screen (tty), "" when none
	lastPlain string // the status and percentage of the last plain line
}

func newProgressView(w io.Writer) *progressView {
	return &progressView{w: w, tty: isTerminal(w), now: time.Now}
}

// isTerminal says whether w is a terminal, where a bar can be redrawn.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// show draws st, unless it would look the same as what is shown.
func (v *progressView) show(st syncStatus) {
	now := v.now()
	if !v.tty {
		key := st.Status + " " + strconv.Itoa(st.percent())
		if key != v.lastPlain {
			v.lastPlain = key
			fmt.Fprintln(v.w, plainLine(st, now))
		}
		return
	}
	line := barLine(st, now)
	if line == v.line {
		return
	}
	// Spaces wipe what is left of a longer previous line.
	pad := max(0, len(v.line)-len(line))
	fmt.Fprint(v.w, "\r"+line+strings.Repeat(" ", pad))
	v.line = line
}

// endLine moves below the bar, so that what is printed next starts on a
// line of its own.
func (v *progressView) endLine() {
	if v.tty && v.line != "" {
		fmt.Fprintln(v.w)
		v.line = ""
	}
}

// notice prints a line of its own between progress updates.
func (v *progressView) notice(msg string) {
	v.endLine()
	fmt.Fprintln(v.w, msg)
}

const barWidth = 20

// barLine is the terminal's line:
// [#########...........]  45%  4,512/10,000 ads  ETA 0:12
// with the status named unless it is processing, and the ETA only while
// the API estimates one.
func barLine(st syncStatus, now time.Time) string {
	pct := st.percent()
	filled := pct * barWidth / 100
	parts := []string{fmt.Sprintf("[%s%s] %3d%%", strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), pct)}
	if st.Status != statusProcessing {
		parts = append(parts, st.Status)
	}
	return strings.Join(append(parts, st.details(now)...), "  ")
}

// plainLine is the line of one change outside a terminal:
// processing 45%  4,512/10,000 ads  ETA 0:12
func plainLine(st syncStatus, now time.Time) string {
	return strings.Join(append([]string{fmt.Sprintf("%s %d%%", st.Status, st.percent())}, st.details(now)...), "  ")
}

// details are the ads done and the time left, each when known.
func (s syncStatus) details(now time.Time) []string {
	var out []string
	p := s.Progress
	switch {
	case p.TotalAds > 0:
		out = append(out, groupThousands(p.ProcessedAds)+"/"+groupThousands(p.TotalAds)+" ads")
	case p.ProcessedAds > 0:
		out = append(out, groupThousands(p.ProcessedAds)+" ads")
	}
	// An estimate already past says nothing about the time left.
	if eta, ok := parseTime(s.EstimatedCompletion); ok && !s.ended() && !eta.Before(now) {
		out = append(out, "ETA "+clock(eta.Sub(now)))
	}
	return out
}

// percent is the whole percentage done, rounded down so that 100 means done.
func (s syncStatus) percent() int {
	if s.Status == statusCompleted {
		return 100
	}
	return int(math.Floor(min(100, max(0, s.Progress.Percentage))))
}

// summary is the closing line of a completed job: totals and elapsed time.
// The time is the API's, from queueing to completion, when it gave both
// ends; else since since.
func (s syncStatus) summary(since, now time.Time) string {
	elapsed := now.Sub(since)
	created, ok1 := parseTime(s.CreatedAt)
	completed, ok2 := parseTime(s.CompletedAt)
	if ok1 && ok2 {
		elapsed = completed.Sub(created)
	}
	ads := groupThousands(s.Progress.ProcessedAds)
	if s.Progress.TotalAds > s.Progress.ProcessedAds {
		ads += "/" + groupThousands(s.Progress.TotalAds)
	}
	return fmt.Sprintf("completed: %s ads in %s", ads, clock(elapsed))
}

func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// clock formats a duration as m:ss or h:mm:ss, never negative.
func clock(d time.Duration) string {
	secs := int64(max(0, d.Round(time.Second)) / time.Second)
	if secs >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	}
	return fmt.Sprintf("%d:%02d", secs/60, secs%60)
}

// groupThousands writes n with commas: 10000 → 10,000.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
