package store

// Filter keys of a creatives list that select by video analysis state; the
// value is an analysis type. They never come from a request's filters JSON
// (the API allows only FilterColumns there) and, being filters, bind a
// cursor to them like any other.
const (
	// FilterAnalyzed keeps the ads whose video has a result of the type.
	FilterAnalyzed = "analysis:analyzed"
	// FilterPending keeps the video ads whose video has none.
	FilterPending = "analysis:pending"
)

// analysisCondition is the condition of an analysis-state filter over a
// table with ad_id (ad_insights, range_snapshots); ok is false for any
// other filter key. Ads are matched through their newest details.
func (s *Store) analysisCondition(brandID, key, analysisType string) (cond string, args []any, ok bool) {
	in := " IN "
	switch key {
	case FilterAnalyzed:
	case FilterPending:
		in = " NOT IN "
	default:
		return "", nil, false
	}
	return "ad_id IN (SELECT ad_id FROM " + s.table("ads") + " FINAL WHERE brand_id = ? AND video_id != '' AND video_id" + in +
			"(SELECT video_id FROM " + s.table("video_analyses") + " WHERE brand_id = ? AND analysis_type = ?))",
		[]any{brandID, brandID, analysisType}, true
}
