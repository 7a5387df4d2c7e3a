package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
)

// A stream token opens the progress stream of one brand and range, and
// nothing else, for a few minutes: EventSource cannot send headers, so a
// page asks for a token with its key and puts the token in the stream's URL.
const (
	streamTokenTTL    = 5 * time.Minute
	maxStreamTokenTTL = 10 * time.Minute // a token claiming more was not made here
	streamTokenParam  = "streamToken"
	streamTokenPrefix = "st1."
)

var (
	errTokenMalformed = errors.New("streamToken is malformed")
	errTokenSignature = errors.New("streamToken was not issued by this API (bad signature)")
	errTokenScope     = errors.New("streamToken is for another brand or range")
)

// streamSigner issues and checks stream tokens: HMAC-SHA256 over the brand,
// the range and the expiry, with a key derived from the server's secret for
// this one purpose. It is safe for concurrent use.
type streamSigner struct {
	key []byte
	now func() time.Time
}

// newStreamSigner derives the signing key from secret; an empty secret gets
// a random one, so tokens then work only on this process.
func newStreamSigner(secret []byte, now func() time.Time) *streamSigner {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret) // never fails (crypto/rand panics instead)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("adstream progress stream token v1"))
	return &streamSigner{key: mac.Sum(nil), now: now}
}

func (s *streamSigner) sign(payload string) []byte {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(payload))
	return mac.Sum(nil)
}

// issue returns a token for r's stream and when it expires.
func (s *streamSigner) issue(r store.Range) (string, time.Time) {
	exp := s.now().Add(streamTokenTTL).Truncate(time.Second)
	payload := strings.Join([]string{r.BrandID, r.StartDate, r.EndDate, strconv.FormatInt(exp.Unix(), 10)}, "|")
	b64 := base64.RawURLEncoding
	return streamTokenPrefix + b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(s.sign(payload)), exp
}

// verify says why token does not open r's stream now, or returns nil.
func (s *streamSigner) verify(token string, r store.Range) error {
	body, ok := strings.CutPrefix(token, streamTokenPrefix)
	if !ok {
		return errTokenMalformed
	}
	p64, m64, ok := strings.Cut(body, ".")
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	if !ok || err1 != nil || err2 != nil {
		return errTokenMalformed
	}
	if !hmac.Equal(mac, s.sign(string(payload))) {
		return errTokenSignature
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 4 {
		return errTokenMalformed
	}
	exp, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil {
		return errTokenMalformed
	}
	now, expires := s.now(), time.Unix(exp, 0)
	switch {
	case !now.Before(expires):
		return fmt.Errorf("streamToken expired at %s", expires.UTC().Format(time.RFC3339))
	case expires.Sub(now) > maxStreamTokenTTL:
		return errTokenSignature
	case f[0] != r.BrandID || f[1] != r.StartDate || f[2] != r.EndDate:
		return errTokenScope
	}
	return nil
}

// issueStreamToken serves POST /api/creatives/sync/stream-token/:brandId:
// a token that opens the range's progress stream (GET
// /api/creatives/sync/events/:brandId?…&streamToken=…) for 5 minutes, and
// that stream's URL.
func (s *server) issueStreamToken(c *fiber.Ctx) error {
	r, err := s.brandRange(c, c.Query("startDate"), c.Query("endDate"))
	if err != nil {
		return err
	}
	if _, err := s.deps.Store.GetBrand(c.Context(), r.BrandID); err != nil {
		return err
	}
	token, exp := s.streams.issue(r)
	q := url.Values{"startDate": {r.StartDate}, "endDate": {r.EndDate}, streamTokenParam: {token}}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"success": true, "token": token, "expiresAt": exp.UTC(),
		"url": "/api/creatives/sync/events/" + url.PathEscape(r.BrandID) + "?" + q.Encode()})
}

// streamAccess guards the progress stream: a stream token for its brand
// and range opens it without a key; otherwise it needs a key, like every
// /api route, whose scope holds the brand.
func (s *server) streamAccess(c *fiber.Ctx) error {
	token := c.Query(streamTokenParam)
	if token == "" {
		if !s.keyPresented(c) {
			return refuseKey(c)
		}
		return s.inScope(c)
	}
	r, err := s.brandRange(c, c.Query("startDate"), c.Query("endDate"))
	if err != nil {
		return err
	}
	if err := s.streams.verify(token, r); err != nil {
		return unauthorized(c, err.Error()+"; POST /api/creatives/sync/stream-token/{brandId} issues a new one")
	}
	return c.Next()
}
