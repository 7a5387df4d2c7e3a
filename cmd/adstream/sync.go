package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/adstream/adstream/internal/config"
)

// Exit codes of `adstream sync` beyond 0 (done) and 1 (usage or settings).
const (
	exitAPIError    exitCode = 2   // the API refused the request or could not be reached
	exitJobFailed   exitCode = 3   // the job ended failed
	exitInterrupted exitCode = 130 // Ctrl-C stopped the waiting; the job goes on
)

const syncNotes = `Exit codes:
  0    the job was queued (without --wait) or completed
  1    bad flags or settings
  2    the API refused the request or could not be reached
  3    the job failed (the error code and message are printed)
  130  Ctrl-C stopped the waiting; the job goes on in the API
`

func syncCommand() command {
	var brand, start, end, kind string
	var wait, follow bool
	return command{summary: "start a sync of a brand's date range through the REST API; --wait shows its progress",
		notes: syncNotes,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&brand, "brand", "", "brand id (required)")
			fs.StringVar(&start, "start", "", "first day, YYYY-MM-DD (required)")
			fs.StringVar(&end, "end", "", "last day, YYYY-MM-DD (required)")
			fs.StringVar(&kind, "kind", "FULL", "FULL (every ad of the range) or REFRESH (the recent days again)")
			fs.BoolVar(&wait, "wait", false, "show the job's progress until it ends")
			fs.BoolVar(&follow, "follow", false, "start nothing: show the progress of the range's latest job until it ends")
		},
		run: func(ctx context.Context, e *config.Env, io stdio) error {
			api := config.LoadAPIClient(e)
			kind = strings.ToUpper(kind)
			if !e.Help {
				checkSyncFlags(e, brand, start, end, kind)
			}
			if err := e.Check(); err != nil {
				return err
			}
			c, r := newAPIClient(api), syncRange{Brand: brand, Start: start, End: end}
			var job string
			if follow {
				st, err := c.status(ctx, r)
				if err != nil {
					return syncError(io, err)
				}
				job = st.JobID
				fmt.Fprintf(io.out, "following job %s (%s, %s)\n", job, st.Kind, st.Status)
			} else {
				ans, err := c.startSync(ctx, kind, r)
				var ae *apiError
				if errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
					err = fmt.Errorf("%w: is brand %q registered? GET /api/brands lists them", err, brand)
				}
				if err != nil {
					return syncError(io, err)
				}
				job = ans.JobID
				fmt.Fprintf(io.out, "%s: job %s\n", ans.Message, job)
				if !wait {
					fmt.Fprintf(io.out, "follow it: %s\n", followCommand(r))
					return nil
				}
			}
			return waitForJob(ctx, c, r, job, io)
		}}
}

// checkSyncFlags records every bad flag; the API checks the brand and the
// range again.
func checkSyncFlags(e *config.Env, brand, start, end, kind string) {
	if brand == "" {
		e.Fail("--brand", "is required")
	}
	from, ok1 := checkDate(e, "--start", start)
	to, ok2 := checkDate(e, "--end", end)
	if ok1 && ok2 && to.Before(from) {
		e.Fail("--end", "%s is before --start %s", end, start)
	}
	if kind != "FULL" && kind != "REFRESH" {
		e.Fail("--kind", "%q is not FULL or REFRESH", kind)
	}
}

func checkDate(e *config.Env, flagName, v string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, v)
	switch {
	case v == "":
		e.Fail(flagName, "is required (YYYY-MM-DD)")
	case err != nil:
		e.Fail(flagName, "%q is not a date YYYY-MM-DD", v)
	}
	return t, err == nil
}

// waitForJob shows the job's progress until it ends and says how it ended.
func waitForJob(ctx context.Context, c *apiClient, r syncRange, job string, io stdio) error {
	view := newProgressView(io.out)
	began := time.Now()
	st, err := newJobFollower(c, r, job, view).follow(ctx)
	view.endLine()
	switch {
	case err == nil && st.Status == statusCompleted:
		fmt.Fprintln(io.out, st.summary(began, time.Now()))
		return nil
	case err == nil:
		code, msg := "unknown", "the API gave no reason"
		if st.Error != nil {
			code, msg = st.Error.Code, st.Error.Message
		}
		fmt.Fprintf(io.err, "sync failed: %s: %s\n", code, msg)
		return exitJobFailed
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintf(io.err, "stopped waiting; job %s goes on in the API. Follow it again with:\n  %s\n", job, followCommand(r))
		return exitInterrupted
	}
	fmt.Fprintf(io.err, "adstream sync: %v\nThe job may go on in the API; follow it again with:\n  %s\n", err, followCommand(r))
	return exitAPIError
}

// syncError prints why the API did not do what was asked.
func syncError(io stdio, err error) error {
	fmt.Fprintf(io.err, "adstream sync: %v\n", err)
	return exitAPIError
}

func followCommand(r syncRange) string {
	return fmt.Sprintf("adstream sync --brand %s --start %s --end %s --follow", r.Brand, r.Start, r.End)
}
