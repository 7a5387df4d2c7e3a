package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

const (
	defaultProgressPoll = 500 * time.Millisecond
	progressHeartbeat   = 15 * time.Second
	progressMaxStream   = 30 * time.Minute
)

// syncEvents serves GET /api/creatives/sync/events/:brandId: the progress of
// the range's latest sync job as a server-sent-events stream. Each change of
// status or progress is one `progress` event (the sync-status JSON); the
// stream ends after a `completed` or `failed` one, when the client goes
// away, when the server shuts down, or after 30 minutes. A comment line every 15 s keeps proxies from
// closing an idle stream.
func (s *server) syncEvents(c *fiber.Ctx) error {
	r, err := s.brandRange(c, c.Query("startDate"), c.Query("endDate"))
	if err != nil {
		return err
	}
	if _, err := s.deps.Store.LatestJob(c.Context(), r); err != nil {
		return err // no job yet: 404 before the stream starts
	}
	poll := s.deps.ProgressPoll
	if poll <= 0 {
		poll = defaultProgressPoll
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no")
	st, log, stopping := s.deps.Store, s.deps.Log, s.stopping
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), progressMaxStream)
		defer cancel()
		go func() {
			select {
			case <-stopping:
				cancel()
			case <-ctx.Done():
			}
		}()
		if err := streamProgress(ctx, w, st, r, poll, s.endStaleness); err != nil {
			log.Debug("progress stream ended", "brand", r.BrandID, "err", err)
		}
	})
	return nil
}

// streamProgress writes an event whenever the job's state changes, until it
// ends; a write error means the client left. Before each event it calls
// beforeEvent: the server's endStaleness, as a status read does.
func streamProgress(ctx context.Context, w *bufio.Writer, st Store, r store.Range, poll time.Duration, beforeEvent func()) error {
	var last []byte
	lastWrite := time.Now()
	for {
		j, err := st.LatestJob(ctx, r)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil {
			body, _ := json.Marshal(statusJSON(j, time.Now()))
			if string(body) != string(last) {
				beforeEvent() // before the client can see the state and read on
				if _, err := fmt.Fprintf(w, "event: progress\ndata: %s\n\n", body); err != nil {
					return err
				}
				last, lastWrite = body, time.Now()
				if err := w.Flush(); err != nil {
					return err
				}
			}
			if j.Status == store.StatusCompleted || j.Status == store.StatusFailed {
				return nil
			}
		}
		if time.Since(lastWrite) >= progressHeartbeat {
			if _, err := w.WriteString(": waiting\n\n"); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			lastWrite = time.Now()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}
