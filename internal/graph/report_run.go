package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The async_status values of an AdReportRun, as the Marketing API writes them.
const (
	JobNotStarted = "Job Not Started"
	JobStarted    = "Job Started"
	JobRunning    = "Job Running"
	JobCompleted  = "Job Completed"
	JobFailed     = "Job Failed"
	JobSkipped    = "Job Skipped"
)

// ErrReportRun matches (errors.Is) every *ReportRunError.
var ErrReportRun = errors.New("insights report run did not complete")

// ReportRunError is a report run that yields no rows: the API ended it
// "Job Failed" or "Job Skipped", or it was still unfinished when
// Config.ReportTimeout passed. A smaller query (fewer days) may succeed
// where it failed; InsightsByReportRuns splits on it.
type ReportRunError struct {
	RunID        string
	AccountID    string // without "act_"
	Since, Until string
	Status       string // the last async_status seen
	Percent      int    // the last async_percent_completion seen
	TimedOut     bool   // still unfinished at the time limit
	Waited       time.Duration
	Message      string // error_message, which the API fills in for failed runs since v25.0
}

func (e *ReportRunError) Error() string {
	what := fmt.Sprintf("ended %q", e.Status)
	if e.TimedOut {
		what = fmt.Sprintf("not completed after %s (%q, %d%%)", e.Waited.Round(time.Millisecond), e.Status, e.Percent)
	}
	s := fmt.Sprintf("insights report run %s of act_%s %s..%s %s", e.RunID, e.AccountID, e.Since, e.Until, what)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is makes errors.Is(err, ErrReportRun) match.
func (e *ReportRunError) Is(target error) bool { return target == ErrReportRun }

// ReportRun is an asynchronous insights job (AdReportRun) and its status as
// last polled.
type ReportRun struct {
	ID      string
	Query   InsightsQuery
	Status  string // async_status; "" before the first poll
	Percent int    // async_percent_completion
	started time.Time
	message string
}

// StartReportRun asks the API to compute q as an asynchronous report run
// (POST act_{id}/insights) and returns the run; poll it with WaitReportRun.
// A transient failure is retried like any call: a run the API created
// before the answer was lost is merely abandoned.
func (c *Client) StartReportRun(ctx context.Context, tok Token, q InsightsQuery) (*ReportRun, error) {
	params, err := q.params()
	if err != nil {
		return nil, err
	}
	req := c.newRequest("act_"+q.account()+"/insights", params)
	req.method = http.MethodPost
	body, err := c.do(ctx, tok, req)
	if err != nil {
		return nil, fmt.Errorf("start report run act_%s %s..%s: %w", q.account(), q.Since, q.Until, err)
	}
	var v struct {
		ID string `json:"report_run_id"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
		return nil, fmt.Errorf("start report run act_%s %s..%s: no report_run_id in the answer", q.account(), q.Since, q.Until)
	}
	return &ReportRun{ID: v.ID, Query: q, started: c.now()}, nil
}

// PollReportRun reads the run's status once (GET /{report_run_id}) into run.
func (c *Client) PollReportRun(ctx context.Context, tok Token, run *ReportRun) error {
	var v struct {
		Status  string  `json:"async_status"`
		Percent flexNum `json:"async_percent_completion"`
		Message string  `json:"error_message"`
	}
	if err := c.Get(ctx, tok, run.ID, nil, &v); err != nil {
		return fmt.Errorf("report run %s: %w", run.ID, err)
	}
	run.Status, run.message = v.Status, v.Message
	if v.Percent != "" {
		if pct, err := strconv.Atoi(string(v.Percent)); err == nil {
			run.Percent = pct
		}
	}
	return nil
}

// WaitReportRun polls run until it completes, waiting Config.ReportPoll
// before the first poll and doubling the wait up to Config.ReportPollMax
// (polls count against the account's rate limits like any call, and are
// paced and retried like them). It returns a *ReportRunError when the run
// ends "Job Failed" or "Job Skipped", or is unfinished once
// Config.ReportTimeout has passed since it started. Cancelling ctx stops the
// wait at once; the run is then left to expire on the API's side. The waits
// between polls hold no call slot of ctx (WithCallSlot).
func (c *Client) WaitReportRun(ctx context.Context, tok Token, run *ReportRun) error {
	wait := c.cfg.ReportPoll
	for {
		if err := c.waitOutsideSlot(ctx, wait); err != nil {
			return fmt.Errorf("report run %s: %w", run.ID, err)
		}
		if err := c.PollReportRun(ctx, tok, run); err != nil {
			return err
		}
		switch run.Status {
		case JobCompleted:
			return nil
		case JobFailed, JobSkipped:
			return run.failure(false, c.now())
		}
		if c.now().Sub(run.started) >= c.cfg.ReportTimeout {
			return run.failure(true, c.now())
		}
		c.log.Debug("graph report run waiting", "run", run.ID, "status", run.Status, "percent", run.Percent)
		wait = min(2*wait, c.cfg.ReportPollMax)
	}
}

func (run *ReportRun) failure(timedOut bool, now time.Time) *ReportRunError {
	return &ReportRunError{
		RunID: run.ID, AccountID: run.Query.account(), Since: run.Query.Since, Until: run.Query.Until,
		Status: run.Status, Percent: run.Percent, TimedOut: timedOut, Waited: now.Sub(run.started), Message: run.message,
	}
}

// ReportRunResults returns a Pager over a completed run's rows
// (GET /{report_run_id}/insights), with the same page-size adaptation and
// retries as any edge. See Pages for ctx.
func (c *Client) ReportRunResults(_ context.Context, tok Token, run *ReportRun) *Pager {
	return c.pages(tok, "report run "+run.ID, run.ID+"/insights", nil)
}
