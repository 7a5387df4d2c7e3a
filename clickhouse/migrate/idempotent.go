package migrate

import (
	"errors"
	"regexp"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ClickHouse error codes of a statement another process ran first.
const (
	codeColumnExists   = 44 // ILLEGAL_COLUMN: "Cannot add column x: column with this name already exists"
	codeTableExists    = 57 // TABLE_ALREADY_EXISTS
	codeDatabaseExists = 82 // DATABASE_ALREADY_EXISTS
)

var (
	addColumn       = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s.*\bADD\s+COLUMN\b`)
	createIfMissing = regexp.MustCompile(`(?is)^\s*CREATE\s.*\bIF\s+NOT\s+EXISTS\b`)
	existsMessage   = regexp.MustCompile(`(?i)already exists`)
	commentLine     = regexp.MustCompile(`(?m)^\s*--.*$`)
)

// ranBefore reports whether stmt failed only because another process
// migrating the same database at once ran it first: every role migrates at
// start, and 18.16 has neither ADD COLUMN IF NOT EXISTS nor a DDL lock (an
// ALTER adds all its columns or none), while two CREATE … IF NOT EXISTS can
// race past the check. The schema then is what stmt makes.
func ranBefore(stmt string, err error) bool {
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) || !existsMessage.MatchString(ex.Message) {
		return false
	}
	stmt = commentLine.ReplaceAllString(stmt, "")
	switch ex.Code {
	case codeColumnExists:
		return addColumn.MatchString(stmt)
	case codeTableExists, codeDatabaseExists:
		return createIfMissing.MatchString(stmt)
	}
	return false
}
