package store

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Store reads and writes one adstream database. It is safe for concurrent
// use: inserts of daily rows of different days of ads run at once, those
// sharing a day of an ad one after the other.
type Store struct {
	conn driver.Conn
	db   string
	days *dayLocks
}

// New returns a Store over conn for the given database (already migrated).
func New(conn driver.Conn, database string) *Store {
	return &Store{conn: conn, db: database, days: &dayLocks{held: map[brandAd][]heldDays{}}}
}

// Conn returns the underlying connection, for health checks.
func (s *Store) Conn() driver.Conn { return s.conn }

func (s *Store) table(name string) string { return s.db + "." + name }

// Ping checks that ClickHouse answers.
func (s *Store) Ping(ctx context.Context) error { return s.conn.Ping(ctx) }

// Database is the database the Store reads and writes.
func (s *Store) Database() string { return s.db }
