package main

import (
	"fmt"
	"io"
	"time"
)

// recovery is one line of the suite's table.
type recovery struct {
	scenario, fault string
	away            time.Duration // how long the role or server was gone
	recovered       time.Duration // from its return to the first progress; < 0: none to measure
	job             time.Duration // from the sync request to the job's completion
	note            string
	passed          bool
}

// print writes the suite's table (Markdown, as the README shows it).
func (c *chaos) print(w io.Writer, took time.Duration) {
	fmt.Fprintf(w, "\nchaos suite: %d scenarios in %s\n\n", len(c.rows), took.Round(time.Second))
	fmt.Fprintln(w, "| fault | what was done | away | back → first progress | job took | checks | notes |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---|---|")
	for _, r := range c.rows {
		away, checks := "—", "failed"
		if r.away > 0 {
			away = secs(r.away)
		}
		if r.passed {
			checks = "passed"
		}
		recovered := "—"
		if r.recovered >= 0 {
			recovered = secs(r.recovered)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", r.scenario, r.fault, away, recovered, secs(r.job), checks, r.note)
	}
	fmt.Fprintln(w)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
