package chserver_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/chserver"
	"github.com/adstream/adstream/internal/config"
	"github.com/adstream/adstream/internal/testenv"
)

// The private server `adstream dev` falls back to: it must start from the
// embedded config, answer queries, keep its data across restarts, and be
// gone after Stop.
func TestPrivateServerStartsAnswersAndStops(t *testing.T) {
	requireBinary(t)
	dir := t.TempDir()
	ctx := context.Background()
	start := func() *chserver.Server {
		tcp, _ := chserver.FreePort()
		httpPort, _ := chserver.FreePort()
		srv, err := chserver.Start(ctx, chserver.Options{Dir: dir, TCPPort: tcp, HTTPPort: httpPort, Log: slog.Default()})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := start()
	conn, err := store.Open(ctx, config.ClickHouse{Addr: srv.Addr, Username: "default"})
	if err != nil {
		srv.Stop()
		t.Fatal(err)
	}
	version, err := store.ServerVersion(ctx, conn)
	if err != nil || version == "" {
		t.Fatalf("version = %q, %v", version, err)
	}
	t.Logf("private ClickHouse %s at %s", version, srv.Addr)
	if err := conn.Exec(ctx, "CREATE TABLE default.kept (x UInt8) ENGINE = TinyLog"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	srv.Stop()
	if c, err := net.DialTimeout("tcp", srv.Addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("server still accepts connections on %s after Stop", srv.Addr)
	}

	srv = start()
	defer srv.Stop()
	conn, err = store.Open(ctx, config.ClickHouse{Addr: srv.Addr, Username: "default"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = 'default' AND name = 'kept'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("table created before the restart: found %d, %v", n, err)
	}
}

// requireBinary skips or fails the test, per ADSTREAM_E2E, when no
// clickhouse-server is installed.
func requireBinary(t *testing.T) {
	t.Helper()
	testenv.Integration(t)
	if _, err := chserver.Binary(); errors.Is(err, chserver.ErrNoBinary) {
		if testenv.CurrentMode() == testenv.Must {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}
