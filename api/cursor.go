package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/adstream/adstream/clickhouse/store"
)

// A cursor continues a listing after the last creative of a page (keyset
// paging: a deep page costs what the first does). It is opaque to clients:
// base64url JSON of that creative's sort value and ad id, bound to the query
// it came from (brand, range, sort and filters), so a cursor of another
// listing is refused instead of answered wrongly.
type cursor struct {
	Value string `json:"v"`
	AdID  string `json:"id"`
	Query string `json:"q"`
}

// queryTag identifies the listing a cursor belongs to.
func queryTag(q store.ListQuery) string {
	var b strings.Builder
	b.WriteString(q.BrandID + "\x00" + q.StartDate + "\x00" + q.EndDate + "\x00" + q.SortBy)
	if q.Ascending {
		b.WriteString("\x00asc")
	}
	for _, k := range slices.Sorted(maps.Keys(q.Filters)) {
		b.WriteString("\x00" + k + "=" + q.Filters[k])
	}
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:8])
}

func encodeCursor(q store.ListQuery, last store.Creative) string {
	b, _ := json.Marshal(cursor{Value: last.SortValue, AdID: last.AdID, Query: queryTag(q)})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor of the listing q, or says what is wrong with it.
func decodeCursor(raw string, q store.ListQuery) (*store.Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(raw)
	var c cursor
	if err != nil || len(raw) > 512 || json.Unmarshal(b, &c) != nil || !cursorAdID.MatchString(c.AdID) ||
		(q.SortBy != "ad_id" && !isNumber(c.Value)) {
		return nil, badRequest("cursor", "is not a cursor this API issued; take nextCursor from a list answer")
	}
	if c.Query != queryTag(q) {
		return nil, badRequest("cursor", "belongs to another listing (brand, range, sort or filters differ)")
	}
	return &store.Cursor{SortValue: c.Value, AdID: c.AdID}, nil
}

var cursorAdID = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
