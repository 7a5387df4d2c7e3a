package config_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/adstream/adstream/internal/config"
)

func TestLoadCORSOrigins(t *testing.T) {
	tests := []struct {
		name      string
		give      string
		want      []string
		wantErrIn []string
	}{
		{name: "none by default"},
		{name: "exact origins, trimmed and lower-cased",
			give: " https://App.example.com , http://127.0.0.1:8080",
			want: []string{"https://app.example.com", "http://127.0.0.1:8080"}},
		{name: "default ports dropped as browsers do",
			give: "https://app.example.com:443,http://app.example.com:80,https://app.example.com:8443",
			want: []string{"https://app.example.com", "http://app.example.com", "https://app.example.com:8443"}},
		{name: "a trailing slash is the same origin", give: "https://app.example.com/", want: []string{"https://app.example.com"}},
		{name: "every bad entry named at once",
			give: "*,app.example.com,ftp://x.example.com,https://x.example.com/path,,https://x.example.com?q=1",
			wantErrIn: []string{`entry 1 "*" is not accepted`, `entry 2 "app.example.com" is not an origin`,
				`entry 3 "ftp://x.example.com" must start with http`, `entry 4 "https://x.example.com/path" must be scheme://host`,
				`entry 5 "" is empty`, `entry 6 "https://x.example.com?q=1" must be scheme://host`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.NewEnv(getenv(map[string]string{"ADSTREAM_CORS_ORIGINS": tt.give}))
			got := config.LoadCORSOrigins(e)
			err := e.Err()
			if tt.wantErrIn != nil {
				if err == nil {
					t.Fatalf("no error; want one naming %v", tt.wantErrIn)
				}
				for _, w := range tt.wantErrIn {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("origins = %q, want %q", got, tt.want)
			}
		})
	}
}
