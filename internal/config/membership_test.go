package config_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/config"
)

func TestLoadMembership(t *testing.T) {
	tests := []struct {
		name string
		give map[string]string
		want config.Membership
	}{
		{name: "defaults", want: config.Membership{SessionTimeout: 45 * time.Second}},
		{
			name: "set",
			give: map[string]string{"ADSTREAM_INSTANCE_ID": "consumer-0.adstream", "ADSTREAM_KAFKA_SESSION_TIMEOUT": "10s"},
			want: config.Membership{InstanceID: "consumer-0.adstream", SessionTimeout: 10 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.NewEnv(getenv(tt.give))
			got := config.LoadMembership(e)
			if err := e.Check(); err != nil {
				t.Fatalf("Check() = %v, want nil", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("loaded %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoadMembershipRejects(t *testing.T) {
	tests := []struct {
		name string
		give map[string]string
		want []string // in the error
	}{
		{
			name: "an id Kafka refuses and a session below the broker minimum",
			give: map[string]string{"ADSTREAM_INSTANCE_ID": "web 1/consumer", "ADSTREAM_KAFKA_SESSION_TIMEOUT": "2s"},
			want: []string{"ADSTREAM_INSTANCE_ID", `"web 1/consumer"`, "ADSTREAM_KAFKA_SESSION_TIMEOUT", "2s is outside 6s"},
		},
		{
			name: "a session above the broker maximum",
			give: map[string]string{"ADSTREAM_KAFKA_SESSION_TIMEOUT": "1h"},
			want: []string{"ADSTREAM_KAFKA_SESSION_TIMEOUT", "1h0m0s is outside"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := config.NewEnv(getenv(tt.give))
			config.LoadMembership(e)
			err := e.Check()
			if err == nil {
				t.Fatal("Check() = nil, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}
