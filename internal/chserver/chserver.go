// Package chserver runs a private ClickHouse server from the installed binary.
package chserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/adstream/adstream/deploy"
)

// ErrNoBinary says no clickhouse-server is installed; `make deps` installs it.
var ErrNoBinary = errors.New("clickhouse-server is not installed (run `make deps`)")

// Options places the server. Dir holds its data, config and logs.
type Options struct {
	Dir      string
	TCPPort  int // native protocol port
	HTTPPort int
	Log      *slog.Logger
}

// Server is a running private ClickHouse server.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	done chan error
	log  *slog.Logger
}

// Binary finds the clickhouse-server executable.
func Binary() (string, error) {
	for _, p := range []string{"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return p, nil
	}
	return "", ErrNoBinary
}

// Start renders the config under opts.Dir, starts the server and waits until
// it accepts connections (at most 60 s or until ctx ends). The server runs
// until Stop; it is not tied to ctx, so shutdown order stays with the caller.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	logDir := filepath.Join(dir, "log")
	for _, d := range []string{dir, logDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	cfg := strings.NewReplacer("{{DATA_DIR}}", dir, "{{LOG_DIR}}", logDir,
		"{{TCP_PORT}}", strconv.Itoa(opts.TCPPort), "{{HTTP_PORT}}", strconv.Itoa(opts.HTTPPort)).
		Replace(deploy.ClickHouseConfig)
	cfgPath := filepath.Join(dir, "config.xml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "users.xml"), []byte(deploy.ClickHouseUsers), 0o644); err != nil {
		return nil, err
	}
	out, err := os.Create(filepath.Join(logDir, "stdout.log"))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd := exec.Command(bin, "--config-file="+cfgPath)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.TCPPort)), cmd: cmd, done: make(chan error, 1), log: opts.Log}
	go func() { s.done <- cmd.Wait() }()
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.Stop()
		return nil, fmt.Errorf("clickhouse-server on %s did not start (logs in %s): %w", s.Addr, logDir, err)
	}
	return s, nil
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			c.Close()
			return nil
		}
	}
	return fmt.Errorf("no answer within %s", limit)
}

// Stop ends the server: SIGTERM, then SIGKILL after 10 s. Safe to call twice.
func (s *Server) Stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// FreePort asks the kernel for a free loopback TCP port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
