package config_test

import (
	"testing"

	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/schemas"
)

// A registry subject follows the topic's configured name, so two
// deployments with their own prefix never share a subject.
func TestTopicsNamedFollowsThePrefix(t *testing.T) {
	env := config.NewEnv(func(k string) string {
		if k == "ADSTREAM_TOPIC_PREFIX" {
			return "staging"
		}
		return ""
	})
	topics := config.LoadTopics(env)
	tests := []struct{ give, want string }{
		{schemas.TopicAds, "staging.ads.v1"},
		{schemas.TopicSyncRequests, topics.SyncRequests},
		{schemas.TopicDLQ, topics.DLQ},
		{"some.other.topic", "some.other.topic"},
	}
	for _, tt := range tests {
		if got := topics.Named(tt.give); got != tt.want {
			t.Errorf("Named(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}
