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
	"sync"
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
	Log      *slog.Logger // nil logs nothing
}

// Server is a running private ClickHouse server.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	// exited is closed once the process has been reaped.
	exited   chan struct{}
	owner    *os.File // the locked owner file of the directory
	dir      string
	stopOnce sync.Once
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

// Start claims opts.Dir for this process, renders the config under it, starts
// the server and waits until it accepts connections (at most 60 s or until
// ctx ends).
//
// Start fails with a *DirBusyError when a live process already owns opts.Dir,
// and with a *PortTakenError when another process holds one of the ports. A
// clickhouse-server still running from opts.Dir whose owner is dead is
// stopped first: it has no owner left to stop it, so it is never reused.
//
// The server runs until Stop or until this process ends, however it ends: it
// is not tied to ctx, so shutdown order stays with the caller.
func Start(ctx context.Context, opts Options) (*Server, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
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
	owner, err := claimDir(dir)
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.TCPPort)), exited: make(chan struct{}), owner: owner, dir: dir}
	if err := s.start(ctx, bin, opts, log); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// start runs the server once s owns its directory.
func (s *Server) start(ctx context.Context, bin string, opts Options, log *slog.Logger) error {
	if err := stopLeftover(s.dir, opts.TCPPort, log); err != nil {
		return err
	}
	for _, port := range []int{opts.TCPPort, opts.HTTPPort} {
		if err := checkPortFree(port); err != nil {
			return err
		}
	}
	cfgPath, err := writeConfig(s.dir, opts.TCPPort, opts.HTTPPort)
	if err != nil {
		return err
	}
	logDir := filepath.Join(s.dir, "log")
	out, err := os.Create(filepath.Join(logDir, "stdout.log"))
	if err != nil {
		return err
	}
	defer out.Close()
	s.cmd = exec.Command(bin, "--config-file="+cfgPath)
	s.cmd.Dir = s.dir
	s.cmd.Stdout, s.cmd.Stderr = out, out
	// Its own process group: Ctrl-C in a terminal reaches dev, which stops
	// the server last, after the roles that write to it.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := startTied(s.cmd, s.exited); err != nil {
		s.cmd = nil
		return fmt.Errorf("start %s: %w", bin, err)
	}
	if err := writePID(filepath.Join(s.dir, serverPIDFile), s.cmd.Process.Pid); err != nil {
		return err
	}
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		return fmt.Errorf("clickhouse-server on %s did not start (logs in %s): %w", s.Addr, logDir, err)
	}
	return nil
}

// writeConfig renders config.xml and users.xml into dir for the given ports
// and returns the path of config.xml.
func writeConfig(dir string, tcpPort, httpPort int) (string, error) {
	logDir := filepath.Join(dir, "log")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return "", err
	}
	cfg := strings.NewReplacer("{{DATA_DIR}}", dir, "{{LOG_DIR}}", logDir,
		"{{TCP_PORT}}", strconv.Itoa(tcpPort), "{{HTTP_PORT}}", strconv.Itoa(httpPort)).
		Replace(deploy.ClickHouseConfig)
	cfgPath := filepath.Join(dir, "config.xml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "users.xml"), []byte(deploy.ClickHouseUsers), 0o644); err != nil {
		return "", err
	}
	return cfgPath, nil
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("exited: %v", s.cmd.ProcessState)
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

// PID is the process id of the server.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop ends the server (SIGTERM, then SIGKILL after 10 s), waits for it and
// gives up the ownership of its directory. Safe to call twice.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.cmd != nil {
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
				<-s.exited
			}
			_ = os.Remove(filepath.Join(s.dir, serverPIDFile))
		}
		releaseDir(s.owner)
	})
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
