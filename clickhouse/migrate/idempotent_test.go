package migrate

import (
	"errors"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func TestRanBeforeOnlyForwardsOtherFailures(t *testing.T) {
	exists := func(code int32, msg string) error { return &clickhouse.Exception{Code: code, Message: msg} }
	tests := []struct {
		name string
		stmt string
		err  error
		want bool
	}{
		{"column another process added", "-- why\nALTER TABLE d.t\n ADD COLUMN a Int64", exists(44, "Cannot add column a: column with this name already exists"), true},
		{"table another process created", "CREATE TABLE IF NOT EXISTS d.t (a Int64) ENGINE = Log", exists(57, "Table d.t already exists."), true},
		{"create without IF NOT EXISTS", "CREATE TABLE d.t (a Int64) ENGINE = Log", exists(57, "Table d.t already exists."), false},
		{"other ALTER failure", "ALTER TABLE d.t ADD COLUMN a Int64", exists(44, "Cannot add column a: type mismatch"), false},
		{"column exists for a comment's ADD COLUMN", "-- then ADD COLUMN\nALTER TABLE d.t MODIFY COLUMN a Int64", exists(44, "already exists"), false},
		{"not a server exception", "ALTER TABLE d.t ADD COLUMN a Int64", errors.New("connection reset: already exists"), false},
	}
	for _, tt := range tests {
		if got := ranBefore(tt.stmt, tt.err); got != tt.want {
			t.Errorf("%s: ranBefore = %v, want %v", tt.name, got, tt.want)
		}
	}
}
