package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/graph"
)

// Bounds of a brand registration.
const (
	maxBrandName   = 200
	maxTokenLength = 4096
	maxAdAccounts  = 500
	verifyTimeout  = 20 * time.Second
)

var adAccountPattern = regexp.MustCompile(`^(?:act_)?([0-9]{1,20})$`)

// brandBody is POST /api/brands. The token is a graph.Token so that no
// print or log of the body can show it.
type brandBody struct {
	BrandID      string      `json:"brandId"`
	Name         string      `json:"name"`
	AccessToken  graph.Token `json:"accessToken"`
	AdAccountIDs []string    `json:"adAccountIds"`
}

// BrandJSON is a brand as the API shows it: never with its token.
type BrandJSON struct {
	BrandID      string    `json:"brandId"`
	Name         string    `json:"name"`
	AdAccountIDs []string  `json:"adAccountIds"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

func brandJSON(b store.Brand) BrandJSON {
	ids := b.AdAccountIDs
	if ids == nil {
		ids = []string{}
	}
	return BrandJSON{BrandID: b.BrandID, Name: b.Name, AdAccountIDs: ids, UpdatedAt: b.UpdatedAt.UTC()}
}

// registerBrand serves POST /api/brands: it validates the brand, checks its
// token and ad accounts against the Graph API when one is configured
// (filling in the accounts the token sees when none are given), seals the
// token and stores the brand, replacing an earlier registration.
func (s *server) registerBrand(c *fiber.Ctx) error {
	if s.deps.Tokens == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "registering brands needs ADSTREAM_TOKEN_KEY, the key that encrypts their tokens")
	}
	body, err := parseBrandBody(c.Body())
	if err != nil {
		return err
	}
	verified := false
	if s.deps.Graph != nil {
		ctx, cancel := context.WithTimeout(c.Context(), verifyTimeout)
		defer cancel()
		if body.AdAccountIDs, err = s.verifyBrand(ctx, body); err != nil {
			return err
		}
		verified = true
	}
	if len(body.AdAccountIDs) == 0 {
		return badRequest("adAccountIds", "is required when no Graph API is configured to list the token's accounts")
	}
	_, err = s.deps.Store.GetBrand(c.Context(), body.BrandID)
	created := errors.Is(err, store.ErrNotFound)
	if err != nil && !created {
		return err
	}
	b := store.Brand{BrandID: body.BrandID, Name: body.Name, AdAccountIDs: body.AdAccountIDs,
		TokenCiphertext: s.deps.Tokens.Seal(body.AccessToken.Reveal()), UpdatedAt: time.Now().UTC().Truncate(time.Second)}
	if err := s.deps.Store.PutBrand(c.Context(), b); err != nil {
		return err
	}
	s.deps.Log.Info("brand registered", "brand", b.BrandID, "accounts", len(b.AdAccountIDs), "verified", verified, "created", created)
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	resp := fiber.Map{"success": true, "created": created, "verified": verified, "brand": brandJSON(b)}
	// The brand is stored: a pre-sync that cannot be queued (Kafka down) is
	// reported, and POST /api/brands/:brandId/presync tries again.
	ranges, err := s.presync(c.Context(), b.BrandID)
	resp["presync"] = ranges
	if err != nil {
		s.deps.Log.Warn("pre-sync of a registered brand failed", "brand", b.BrandID, "err", err)
		resp["presyncError"] = "the brand's default ranges could not be queued; POST /api/brands/" + b.BrandID + "/presync retries"
	}
	return c.Status(status).JSON(resp)
}

// parseBrandBody decodes and validates a registration; account ids come
// back as act_<digits>, deduplicated. No error names the token's value.
func parseBrandBody(raw []byte) (brandBody, error) {
	var b brandBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		// Syntax errors quote bytes of the body, which may be the token.
		msg := "must be a JSON object with brandId, name, accessToken and adAccountIds"
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			msg = "unknown field " + f + "; " + msg
		}
		return b, badRequest("body", "%s", msg)
	}
	if !brandIDPattern.MatchString(b.BrandID) {
		return b, badRequest("brandId", "%q must be 1-128 letters, digits, '_', '.' or '-' (starting with a letter or digit)", b.BrandID)
	}
	b.Name = strings.TrimSpace(b.Name)
	if b.Name == "" {
		b.Name = b.BrandID
	}
	if len(b.Name) > maxBrandName || strings.IndexFunc(b.Name, unicode.IsControl) >= 0 {
		return b, badRequest("name", "must be at most %d characters without control characters", maxBrandName)
	}
	tok := b.AccessToken.Reveal()
	switch {
	case tok == "":
		return b, badRequest("accessToken", "is required (a Graph API access token with ads_read)")
	case len(tok) > maxTokenLength:
		return b, badRequest("accessToken", "is longer than %d characters", maxTokenLength)
	case strings.IndexFunc(tok, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return b, badRequest("accessToken", "contains spaces or control characters")
	}
	if len(b.AdAccountIDs) > maxAdAccounts {
		return b, badRequest("adAccountIds", "lists more than %d accounts", maxAdAccounts)
	}
	seen := map[string]bool{}
	ids := []string{}
	for _, id := range b.AdAccountIDs {
		m := adAccountPattern.FindStringSubmatch(strings.TrimSpace(id))
		if m == nil {
			return b, badRequest("adAccountIds", "%q is not an ad account id (act_<digits> or <digits>)", id)
		}
		if norm := "act_" + m[1]; !seen[norm] {
			seen[norm] = true
			ids = append(ids, norm)
		}
	}
	b.AdAccountIDs = ids
	return b, nil
}

// verifyBrand checks the token and the accounts with the Graph API and
// returns the accounts to store: the ones given, each readable with the
// token, or every account the token sees (me/adaccounts) when none are given.
func (s *server) verifyBrand(ctx context.Context, b brandBody) ([]string, error) {
	if len(b.AdAccountIDs) > 0 {
		for _, id := range b.AdAccountIDs {
			if err := s.deps.Graph.Get(ctx, b.AccessToken, id, url.Values{"fields": {"id"}}, nil); err != nil {
				return nil, s.verifyError(b.BrandID, id, err)
			}
		}
		return b.AdAccountIDs, nil
	}
	pager := s.deps.Graph.Pages(ctx, b.AccessToken, "me/adaccounts", url.Values{"fields": {"id"}})
	ids := []string{}
	for !pager.Done() {
		page, err := pager.Next(ctx)
		if err != nil {
			return nil, s.verifyError(b.BrandID, "", err)
		}
		accts, err := graph.Decode[struct {
			ID string `json:"id"`
		}](page)
		if err != nil {
			return nil, s.verifyError(b.BrandID, "", err)
		}
		for _, a := range accts {
			if m := adAccountPattern.FindStringSubmatch(a.ID); m != nil {
				ids = append(ids, "act_"+m[1])
			}
		}
		if len(ids) > maxAdAccounts {
			return nil, badRequest("adAccountIds", "the token sees more than %d ad accounts; list the brand's own", maxAdAccounts)
		}
	}
	if len(ids) == 0 {
		return nil, badRequest("adAccountIds", "the token sees no ad accounts; list the brand's accounts or grant the token access")
	}
	return ids, nil
}

// verifyError maps a Graph API failure of the check to the field at fault;
// what is not the caller's fault (throttling, outage) answers 502.
func (s *server) verifyError(brand, account string, err error) error {
	var ae *graph.APIError
	switch {
	case errors.Is(err, graph.ErrAuthExpired):
		return badRequest("accessToken", "the Graph API rejected the token: expired, revoked or malformed (code 190)")
	case account == "" && errors.Is(err, graph.ErrPermission):
		return badRequest("accessToken", "the token may not list its ad accounts (needs ads_read)")
	case account != "" && errors.Is(err, graph.ErrPermission):
		return badRequest("adAccountIds", "the token has no permission to read ad account %s (needs ads_read)", account)
	case account != "" && errors.As(err, &ae) && ae.Code == 100:
		return badRequest("adAccountIds", "ad account %s does not exist or the token cannot see it", account)
	}
	// The client keeps the token out of its errors (header only, scrubbed messages).
	s.deps.Log.Warn("brand token check failed", "brand", brand, "account", account, "err", err)
	return fiber.NewError(fiber.StatusBadGateway, "could not check the token with the Graph API; try again later")
}

// getBrand serves GET /api/brands/:brandId.
func (s *server) getBrand(c *fiber.Ctx) error {
	id, err := brandParam(c)
	if err != nil {
		return err
	}
	b, err := s.deps.Store.GetBrand(c.Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"success": true, "brand": brandJSON(b)})
}

// listBrands serves GET /api/brands.
func (s *server) listBrands(c *fiber.Ctx) error {
	list, err := s.deps.Store.ListBrands(c.Context())
	if err != nil {
		return err
	}
	list = visibleBrands(c, list)
	out := make([]BrandJSON, len(list))
	for i, b := range list {
		out[i] = brandJSON(b)
	}
	return c.JSON(fiber.Map{"success": true, "total": len(out), "brands": out})
}

// deleteBrand serves DELETE /api/brands/:brandId: the brand and its token
// leave the registry (no more syncs); its stored creatives stay until
// DELETE /api/creatives/:brandId removes them.
func (s *server) deleteBrand(c *fiber.Ctx) error {
	id, err := brandParam(c)
	if err != nil {
		return err
	}
	if err := s.deps.Store.DeleteBrand(c.Context(), id); err != nil {
		return err
	}
	// The registry entry first: a purge that fails half-way leaves no brand
	// to sync, and DELETE again finishes it.
	if err := s.deps.Store.PurgeBrand(c.Context(), id); err != nil {
		return err
	}
	s.deps.Log.Info("brand deleted", "brand", id)
	return c.JSON(fiber.Map{"success": true, "message": "Brand " + id + " and all its data deleted", "brandId": id})
}

// brandParam validates :brandId and copies it out of Fiber's reused buffer.
func brandParam(c *fiber.Ctx) (string, error) {
	id := c.Params("brandId")
	if !brandIDPattern.MatchString(id) {
		return "", badRequest("brandId", "%q must be 1-128 letters, digits, '_', '.' or '-'", id)
	}
	return strings.Clone(id), nil
}
