package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// progressStream follows the API's progress stream of r as a browser's
// EventSource does, reconnecting 100 ms after the stream breaks, and sends
// the time each progress event arrived until ctx ends.
func (p *pipeline) progressStream(ctx context.Context, r chaosRange, events chan<- time.Time) {
	for ctx.Err() == nil {
		err := p.readStream(ctx, r, events)
		if errors.Is(err, errStreamEnded) {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

var errStreamEnded = errors.New("the job ended")

func (p *pipeline) readStream(ctx context.Context, r chaosRange, events chan<- time.Time) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.api+"/api/creatives/sync/events/"+p.brand.BrandID+"?"+r.query(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	buf := make([]byte, 64<<10)
	var pending string
	for {
		n, err := resp.Body.Read(buf)
		pending += string(buf[:n])
		for {
			line, rest, ok := strings.Cut(pending, "\n")
			if !ok {
				break
			}
			pending = rest
			if strings.HasPrefix(line, "event: progress") {
				select {
				case events <- time.Now():
				default:
				}
			}
			if strings.HasPrefix(line, "data: ") && strings.Contains(line, `"status":"completed"`) {
				return errStreamEnded
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
