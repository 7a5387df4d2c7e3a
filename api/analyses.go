package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

// Bounds of a posted analysis.
const (
	maxResultsBytes = 256 << 10 // results, compacted
	maxModelLength  = 128
	maxVersionLen   = 64
	// analyzedAtSkew is how far in the future analyzedAt may be: the
	// worker's clock may run ahead of the API's.
	analyzedAtSkew = 5 * time.Minute
)

// analysisBody is POST /api/creatives/:brandId/videos/:videoId/analyses.
type analysisBody struct {
	AnalysisType string          `json:"analysisType"`
	Model        string          `json:"model"`
	Version      string          `json:"version"`
	Results      json.RawMessage `json:"results"`
	AnalyzedAt   string          `json:"analyzedAt"`
}

// AnalysisJSON is a stored analysis as the API shows it.
type AnalysisJSON struct {
	VideoID      string          `json:"videoId"`
	AnalysisType string          `json:"analysisType"`
	Model        string          `json:"model"`
	Version      string          `json:"version"`
	Results      json.RawMessage `json:"results"`
	AnalyzedAt   time.Time       `json:"analyzedAt"`
	StoredAt     time.Time       `json:"storedAt"`
}

func analysisJSON(a store.Analysis) AnalysisJSON {
	return AnalysisJSON{VideoID: a.VideoID, AnalysisType: a.Type, Model: a.Model, Version: a.ModelVersion,
		Results: json.RawMessage(a.Results), AnalyzedAt: a.AnalyzedAt, StoredAt: a.StoredAt}
}

func analysesJSON(list []store.Analysis) []AnalysisJSON {
	out := make([]AnalysisJSON, len(list))
	for i, a := range list {
		out[i] = analysisJSON(a)
	}
	return out
}

// postAnalysis serves POST /api/creatives/:brandId/videos/:videoId/analyses:
// it stores an analysis worker's result for one of the brand's stored
// videos. The same analysisType, model and version again replaces the
// result (200, "replaced": true); anything new is added (201).
func (s *server) postAnalysis(c *fiber.Ctx) error {
	brandID, vs, err := s.videoBrand(c)
	if err != nil {
		return err
	}
	videoID, err := videoParam(c)
	if err != nil {
		return err
	}
	now := s.deps.Now().UTC()
	a, err := parseAnalysis(c.Body(), now)
	if err != nil {
		return err
	}
	a.BrandID, a.VideoID, a.StoredAt = brandID, videoID, now.Truncate(time.Second)
	if ok, err := vs.HasVideo(c.Context(), brandID, videoID); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%w: brand %s has no stored video %s (GET /api/videos/%s/pending lists its videos)", store.ErrNotFound, brandID, videoID, brandID)
	}
	replaced, err := vs.PutAnalysis(c.Context(), a)
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if replaced {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(fiber.Map{"success": true, "brandId": brandID, "videoId": videoID,
		"replaced": replaced, "analysis": analysisJSON(a)})
}

// getAnalyses serves GET /api/creatives/:brandId/videos/:videoId/analyses:
// the video's stored results, of one type when analysisType is given.
func (s *server) getAnalyses(c *fiber.Ctx) error {
	brandID, vs, err := s.videoBrand(c)
	if err != nil {
		return err
	}
	videoID, err := videoParam(c)
	if err != nil {
		return err
	}
	typ, err := analysisTypeQuery(c, false)
	if err != nil {
		return err
	}
	list, err := vs.Analyses(c.Context(), brandID, []string{videoID}, typ)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		if ok, err := vs.HasVideo(c.Context(), brandID, videoID); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: brand %s has no stored video %s", store.ErrNotFound, brandID, videoID)
		}
	}
	return c.JSON(fiber.Map{"success": true, "brandId": brandID, "videoId": videoID, "analyses": analysesJSON(list)})
}

