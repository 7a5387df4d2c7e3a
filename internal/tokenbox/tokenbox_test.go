package tokenbox

import (
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	box, err := New(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	sealed := box.Seal("EAAB-secret-token")
	if strings.Contains(sealed, "secret") {
		t.Fatalf("sealed token shows the clear text: %s", sealed)
	}
	if sealed == box.Seal("EAAB-secret-token") {
		t.Fatal("two seals of one token are equal: the nonce is not random")
	}
	got, err := box.Open(sealed)
	if err != nil || got != "EAAB-secret-token" {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

func TestOpenWithOtherKeyFails(t *testing.T) {
	a, _ := New(NewKey())
	b, _ := New(NewKey())
	_, err := b.Open(a.Seal("s3cr3t-value"))
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("Open with the wrong key: err = %v", err)
	}
}

func TestNewRejectsBadKeys(t *testing.T) {
	for _, give := range []string{"", "abc", strings.Repeat("z", 64), strings.Repeat("ab", 16)} {
		if _, err := New(give); err != ErrBadKey {
			t.Errorf("New(%q) = %v, want ErrBadKey", give, err)
		}
	}
}
