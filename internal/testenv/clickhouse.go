package testenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/adstream/adstream/clickhouse/migrate"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/chserver"
	"github.com/adstream/adstream/internal/config"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ClickHouseImage is the image used where Docker answers.
const ClickHouseImage = "clickhouse/clickhouse-server:24.8.14.39" // as docker-compose.yml

var (
	chOnce sync.Once
	chAddr string
	chErr  error
	chStop func()
)

// ClickHouseAddr returns the address of a real ClickHouse server for this test
// process, starting one if needed, or skips/fails the test per ADSTREAM_E2E.
func ClickHouseAddr(t testing.TB) string {
	t.Helper()
	Integration(t)
	chOnce.Do(func() { chAddr, chStop, chErr = startClickHouse() })
	if chErr != nil {
		unavailable(t, "ClickHouse", chErr)
	}
	return chAddr
}

func startClickHouse() (string, func(), error) {
	if addr := os.Getenv("ADSTREAM_TEST_CLICKHOUSE_ADDR"); addr != "" {
		return addr, func() {}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if dockerAvailable() {
		c, err := testcontainers.Run(ctx, ClickHouseImage,
			testcontainers.WithExposedPorts("9000/tcp"),
			testcontainers.WithWaitStrategy(wait.ForListeningPort("9000/tcp")))
		if err != nil {
			return "", nil, fmt.Errorf("clickhouse container: %w", err)
		}
		ep, err := c.PortEndpoint(ctx, "9000/tcp", "")
		return ep, func() { _ = testcontainers.TerminateContainer(c) }, err
	}
	port, err := chserver.FreePort()
	if err != nil {
		return "", nil, err
	}
	httpPort, err := chserver.FreePort()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "adstream-ch-")
	if err != nil {
		return "", nil, err
	}
	srv, err := chserver.Start(ctx, chserver.Options{Dir: dir, TCPPort: port, HTTPPort: httpPort, Log: slog.Default()})
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return srv.Addr, func() { srv.Stop(); os.RemoveAll(dir) }, nil
}

// ClickHouse connects to the test server and creates a fresh, migrated
// database for this test, dropped when the test ends.
func ClickHouse(t testing.TB) (driver.Conn, config.ClickHouse) {
	t.Helper()
	cfg := config.ClickHouse{Addr: ClickHouseAddr(t), Database: UniqueName(t, "db"), Username: "default"}
	ctx := context.Background()
	conn, err := store.Open(ctx, cfg)
	if err != nil {
		unavailable(t, "ClickHouse", err)
	}
	if _, err := migrate.Apply(ctx, conn, cfg.Database, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrate %s: %v", cfg.Database, err)
	}
	t.Cleanup(func() {
		// The analysts' views first: they read the main database's tables.
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+cfg.Database+"_bi")
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+cfg.Database)
		conn.Close()
	})
	return conn, cfg
}

// PrivateClickHouse starts a ClickHouse server of this test's own from the
// installed binary, configured as `adstream dev` configures its private one
// (users default and adstream_bi), and returns its address; the server is
// stopped and its files removed when the test ends. For tests of the server's
// own configuration, which the shared test server may not have loaded yet.
func PrivateClickHouse(t testing.TB) string {
	t.Helper()
	Integration(t)
	if _, err := chserver.Binary(); err != nil {
		unavailable(t, "clickhouse-server", err)
	}
	port, err := chserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	httpPort, err := chserver.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := chserver.Start(ctx, chserver.Options{Dir: t.TempDir(), TCPPort: port, HTTPPort: httpPort})
	if err != nil {
		t.Fatalf("private clickhouse: %v", err)
	}
	t.Cleanup(srv.Stop)
	return srv.Addr
}

// UniqueName returns a name unique to this test run, safe as a ClickHouse
// identifier and a Kafka topic or group name.
func UniqueName(t testing.TB, prefix string) string {
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, t.Name())
	if len(clean) > 40 {
		clean = clean[:40]
	}
	return fmt.Sprintf("%s_%s_%d", prefix, clean, time.Now().UnixNano()%1e12)
}

// Main runs the tests of a package and then stops the servers it started.
// Call it from TestMain in packages with integration tests.
func Main(m *testing.M) {
	code := m.Run()
	if chStop != nil {
		chStop()
	}
	if kafkaStop != nil {
		kafkaStop()
	}
	os.Exit(code)
}

// Outage is a private ClickHouse server a test stops and starts again on the
// same ports and data, with a migrated database "outage" on it.
type Outage struct {
	t     testing.TB
	opts  chserver.Options
	srv   *chserver.Server
	Store *store.Store
	Addr  string
}

// OutageClickHouse starts an Outage server; it is stopped when the test ends.
func OutageClickHouse(t testing.TB) *Outage {
	t.Helper()
	Integration(t)
	if _, err := chserver.Binary(); err != nil {
		unavailable(t, "clickhouse-server", err)
	}
	tcp, err1 := chserver.FreePort()
	httpPort, err2 := chserver.FreePort()
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	o := &Outage{t: t, opts: chserver.Options{Dir: t.TempDir(), TCPPort: tcp, HTTPPort: httpPort}}
	o.Start()
	t.Cleanup(func() { o.srv.Stop() })
	ctx := context.Background()
	cfg := config.ClickHouse{Addr: o.Addr, Database: "outage", Username: "default"}
	conn, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := migrate.Apply(ctx, conn, cfg.Database, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	o.Store = store.New(conn, cfg.Database)
	return o
}

// Stop stops the server: its clients see it unreachable.
func (o *Outage) Stop() { o.srv.Stop() }

// Start starts the server again, with the data it had.
func (o *Outage) Start() {
	o.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := chserver.Start(ctx, o.opts)
	if err != nil {
		o.t.Fatalf("private clickhouse: %v", err)
	}
	o.srv, o.Addr = srv, srv.Addr
}
