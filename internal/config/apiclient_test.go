package config_test

import (
	"strings"
	"testing"

	"github.com/adstream/adstream/internal/config"
)

func TestLoadAPIClient(t *testing.T) {
	tests := []struct {
		name    string
		give    map[string]string
		want    config.APIClient
		wantErr string // empty: no error
	}{
		{name: "defaults", want: config.APIClient{URL: "http://127.0.0.1:8080"}},
		{name: "set, trailing slash dropped",
			give: map[string]string{"ADSTREAM_API_URL": "https://api.example.com/adstream/", "ADSTREAM_API_KEY": "k3y-0123456789abcdef"},
			want: config.APIClient{URL: "https://api.example.com/adstream", Key: "k3y-0123456789abcdef"}},
		{name: "not a URL", give: map[string]string{"ADSTREAM_API_URL": "127.0.0.1:8080"},
			want: config.APIClient{URL: "http://127.0.0.1:8080"}, wantErr: `ADSTREAM_API_URL: "127.0.0.1:8080" is not an absolute http(s) URL`},
		{name: "a key with a space, never shown", give: map[string]string{"ADSTREAM_API_KEY": "s3cr3t part"},
			want: config.APIClient{URL: "http://127.0.0.1:8080", Key: "s3cr3t part"}, wantErr: "ADSTREAM_API_KEY: contains a space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.NewEnv(getenv(tt.give))
			got := config.LoadAPIClient(e)
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			err := e.Check()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "s3cr3t"):
				t.Errorf("the key reached the error: %v", err)
			}
		})
	}
}
