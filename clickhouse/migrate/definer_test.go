package migrate

import (
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

func TestViewDefiner(t *testing.T) {
	tests := []struct {
		give proto.Version
		want string
	}{
		{give: proto.Version{Major: 18, Minor: 16, Patch: 1}, want: ""},
		{give: proto.Version{Major: 24, Minor: 3}, want: ""},
		{give: proto.Version{Major: 24, Minor: 8, Patch: 14}, want: "DEFINER = CURRENT_USER SQL SECURITY DEFINER"},
		{give: proto.Version{Major: 25, Minor: 1}, want: "DEFINER = CURRENT_USER SQL SECURITY DEFINER"},
	}
	for _, tt := range tests {
		if got := viewDefiner(tt.give); got != tt.want {
			t.Errorf("viewDefiner(%v) = %q, want %q", tt.give, got, tt.want)
		}
	}
}
