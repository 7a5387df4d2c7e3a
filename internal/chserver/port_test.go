package chserver_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/adstream/adstream/internal/chserver"
)

// A port held by anything but a server of the same directory is never taken
// over: Start says which port and which process, and the holder keeps it.
func TestStartRefusesPortsHeldByOthers(t *testing.T) {
	requireBinary(t)
	tests := []struct {
		name string
		// hold occupies port or port+1 and returns the holder's pid and a
		// part of its command line.
		hold     func(t *testing.T, port int) (pid int, cmdPart string)
		wantPort func(port int) int
	}{
		{name: "native port: private server of another directory",
			hold: func(t *testing.T, port int) (int, string) {
				other := t.TempDir()
				return start(t, other, port).PID(), other
			},
			wantPort: func(port int) int { return port }},
		{name: "native port: any other listener",
			hold: func(t *testing.T, port int) (int, string) {
				listen(t, port)
				return os.Getpid(), os.Args[0]
			},
			wantPort: func(port int) int { return port }},
		{name: "HTTP port",
			hold: func(t *testing.T, port int) (int, string) {
				listen(t, port+1)
				return os.Getpid(), os.Args[0]
			},
			wantPort: func(port int) int { return port + 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := freePorts(t)
			pid, cmdPart := tt.hold(t, port)
			dir := t.TempDir()

			srv, err := chserver.Start(context.Background(), chserver.Options{Dir: dir, TCPPort: port, HTTPPort: port + 1})
			if err == nil {
				srv.Stop()
				t.Fatalf("Start on a held port succeeded (server pid %d)", srv.PID())
			}
			var taken *chserver.PortTakenError
			if !errors.As(err, &taken) {
				t.Fatalf("err = %v, want a PortTakenError", err)
			}
			msg := err.Error()
			for _, want := range []string{fmt.Sprintf("port %d ", tt.wantPort(port)), fmt.Sprintf("pid %d ", pid), cmdPart} {
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q: %s", want, msg)
				}
			}
			if _, err := os.Stat(dir + "/server.pid"); err == nil {
				t.Errorf("a server was started in %s", dir)
			}
		})
	}
}

func listen(t *testing.T, port int) {
	t.Helper()
	l, err := net.Listen("tcp", addr(port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
}
