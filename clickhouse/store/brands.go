package store

import (
	"context"
	"fmt"
	"time"
)

// Brand is one entry of the brand registry. The Graph API token is stored
// only encrypted (see internal/tokenbox); the store never sees it in clear.
type Brand struct {
	BrandID         string
	Name            string
	TokenCiphertext string
	AdAccountIDs    []string
	UpdatedAt       time.Time
}

// PutBrand adds or replaces a brand (a deleted one comes back). UpdatedAt
// is stored as given, to the second, or as now when it is zero.
func (s *Store) PutBrand(ctx context.Context, b Brand) error {
	return s.putBrand(ctx, b, 0)
}

// DeleteBrand removes a brand from the registry by storing a newer version
// marked deleted, without its token; reads stop seeing it at once. It
// returns ErrNotFound when the brand is not registered. Its stored creatives
// stay (DeleteRange removes those).
func (s *Store) DeleteBrand(ctx context.Context, brandID string) error {
	b, err := s.GetBrand(ctx, brandID)
	if err != nil {
		return err
	}
	return s.putBrand(ctx, Brand{BrandID: b.BrandID, Name: b.Name, AdAccountIDs: b.AdAccountIDs}, 1)
}

// putBrand inserts one version of a brand; the newest version wins under FINAL.
func (s *Store) putBrand(ctx context.Context, b Brand, deleted uint8) error {
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("brands")+
		" (brand_id, name, token_ciphertext, ad_account_ids, updated_at, version, deleted)")
	if err != nil {
		return fmt.Errorf("prepare brand: %w", err)
	}
	now := time.Now()
	at := b.UpdatedAt
	if at.IsZero() {
		at = now
	}
	if err := batch.Append(b.BrandID, b.Name, b.TokenCiphertext, nonNil(b.AdAccountIDs), at, uint64(now.UnixNano()), deleted); err != nil {
		batch.Abort()
		return fmt.Errorf("brand %s: %w", b.BrandID, err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("brand %s: %w", b.BrandID, err)
	}
	return nil
}

// ListBrands returns every registered brand, newest version of each, sorted
// by id, without their tokens (TokenCiphertext is empty).
func (s *Store) ListBrands(ctx context.Context) ([]Brand, error) {
	// Deleted versions are dropped after FINAL picked the newest one: a
	// WHERE beside FINAL may be moved to PREWHERE and filter before the
	// merge, which would resurrect an older, undeleted version.
	rows, err := s.conn.Query(ctx, "SELECT brand_id, name, ad_account_ids, updated_at, deleted FROM "+
		s.table("brands")+" FINAL ORDER BY brand_id")
	if err != nil {
		return nil, fmt.Errorf("list brands: %w", err)
	}
	defer rows.Close()
	out := []Brand{}
	for rows.Next() {
		var b Brand
		var deleted uint8
		if err := rows.Scan(&b.BrandID, &b.Name, &b.AdAccountIDs, &b.UpdatedAt, &deleted); err != nil {
			return nil, fmt.Errorf("list brands: %w", err)
		}
		if deleted == 0 {
			out = append(out, b)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list brands: %w", err)
	}
	return out, nil
}

// GetBrand returns a registered brand or ErrNotFound.
func (s *Store) GetBrand(ctx context.Context, brandID string) (Brand, error) {
	var b Brand
	var deleted uint8
	err := s.conn.QueryRow(ctx, "SELECT brand_id, name, token_ciphertext, ad_account_ids, updated_at, deleted FROM "+
		s.table("brands")+" FINAL WHERE brand_id = ?", brandID).
		Scan(&b.BrandID, &b.Name, &b.TokenCiphertext, &b.AdAccountIDs, &b.UpdatedAt, &deleted)
	if err != nil {
		if isNoRows(err) {
			return Brand{}, ErrNotFound
		}
		return Brand{}, fmt.Errorf("brand %s: %w", brandID, err)
	}
	if deleted != 0 {
		return Brand{}, ErrNotFound
	}
	return b, nil
}
