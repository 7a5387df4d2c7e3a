package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
)

// brandIDs lists the ids ListBrands returns, in its order.
func brandIDs(t *testing.T, st *store.Store) string {
	t.Helper()
	list, err := st.ListBrands(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, b := range list {
		if b.TokenCiphertext != "" {
			t.Errorf("ListBrands returned the token of %s", b.BrandID)
		}
		ids = append(ids, b.BrandID+":"+b.Name)
	}
	return fmt.Sprint(ids)
}

// The registry keeps one entry per brand, the newest; a delete hides the
// brand from every read, and registering it again brings it back.
func TestBrandRegistryLifecycle(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	steps := []struct {
		name string
		do   func() error
		want string // ListBrands as ids:names
	}{
		{"empty", func() error { return nil }, "[]"},
		{"put two", func() error {
			if err := st.PutBrand(ctx, store.Brand{BrandID: "zeta", Name: "Z", TokenCiphertext: "sealed-z", AdAccountIDs: []string{"act_9"}, UpdatedAt: at}); err != nil {
				return err
			}
			return st.PutBrand(ctx, store.Brand{BrandID: "acme", Name: "Acme", TokenCiphertext: "sealed-1", AdAccountIDs: []string{"act_1"}, UpdatedAt: at})
		}, "[acme:Acme zeta:Z]"},
		{"replace one", func() error {
			return st.PutBrand(ctx, store.Brand{BrandID: "acme", Name: "Acme Inc", TokenCiphertext: "sealed-2", AdAccountIDs: []string{"act_1", "act_2"}})
		}, "[acme:Acme Inc zeta:Z]"},
		{"delete one", func() error { return st.DeleteBrand(ctx, "acme") }, "[zeta:Z]"},
		{"delete it again", func() error {
			if err := st.DeleteBrand(ctx, "acme"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("second delete: %v, want ErrNotFound", err)
			}
			return nil
		}, "[zeta:Z]"},
		{"register it again", func() error {
			return st.PutBrand(ctx, store.Brand{BrandID: "acme", Name: "Acme again", TokenCiphertext: "sealed-3", AdAccountIDs: []string{"act_3"}})
		}, "[acme:Acme again zeta:Z]"},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := brandIDs(t, st); got != s.want {
			t.Fatalf("after %s: ListBrands = %s, want %s", s.name, got, s.want)
		}
	}
	b, err := st.GetBrand(ctx, "acme")
	if err != nil || b.TokenCiphertext != "sealed-3" || fmt.Sprint(b.AdAccountIDs) != "[act_3]" {
		t.Fatalf("GetBrand(acme) = %+v, %v; want the re-registered version", b, err)
	}
	z, err := st.GetBrand(ctx, "zeta")
	if err != nil || !z.UpdatedAt.Equal(at) {
		t.Fatalf("GetBrand(zeta).UpdatedAt = %v, %v; want %v as given", z.UpdatedAt, err, at)
	}
}

func TestDeleteBrandHidesItFromGet(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if err := st.PutBrand(ctx, store.Brand{BrandID: "gone", Name: "Gone", TokenCiphertext: "sealed"}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteBrand(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetBrand(ctx, "gone"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetBrand after delete: %v, want ErrNotFound", err)
	}
	if err := st.DeleteBrand(ctx, "never"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteBrand of an unknown brand: %v, want ErrNotFound", err)
	}
}
