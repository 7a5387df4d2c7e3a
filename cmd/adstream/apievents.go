package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// errStreamIdle says an event stream went silent for longer than streamIdle.
var errStreamIdle = errors.New("the event stream went silent")

// events follows GET .../sync/events/{brand}, a server-sent-events stream of
// the range's latest job, and calls fn with the status of each progress
// event. It returns nil when the API ends the stream, the error of fn when
// fn returns one, and otherwise why the stream broke: ctx's error,
// errStreamIdle, or the error of the connection or request.
func (c *apiClient) events(ctx context.Context, r syncRange, fn func(syncStatus) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(c.streamIdle, func() { cancel(errStreamIdle) })
	defer idle.Stop()
	resp, err := c.send(ctx, http.MethodGet, "/api/creatives/sync/events/"+url.PathEscape(r.Brand)+"?"+r.query(), nil, "text/event-stream")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		return fmt.Errorf("the API answered %q, not an event stream", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var event string
	var data []string
	for sc.Scan() {
		idle.Reset(c.streamIdle)
		line := sc.Text()
		switch {
		case line == "": // the end of one event
			if event == "progress" && len(data) > 0 {
				var st syncStatus
				if err := json.Unmarshal([]byte(strings.Join(data, "\n")), &st); err != nil {
					return fmt.Errorf("progress event: %w", err)
				}
				if err := fn(st); err != nil {
					return err
				}
			}
			event, data = "", nil
		case strings.HasPrefix(line, ":"): // a heartbeat comment
		default:
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				event = value
			case "data":
				data = append(data, value)
			}
		}
	}
	if err := sc.Err(); err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return fmt.Errorf("event stream: %w", err)
	}
	return nil
}
