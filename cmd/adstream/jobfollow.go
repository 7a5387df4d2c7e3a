package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// jobFollower shows one job's progress until the job ends. It follows the
// range's event stream and rides out a stream that breaks (an API restart,
// a proxy that cuts long requests): it asks the status endpoint at once,
// then reconnects with a growing delay, and gives up only when neither
// answered about the job for giveUp.
type jobFollower struct {
	api  *apiClient
	r    syncRange
	job  string
	view *progressView

	retryMin, retryMax time.Duration // the delay between reconnections grows from min to max
	giveUp             time.Duration // no news of the job for this long ends the wait
}

func newJobFollower(api *apiClient, r syncRange, job string, view *progressView) *jobFollower {
	return &jobFollower{api: api, r: r, job: job, view: view,
		retryMin: 250 * time.Millisecond, retryMax: 2 * time.Second, giveUp: time.Minute}
}

// errJobEnded stops reading the stream once the job ended.
var errJobEnded = errors.New("job ended")

// follow returns the job's final status (completed or failed). It returns
// early with ctx's error when ctx ends (the job goes on in the API), with
// an *apiError the API will answer again (a refused key, a bad request),
// or when the API said nothing about the job for giveUp.
func (f *jobFollower) follow(ctx context.Context) (syncStatus, error) {
	var last syncStatus
	heard := false // whether the current attempt brought news of the job
	see := func(st syncStatus) error {
		// The range's stream may first show an older job of the range.
		if st.JobID != f.job {
			return nil
		}
		heard, last = true, st
		f.view.show(st)
		if st.ended() {
			return errJobEnded
		}
		return nil
	}
	delay, lastNews, told := f.retryMin, time.Now(), false
	for {
		heard = false
		err := f.api.events(ctx, f.r, see)
		if errors.Is(err, errJobEnded) {
			return last, nil
		}
		if ctx.Err() != nil {
			return last, ctx.Err()
		}
		if permanent(err) {
			return last, err
		}
		streamHeard := heard
		why := err
		if why == nil {
			why = errors.New("the API ended the stream before the job ended")
		}
		if !told || streamHeard {
			f.view.notice(fmt.Sprintf("lost the progress stream (%v); reconnecting", why))
			told = true
		}
		st, serr := f.api.status(ctx, f.r)
		switch {
		case serr == nil:
			if see(st) != nil {
				return last, nil
			}
		case ctx.Err() != nil:
			return last, ctx.Err()
		case permanent(serr):
			return last, serr
		}
		if heard {
			lastNews = time.Now()
		}
		if streamHeard {
			delay = f.retryMin
		}
		if time.Since(lastNews) > f.giveUp {
			return last, fmt.Errorf("no news of job %s for %s: %w", f.job, f.giveUp, why)
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, f.retryMax)
	}
}

// permanent says whether asking again cannot help.
func permanent(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.permanent()
}
