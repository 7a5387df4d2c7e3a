package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

// listVideoOptions are the creatives list's video analysis parameters.
type listVideoOptions struct {
	analyses     bool   // include=analyses: each creative's analyses
	analysisType string // of this type only; "" for all
}

// parseListVideoOptions reads analysis=analyzed|pending with analysisType,
// which narrow the list to the creatives whose video has (or, a video
// creative, lacks) a result of that type, and include=analyses. The state
// filter goes into q's filters, so counts, pages and cursors honour it.
func parseListVideoOptions(c *fiber.Ctx, q *store.ListQuery) (listVideoOptions, error) {
	var o listVideoOptions
	var err error
	if o.analysisType, err = analysisTypeQuery(c, false); err != nil {
		return o, err
	}
	if o.analyses, err = includeAnalyses(c); err != nil {
		return o, err
	}
	key := ""
	switch state := c.Query("analysis"); state {
	case "":
		return o, nil
	case "analyzed":
		key = store.FilterAnalyzed
	case "pending":
		key = store.FilterPending
	default:
		return o, badRequest("analysis", "%q must be analyzed or pending", state)
	}
	if o.analysisType == "" {
		return o, badRequest("analysisType", "is required with analysis=%s: the analysis whose state to filter by", c.Query("analysis"))
	}
	if q.Filters == nil {
		q.Filters = map[string]string{}
	}
	q.Filters[key] = o.analysisType
	return o, nil
}

// decorateCreatives gives a page of creatives video and thumbnail URLs fresh
// enough to hand out (see mediaRefresher) and, when asked, their analyses.
func (s *server) decorateCreatives(c *fiber.Ctx, brand store.Brand, o listVideoOptions, out []CreativeJSON) error {
	if s.deps.Videos == nil || len(out) == 0 {
		return nil
	}
	stored := map[store.MediaKey]storedURL{}
	var videoIDs []string
	for _, cr := range out {
		if cr.CreativeID != "" {
			stored[store.MediaKey{Kind: store.MediaThumbnail, ID: cr.CreativeID}] = storedURL{cr.ThumbnailURL, cr.LastUpdated}
		}
		if cr.VideoID == "" {
			continue
		}
		videoIDs = append(videoIDs, cr.VideoID)
		k := store.MediaKey{Kind: store.MediaVideoSource, ID: cr.VideoID}
		if u := (storedURL{cr.VideoSourceURL, cr.LastUpdated}); u.expiry().ExpiresAt.After(stored[k].expiry().ExpiresAt) {
			stored[k] = u
		}
	}
	urls, _, err := s.media.fresh(c.Context(), brand, stored)
	if err != nil {
		return err
	}
	for i := range out {
		cr := &out[i]
		if u, ok := urls[store.MediaKey{Kind: store.MediaThumbnail, ID: cr.CreativeID}]; ok && u.URL != "" {
			cr.ThumbnailURL = u.URL
		}
		if u, ok := urls[store.MediaKey{Kind: store.MediaVideoSource, ID: cr.VideoID}]; ok && cr.VideoID != "" && u.URL != "" {
			if cr.CreativeURL == cr.VideoSourceURL { // a video creative's URL is its video's
				cr.CreativeURL = u.URL
			}
			cr.VideoSourceURL = u.URL
		}
	}
	if !o.analyses {
		return nil
	}
	list, err := s.deps.Videos.Analyses(c.Context(), brand.BrandID, videoIDs, o.analysisType)
	if err != nil {
		return err
	}
	byVideo := map[string][]AnalysisJSON{}
	for _, a := range list {
		byVideo[a.VideoID] = append(byVideo[a.VideoID], analysisJSON(a))
	}
	for i := range out {
		a := byVideo[out[i].VideoID]
		if a == nil || out[i].VideoID == "" {
			a = []AnalysisJSON{}
		}
		out[i].Analyses = &a
	}
	return nil
}
