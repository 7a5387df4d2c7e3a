package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// URLExpiry reads when a media URL of Meta's CDN stops working: its signed
// oe parameter, Unix seconds in hex. ok is false for a URL without one.
func URLExpiry(raw string) (time.Time, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return time.Time{}, false
	}
	oe := u.Query().Get("oe")
	n, err := strconv.ParseInt(oe, 16, 64)
	if oe == "" || err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// Media URL fields, what MediaURLs asks of each kind of object.
const (
	FieldVideoSource       = "source"        // of a video: its playable file
	FieldCreativeThumbnail = "thumbnail_url" // of a creative
)

// MediaURLs asks the Graph API for the current value of one URL field
// (FieldVideoSource of videos, FieldCreativeThumbnail of creatives) of many
// objects: /?ids=…&fields=…, 50 ids a request, throttled and retried like
// every call of the client. An object deleted since it was stored fails a
// whole lookup with code 803; MediaURLs then asks again without it and lists
// it in gone, so one deleted video does not keep the others' URLs stale.
// Objects that answer without the field are left out of urls.
func (c *Client) MediaURLs(ctx context.Context, tok Token, ids []string, field string) (urls map[string]string, gone []string, err error) {
	ids = slices.Clone(ids)
	for range 3 {
		if len(ids) == 0 {
			return map[string]string{}, gone, nil
		}
		raw, err := c.ByIDs(ctx, tok, ids, field)
		missing := missingIDs(err)
		if len(missing) > 0 {
			before := len(ids)
			ids = slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(missing, id) })
			if len(ids) < before {
				gone = append(gone, missing...)
				continue
			}
		}
		if err != nil {
			return nil, gone, fmt.Errorf("%s of %d objects: %w", field, len(ids), err)
		}
		urls = make(map[string]string, len(raw))
		for id, r := range raw {
			var obj map[string]any
			if err := json.Unmarshal(r, &obj); err != nil {
				return nil, gone, fmt.Errorf("%s of %s: %w", field, id, err)
			}
			if u, ok := obj[field].(string); ok && u != "" {
				urls[id] = u
			}
		}
		return urls, gone, nil
	}
	return nil, gone, fmt.Errorf("%s: objects kept disappearing between lookups", field)
}

// missingIDs lists the ids an 803 error ("Some of the aliases you requested
// do not exist: a,b") names; nil for any other error.
func missingIDs(err error) []string {
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != 803 {
		return nil
	}
	_, list, ok := strings.Cut(ae.Message, "do not exist:")
	if !ok {
		return nil
	}
	var out []string
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}
