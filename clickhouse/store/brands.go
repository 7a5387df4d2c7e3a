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

// PutBrand adds or replaces a brand.
func (s *Store) PutBrand(ctx context.Context, b Brand) error {
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("brands")+
		" (brand_id, name, token_ciphertext, ad_account_ids, updated_at, version, deleted)")
	if err != nil {
		return fmt.Errorf("prepare brand: %w", err)
	}
	now := time.Now()
	if err := batch.Append(b.BrandID, b.Name, b.TokenCiphertext, nonNil(b.AdAccountIDs), now, uint64(now.UnixNano()), uint8(0)); err != nil {
		batch.Abort()
		return err
	}
	return batch.Send()
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
