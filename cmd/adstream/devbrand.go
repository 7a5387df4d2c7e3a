package main

import (
	"context"
	"fmt"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/graphsim"
)

// registerDemoBrands registers graphsim's brands (demo, brand-2, ...) in the
// brand registry with their tokens sealed, so syncs of them can run.
func registerDemoBrands(ctx context.Context, sim *graphsim.Server, st *store.Store, key config.Secret) error {
	box, err := newTokenBox(key)
	if err != nil {
		return err
	}
	for _, b := range sim.Brands() {
		err := st.PutBrand(ctx, store.Brand{BrandID: b.BrandID, Name: b.BrandID,
			TokenCiphertext: box.Seal(b.AccessToken), AdAccountIDs: b.AdAccountIDs})
		if err != nil {
			return fmt.Errorf("register brand %s: %w", b.BrandID, err)
		}
	}
	return nil
}
