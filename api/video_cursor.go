package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"

	"github.com/adstream/adstream/clickhouse/store"
)

// videoCursor continues the feed of videos to analyse after the last video
// of a page, by keyset on (spend, video id), like the list's cursor: opaque
// base64url JSON bound to the feed it came from (brand and analysis type).
type videoCursor struct {
	Spend   int64  `json:"s"`
	VideoID string `json:"id"`
	Query   string `json:"q"`
}

func videoFeedTag(brandID, analysisType string) string {
	h := sha256.Sum256([]byte("pending\x00" + brandID + "\x00" + analysisType))
	return hex.EncodeToString(h[:8])
}

func encodeVideoCursor(brandID, analysisType string, last store.PendingVideo) string {
	b, _ := json.Marshal(videoCursor{Spend: last.SpendMicros, VideoID: last.VideoID, Query: videoFeedTag(brandID, analysisType)})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeVideoCursor reads a cursor of the brand's feed of analysisType, or
// says what is wrong with it.
func decodeVideoCursor(raw, brandID, analysisType string) (*store.VideoCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(raw)
	var c videoCursor
	if err != nil || len(raw) > 512 || json.Unmarshal(b, &c) != nil || !videoIDPattern.MatchString(c.VideoID) {
		return nil, badRequest("cursor", "is not a cursor this API issued; take nextCursor from a feed answer")
	}
	if c.Query != videoFeedTag(brandID, analysisType) {
		return nil, badRequest("cursor", "belongs to another feed (brand or analysisType differ)")
	}
	return &store.VideoCursor{SpendMicros: c.Spend, VideoID: c.VideoID}, nil
}
