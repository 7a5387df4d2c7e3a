package migrate_test

import (
	"slices"
	"testing"

	"github.com/adstream/adstream/clickhouse/migrate"
)

func TestStatements(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []string
	}{
		{name: "one statement without semicolon", give: "-- why\nCREATE TABLE a (x UInt8)\nENGINE = Memory\n",
			want: []string{"-- why\nCREATE TABLE a (x UInt8)\nENGINE = Memory"}},
		{name: "statements end at a line's last semicolon", give: "-- why;\nCREATE TABLE a AS b ENGINE = Null;\n\nCREATE VIEW v AS SELECT 'a;b' AS x\n    FROM a;\n",
			want: []string{"-- why;\nCREATE TABLE a AS b ENGINE = Null", "CREATE VIEW v AS SELECT 'a;b' AS x\n    FROM a"}},
		{name: "a trailing comment is no statement", give: "SELECT 1;\n-- the end\n", want: []string{"SELECT 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := migrate.Statements(tt.give); !slices.Equal(got, tt.want) {
				t.Errorf("Statements = %q, want %q", got, tt.want)
			}
		})
	}
}

// Every embedded migration splits into statements that each hold SQL.
func TestEveryMigrationHasStatements(t *testing.T) {
	all, err := migrate.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if len(migrate.Statements(m.SQL)) == 0 {
			t.Errorf("migration %04d_%s has no statement", m.Version, m.Name)
		}
	}
}