// parseAnalysis reads and validates a posted analysis, saying which field
// is wrong and how.
func parseAnalysis(body []byte, now time.Time) (store.Analysis, error) {
	const shape = `must be a JSON object like {"analysisType":"scenes","model":"scene-detector","version":"1.2.0","results":{…},"analyzedAt":"2026-11-28T10:00:00Z"}`
	var b analysisBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return store.Analysis{}, badRequest(typeErr.Field, "must be a JSON %s, not %s", jsonKind(typeErr.Field), typeErr.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return store.Analysis{}, badRequest(field, "is not a field of an analysis; send analysisType, model, version, results and analyzedAt")
		}
		return store.Analysis{}, badRequest("body", shape)
	}
	if _, err := dec.Token(); err != io.EOF {
		return store.Analysis{}, badRequest("body", "%s, and nothing after it", shape)
	}
	if b.AnalysisType == "" {
		return store.Analysis{}, badRequest("analysisType", "is required (e.g. scenes)")
	}
	if err := checkAnalysisType("analysisType", b.AnalysisType); err != nil {
		return store.Analysis{}, err
	}
	if err := checkLabel("model", b.Model, maxModelLength); err != nil {
		return store.Analysis{}, err
	}
	if err := checkLabel("version", b.Version, maxVersionLen); err != nil {
		return store.Analysis{}, err
	}
	results, err := checkResults(b.Results)
	if err != nil {
		return store.Analysis{}, err
	}
	at, err := checkAnalyzedAt(b.AnalyzedAt, now)
	if err != nil {
		return store.Analysis{}, err
	}
	return store.Analysis{Type: b.AnalysisType, Model: b.Model, ModelVersion: b.Version, Results: results, AnalyzedAt: at}, nil
}

func jsonKind(field string) string {
	if field == "results" {
		return "object"
	}
	return "string"
}

// checkLabel checks a model name or version: required, at most max
// characters, printable.
func checkLabel(field, v string, max int) error {
	switch {
	case strings.TrimSpace(v) == "":
		return badRequest(field, "is required")
	case len([]rune(v)) > max:
		return badRequest(field, "is %d characters long; at most %d", len([]rune(v)), max)
	case strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return badRequest(field, "must be printable text, without control characters")
	}
	return nil
}

// checkResults checks results is a JSON object of at most maxResultsBytes
// once compacted, and returns it compacted.
func checkResults(raw json.RawMessage) (string, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return "", badRequest("results", "is required: the analysis output as a JSON object")
	}
	if trimmed[0] != '{' {
		return "", badRequest("results", "must be a JSON object ({…}), not %s", jsonValueKind(trimmed[0]))
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, trimmed); err != nil {
		return "", badRequest("results", "is not valid JSON: %v", err)
	}
	if buf.Len() > maxResultsBytes {
		return "", badRequest("results", "is %d bytes (compacted); at most %d (256 KiB): store large outputs elsewhere and post their location", buf.Len(), maxResultsBytes)
	}
	return buf.String(), nil
}

func jsonValueKind(first byte) string {
	switch first {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// checkAnalyzedAt reads analyzedAt: RFC 3339, a day the store holds, and not
// in the future beyond analyzedAtSkew. It is kept to the second.
func checkAnalyzedAt(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, badRequest("analyzedAt", "is required: when the analysis ran, RFC 3339 (e.g. 2026-11-28T10:00:00Z)")
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, badRequest("analyzedAt", "%q is not an RFC 3339 time (e.g. 2026-11-28T10:00:00Z)", v)
	}
	t = t.UTC().Truncate(time.Second)
	switch {
	case t.After(now.Add(analyzedAtSkew)):
		return time.Time{}, badRequest("analyzedAt", "%s is in the future (the API's clock says %s)", v, now.Format(time.RFC3339))
	case t.Before(store.FirstDay):
		return time.Time{}, badRequest("analyzedAt", "%s is before %s, the earliest time the store holds", v, store.FirstDay.Format(time.DateOnly))
	}
	return t, nil
}
