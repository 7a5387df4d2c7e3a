package graphsim

import (
	"strconv"
	"time"
)

// reportRun is an async insights job. Its result is the insights query
// evaluated at the simulated time the job was created, so paging it later
// gives a consistent snapshot even if the clock moves meanwhile.
type reportRun struct {
	id    string
	acct  int
	q     *insightsQuery
	at    time.Time
	polls int
	fail  bool
}

// maxReports bounds memory: the oldest runs are forgotten first.
const maxReports = 10_000

func (s *Server) report(id string) *reportRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reports[id]
}

// runID mints report run ids below the world's id range, so they never
// collide with ads, creatives or videos.
func (s *Server) runID(seq int64) string {
	return strconv.FormatInt(9_000_000_000_000_000+int64(h(uint64(s.opts.Seed), saltTrace, 99, 0)%1000)*1_000_000_000_000+seq, 10)
}

// startReport answers POST act_{id}/insights with a report_run_id.
func (s *Server) startReport(r *request, acct int) ([]byte, int, *graphError) {
	q, err := s.parseInsights(r, acct, nil)
	if err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	seq := s.nextRun
	s.nextRun++
	id := s.runID(seq)
	fail := s.faults.AsyncFailRate > 0 && s.rng.Float64() < s.faults.AsyncFailRate
	if n := s.faults.AsyncFailDays; n > 0 && q.rng.until-q.rng.since+1 > int64(n) {
		fail = true
	}
	s.reports[id] = &reportRun{id: id, acct: acct, q: q, at: r.now, fail: fail}
	if seq >= maxReports {
		delete(s.reports, s.runID(seq-maxReports))
	}
	s.mu.Unlock()
	var j jw
	j.obj()
	j.kstr("report_run_id", id)
	j.endObj()
	return j.b, 0, nil
}

// pollReport answers GET /{report_run_id}; each poll moves the job forward,
// so clients that poll in a loop see Job Running with growing percentages,
// then Job Completed (or Job Failed under the async fault).
func (s *Server) pollReport(r *request, run *reportRun) ([]byte, int, *graphError) {
	s.mu.Lock()
	run.polls++
	polls := run.polls
	s.mu.Unlock()
	status, pct := "Job Running", (polls-1)*100/s.opts.AsyncPolls
	done := polls >= s.opts.AsyncPolls
	switch {
	case done && run.fail:
		status = "Job Failed"
	case done:
		status, pct = "Job Completed", 100
	case polls == 1:
		status = "Job Started"
	}
	var j jw
	j.obj()
	j.kstr("id", run.id)
	j.kstr("account_id", s.w.accounts[run.acct].num)
	j.kstr("async_status", status)
	j.kint("async_percent_completion", int64(pct))
	j.kstr("date_start", dateString(run.q.rng.since))
	j.kstr("date_stop", dateString(run.q.rng.until))
	j.kint("time_ref", run.at.Unix())
	if done && !run.fail {
		j.kint("time_completed", run.at.Unix()+int64(polls))
	}
	j.key("is_running")
	j.boolean(!done)
	j.endObj()
	return j.b, 0, nil
}

// reportResult answers GET /{report_run_id}/insights.
func (s *Server) reportResult(r *request, run *reportRun) ([]byte, int, *graphError) {
	s.mu.Lock()
	done, fail := run.polls >= s.opts.AsyncPolls, run.fail
	s.mu.Unlock()
	if fail {
		return nil, 0, &graphError{status: 400, typ: "OAuthException", code: 2601, message: "(#2601) Error accessing adreportrun: the job failed"}
	}
	if !done {
		return nil, 0, errParam("Report %s is not complete yet; poll async_status until Job Completed", run.id)
	}
	snap := *r
	snap.now = run.at
	return s.insightsPage(&snap, run.q)
}
