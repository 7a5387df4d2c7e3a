package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

const (
	// exportChunk is how many videos the export reads, refreshes URLs of
	// and writes at a time: one Graph API lookup of 50 ids at most.
	exportChunk = 50
	// exportWriteTimeout bounds the client's taking one chunk; the whole
	// export may take longer than the server's write timeout.
	exportWriteTimeout = time.Minute
	// exportMaxDuration bounds a whole export.
	exportMaxDuration = time.Hour
)

// exportVideos serves GET /api/videos/:brandId/export: every video of the
// brand as NDJSON, one line per video (a VideoJSON with its ads and its
// metrics per stored day, summed over them), streamed a chunk at a time, so
// a brand of any size exports in constant memory. URLs are refreshed as for
// the feed. A failure after the first byte cannot change the status: it ends
// the stream with one line {"error":{"code","message"}}, so a client knows
// the export is incomplete. The export stops when the client goes away,
// when the server shuts down, or after an hour.
func (s *server) exportVideos(c *fiber.Ctx) error {
	brand, vs, err := s.videoBrandOf(c)
	if err != nil {
		return err
	}
	brandID := brand.BrandID
	withAnalyses, err := includeAnalyses(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/x-ndjson")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+brandID+`-videos.ndjson"`)
	conn, log, stopping := c.Context().Conn(), s.deps.Log, s.stopping
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), exportMaxDuration)
		defer cancel()
		go func() {
			select {
			case <-stopping:
				cancel()
			case <-ctx.Done():
			}
		}()
		enc := json.NewEncoder(w)
		videos := 0
		err := vs.ExportVideos(ctx, brandID, exportChunk, func(batch []store.ExportedVideo) error {
			lines, err := s.exportLines(ctx, brand, batch, withAnalyses)
			if err != nil {
				return err
			}
			for _, l := range lines {
				if err := enc.Encode(l); err != nil {
					return errClientGone
				}
			}
			videos += len(lines)
			if conn != nil {
				_ = conn.SetWriteDeadline(time.Now().Add(exportWriteTimeout))
			}
			if err := w.Flush(); err != nil {
				return errClientGone
			}
			return nil
		})
		switch {
		case err == nil:
			log.Debug("video export done", "brand", brandID, "videos", videos)
		case errors.Is(err, errClientGone):
			log.Info("video export ended by the client", "brand", brandID, "videos", videos)
		default:
			log.Warn("video export failed", "brand", brandID, "videos", videos, "err", err)
			code, msg := "internal", "the export stopped on an internal error; it is incomplete"
			if store.IsUnavailable(err) {
				code, msg = "store_unavailable", "the database (ClickHouse) became unavailable; the export is incomplete"
			}
			_ = enc.Encode(fiber.Map{"error": fiber.Map{"code": code, "message": msg}})
			_ = w.Flush()
		}
	})
	return nil
}

// errClientGone ends an export whose client stopped reading.
var errClientGone = errors.New("client went away")

// exportLines turns a chunk of exported videos into their lines.
func (s *server) exportLines(ctx context.Context, brand store.Brand, batch []store.ExportedVideo, withAnalyses bool) ([]VideoJSON, error) {
	ids := make([]string, len(batch))
	var ads []store.VideoAd
	for i, v := range batch {
		ids[i] = v.VideoID
		ads = append(ads, v.Ads...)
	}
	lines, _, err := s.videosJSON(ctx, brand, ids, ads, false)
	if err != nil {
		return nil, err
	}
	for i, v := range batch {
		days := make([]VideoDayJSON, len(v.Days))
		for j, d := range v.Days {
			days[j] = VideoDayJSON{Date: d.Date, MetricsJSON: metricsJSON(d.Metrics)}
		}
		lines[i].Days = &days
	}
	if withAnalyses {
		list, err := s.deps.Videos.Analyses(ctx, brand.BrandID, ids, "")
		if err != nil {
			return nil, err
		}
		byVideo := map[string][]AnalysisJSON{}
		for _, a := range list {
			byVideo[a.VideoID] = append(byVideo[a.VideoID], analysisJSON(a))
		}
		for i := range lines {
			a := byVideo[lines[i].VideoID]
			if a == nil {
				a = []AnalysisJSON{}
			}
			lines[i].Analyses = &a
		}
	}
	return lines, nil
}

// includeAnalyses reads include=analyses, the one extra a read may include.
func includeAnalyses(c *fiber.Ctx) (bool, error) {
	raw := c.Query("include")
	if raw == "" {
		return false, nil
	}
	for _, part := range strings.Split(raw, ",") {
		if strings.TrimSpace(part) != "analyses" {
			return false, badRequest("include", "%q is not something to include; the one choice is analyses", part)
		}
	}
	return true, nil
}
