package chserver_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/adstream/adstream/clickhouse/migrate"
	"github.com/adstream/adstream/clickhouse/store"
	"github.com/adstream/adstream/internal/chserver"
	"github.com/adstream/adstream/internal/config"
)

// A server still running from the directory after its owner died is stopped
// and replaced by one this owner controls: also when the user deleted the
// directory under it (reusing such a server fails every query that reads a
// table, as a tester found: "Could not find a column of minimum size"), and
// when the new owner uses another port (the old server holds the directory).
func TestStartReplacesServerLeftRunningInItsDirectory(t *testing.T) {
	requireBinary(t)
	tests := []struct {
		name       string
		deleteData bool
		newPort    bool // the owner recorded the server's pid, as Start does
	}{
		{name: "directory kept"},
		{name: "directory deleted", deleteData: true},
		{name: "new owner on another port", newPort: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "clickhouse")
			port := freePorts(t)
			old := startLeftover(t, dir, port)
			if tt.newPort {
				pidFile := filepath.Join(dir, chserver.ServerPIDFile)
				if err := os.WriteFile(pidFile, []byte(strconv.Itoa(old.cmd.Process.Pid)), 0o644); err != nil {
					t.Fatal(err)
				}
				port = freePorts(t)
			}
			if tt.deleteData {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			}

			srv := start(t, dir, port)
			if !exitedWithin(old.exited, 5*time.Second) {
				t.Fatalf("the server left running (pid %d) still runs next to the new one (pid %d)", old.cmd.Process.Pid, srv.PID())
			}
			ctx := context.Background()
			conn, err := store.Open(ctx, config.ClickHouse{Addr: srv.Addr, Username: "default"})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := migrate.Apply(ctx, conn, "adstream", slog.New(slog.DiscardHandler)); err != nil {
				t.Fatalf("migrate the new server: %v", err)
			}
		})
	}
}

// Two owners never share a directory: the second Start says who has it and
// leaves the first server running.
func TestStartRefusesDirectoryOfLiveOwner(t *testing.T) {
	requireBinary(t)
	dir := t.TempDir()
	first := start(t, dir, freePorts(t))

	_, err := chserver.Start(context.Background(), chserver.Options{Dir: dir, TCPPort: freePorts(t)})
	var busy *chserver.DirBusyError
	if !errors.As(err, &busy) {
		t.Fatalf("second Start in %s: err = %v, want a DirBusyError", dir, err)
	}
	if busy.PID != os.Getpid() {
		t.Errorf("owner pid = %d, want this test's %d (error: %v)", busy.PID, os.Getpid(), err)
	}
	waitAnswers(t, first.Addr, nil)
}
