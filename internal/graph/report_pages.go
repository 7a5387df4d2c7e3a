package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// PageSource is what a caller pages insights rows from: the synchronous
// edge's Pager or the report runs of ReportPages.
type PageSource interface {
	// Next returns the next page's rows; nil, nil and Done once all are read.
	Next(ctx context.Context) ([]json.RawMessage, error)
	Done() bool
	Page() int // pages returned so far
}

var (
	_ PageSource = (*Pager)(nil)
	_ PageSource = (*ReportPages)(nil)
)

// ReportPages computes an insights query as report runs and pages their
// rows. A run that fails or times out (*ReportRunError) is replaced by two
// runs over the halves of its date range, down to single days; a single day
// that still fails ends the paging with its error. Rows are only read from
// completed runs, so none is returned twice. Not safe for concurrent use; a
// failed Next can be called again and resumes where it stopped.
type ReportPages struct {
	c       *Client
	tok     Token
	pending []InsightsQuery // ranges still to run, in date order
	cur     *Pager          // the completed run being paged
	page    int
	runs    int // runs started
	splits  int // failed runs replaced by their halves
	err     error
}

// InsightsByReportRuns returns ReportPages over q; it sends nothing until Next.
func (c *Client) InsightsByReportRuns(tok Token, q InsightsQuery) *ReportPages {
	p := &ReportPages{c: c, tok: tok, pending: []InsightsQuery{q}}
	if _, err := q.params(); err != nil {
		p.err = err
	}
	return p
}

// Next returns the next page of rows. It starts and waits for the next run
// when the current one is read; a page may be empty without being the last.
// Cancelling ctx stops the call or the wait at once.
func (p *ReportPages) Next(ctx context.Context) ([]json.RawMessage, error) {
	if p.err != nil {
		return nil, p.err
	}
	for p.cur == nil || p.cur.Done() {
		if len(p.pending) == 0 {
			return nil, nil
		}
		if err := p.runNext(ctx); err != nil {
			return nil, err
		}
	}
	rows, err := p.cur.Next(ctx)
	if err != nil {
		return nil, err
	}
	p.page++
	return rows, nil
}

// runNext runs the first pending range to completion and makes its results
// the current pager, or splits it when the run fails.
func (p *ReportPages) runNext(ctx context.Context) error {
	q := p.pending[0]
	run, err := p.c.StartReportRun(ctx, p.tok, q)
	if err != nil {
		return err
	}
	p.runs++
	err = p.c.WaitReportRun(ctx, p.tok, run)
	var rre *ReportRunError
	switch {
	case errors.As(err, &rre):
		a, b, ok := q.halves()
		if !ok {
			return fmt.Errorf("a single day cannot be split further: %w", err)
		}
		p.c.log.Info("graph report run split", "run", run.ID, "status", rre.Status, "timed_out", rre.TimedOut,
			"since", q.Since, "until", q.Until, "first_until", a.Until)
		p.pending = append([]InsightsQuery{a, b}, p.pending[1:]...)
		p.splits++
		return nil
	case err != nil:
		return err
	}
	p.pending = p.pending[1:]
	p.cur = p.c.ReportRunResults(ctx, p.tok, run)
	return nil
}

// Done reports whether every run's last page has been returned.
func (p *ReportPages) Done() bool {
	return len(p.pending) == 0 && p.cur != nil && p.cur.Done()
}

// Page is how many pages Next has returned.
func (p *ReportPages) Page() int { return p.page }

// Runs is how many report runs were started, failed ones included.
func (p *ReportPages) Runs() int { return p.runs }

// Splits is how many failed or timed-out runs were replaced by their halves.
func (p *ReportPages) Splits() int { return p.splits }

// DefaultReportRunRows is the default of Config.ReportRunRows: a daily
// query estimated above 100,000 rows (a 7-day chunk of an account with more
// than ~14,000 ads with data) goes through report runs. A run costs its
// start and its polls beyond the result pages both ways share, and its poll
// waits; BenchmarkDailyChunk (graphsim, 100 ms a call, default poll waits
// 1+2+4 s, completion on the third poll) measured 7-day chunks:
//
//	ads     rows    synchronous      report run
//	300     1,174   3 calls  0.7 s   7 calls   8.1 s
//	3,000   11,373  23 calls 7.6 s   27 calls 12.9 s
//	10,000  38,669  78 calls 24.6 s  82 calls 31.0 s
//
// Runs never save calls or time against graphsim, whose synchronous edge
// never refuses a large query; they pay where the real API times out or
// refuses one, which grows with the rows asked for, and a failed run is
// split by days and retried instead of failing the job. At 20,000 rows the
// 60-day sync of 10,000 ads (BenchmarkSync, 100 ms a call, same machine and
// hour) took 34.0 s with 870 calls; at 100,000 it took 20.3 s with 834: the
// poll waits of its nine chunks' runs were most of the difference, so runs
// are kept for the chunks big enough to risk the synchronous edge's limits.
const DefaultReportRunRows = 100_000

// DailyInsights pages one row per ad and day of act_{accountID} over
// since..until (every InsightFields field). ads is the caller's estimate of
// the account's ads with data in the range: when ads × days exceeds
// Config.ReportRunRows the rows come from report runs (ReportPages, split
// on failure), otherwise from the synchronous edge. See Pages for ctx.
func (c *Client) DailyInsights(_ context.Context, tok Token, accountID, since, until string, ads int) PageSource {
	q := InsightsQuery{AccountID: accountID, Since: since, Until: until, Daily: true}
	if limit := c.cfg.ReportRunRows; limit >= 0 && ads*q.days() > limit {
		return c.InsightsByReportRuns(tok, q)
	}
	return c.insightsPager(tok, q)
}
