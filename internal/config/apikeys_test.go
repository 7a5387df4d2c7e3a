package config_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/adstream/adstream/internal/config"
)

func TestLoadAPIAccess(t *testing.T) {
	const k1, k2 = "key-one-0123456789", "key-two-0123456789"
	tests := []struct {
		name      string
		give      map[string]string
		want      config.APIAccess
		wantKeys  []string
		wantErrIn []string // each must appear in the error; nil means no error
	}{
		{name: "defaults", want: config.APIAccess{RateLimit: 600, SyncRateLimit: 30}},
		{name: "keys, trimmed", give: map[string]string{"ADSTREAM_API_KEYS": " " + k1 + " , " + k2 + " "},
			want: config.APIAccess{RateLimit: 600, SyncRateLimit: 30}, wantKeys: []string{k1, k2}},
		{name: "limits off and no auth allowed",
			give: map[string]string{"ADSTREAM_RATE_LIMIT": "0", "ADSTREAM_SYNC_RATE_LIMIT": "0", "ADSTREAM_ALLOW_NO_AUTH": "true"},
			want: config.APIAccess{AllowNoAuth: true}},
		{name: "bad values named at once",
			give:      map[string]string{"ADSTREAM_API_KEYS": k1 + ",short-s3cr3t,,has space s3cr3t-long", "ADSTREAM_RATE_LIMIT": "-1", "ADSTREAM_SYNC_RATE_LIMIT": "many", "ADSTREAM_ALLOW_NO_AUTH": "yes please"},
			wantErrIn: []string{"ADSTREAM_API_KEYS: entry 2 is shorter", "ADSTREAM_API_KEYS: entry 3 is empty", "ADSTREAM_API_KEYS: entry 4 contains a space", "ADSTREAM_RATE_LIMIT", "ADSTREAM_SYNC_RATE_LIMIT", "ADSTREAM_ALLOW_NO_AUTH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.NewEnv(getenv(tt.give))
			got := config.LoadAPIAccess(e)
			err := e.Err()
			if tt.wantErrIn != nil {
				if err == nil {
					t.Fatalf("no error, want one naming %v", tt.wantErrIn)
				}
				for _, w := range tt.wantErrIn {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("error shows a key:\n%v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if keys := got.RevealKeys(); len(keys) > 0 || len(tt.wantKeys) > 0 {
				if !reflect.DeepEqual(keys, tt.wantKeys) {
					t.Errorf("keys = %v, want %v", keys, tt.wantKeys)
				}
			}
			got.Keys = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAPIKeysNeverPrinted(t *testing.T) {
	e := config.NewEnv(getenv(map[string]string{"ADSTREAM_API_KEYS": "s3cr3t-0123456789abcdef"}))
	a := config.LoadAPIAccess(e)
	for _, out := range []string{fmt.Sprint(a), fmt.Sprintf("%+v", a), fmt.Sprintf("%#v", a)} {
		if strings.Contains(out, "s3cr3t") {
			t.Errorf("printed settings show a key: %s", out)
		}
	}
}

// Keys scoped to brands: "key:brand1,brand2;key2:*"; a plain key keeps
// meaning every brand.
func TestLoadScopedAPIKeys(t *testing.T) {
	const k1, k2, k3 = "key-one-0123456789", "key-two-0123456789", "key-three-0123456789"
	all := []string{config.AllBrands}
	tests := []struct {
		name      string
		give      string
		want      []config.APIKey
		wantErrIn []string
	}{
		{name: "plain keys mean every brand", give: k1 + "," + k2,
			want: []config.APIKey{{Key: k1, Brands: all}, {Key: k2, Brands: all}}},
		{name: "scoped, admin and plain in one list", give: k1 + ":acme, brand-2 ; " + k2 + ":* ;" + k3,
			want: []config.APIKey{{Key: k1, Brands: []string{"acme", "brand-2"}}, {Key: k2, Brands: all}, {Key: k3, Brands: all}}},
		{name: "bad entries named by position, never by key",
			give: k1 + ":;" + k2 + ":acme,*;" + ":acme;" + "short-s3cr3t:acme;" + k3 + ":bad brand;" + "s3cr3t-0123456789a,s3cr3t-0123456789b",
			wantErrIn: []string{"entry 1: no brands after ':'", "entry 2: '*' must stand alone", "entry 3 has no key before ':'",
				"entry 4 is shorter than 16", `entry 5: brand "bad brand" is not a brand id`, "entry 6 holds a ','"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.NewEnv(getenv(map[string]string{"ADSTREAM_API_KEYS": tt.give}))
			got := config.LoadAPIAccess(e).Keys
			err := e.Err()
			if tt.wantErrIn != nil {
				if err == nil {
					t.Fatalf("no error, want one naming %v", tt.wantErrIn)
				}
				for _, w := range tt.wantErrIn {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
				if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), k1) {
					t.Errorf("error shows a key:\n%v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("keys = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestStreamKey(t *testing.T) {
	for give, wantErr := range map[string]bool{"": false, strings.Repeat("ab", 32): false, "s3cr3t": true, strings.Repeat("zz", 32): true} {
		e := config.NewEnv(getenv(map[string]string{"ADSTREAM_STREAM_KEY": give}))
		got := config.LoadAPIAccess(e).StreamKey
		err := e.Err()
		if (err != nil) != wantErr || (err == nil && got.Reveal() != give) {
			t.Errorf("ADSTREAM_STREAM_KEY=%q: key %q, err %v; want error %v", give, got.Reveal(), err, wantErr)
		}
		if err != nil && strings.Contains(err.Error(), give) {
			t.Errorf("the error shows the key: %v", err)
		}
	}
}
