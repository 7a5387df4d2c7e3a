package chserver_test

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/adstream/adstream/internal/chserver"
)

// freePorts returns a free loopback port whose next port is free too (the
// server's native and HTTP ports).
func freePorts(t *testing.T) int {
	t.Helper()
	for range 50 {
		p, err := chserver.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1)); err == nil {
			l.Close()
			return p
		}
	}
	t.Fatal("no two adjacent free ports")
	return 0
}

func addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

func start(t *testing.T, dir string, port int) *chserver.Server {
	t.Helper()
	srv, err := chserver.Start(context.Background(), chserver.Options{Dir: dir, TCPPort: port, HTTPPort: port + 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

// leftover is a clickhouse-server run from a directory the way an owner that
// has since died left it: nobody holds the directory and nothing ties the
// server to this test process.
type leftover struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

func startLeftover(t *testing.T, dir string, port int) *leftover {
	t.Helper()
	bin, err := chserver.Binary()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := chserver.WriteConfig(dir, port, port+1)
	if err != nil {
		t.Fatal(err)
	}
	l := &leftover{cmd: exec.Command(bin, "--config-file="+cfg), exited: make(chan struct{})}
	l.cmd.Dir = dir
	l.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = l.cmd.Wait(); close(l.exited) }()
	t.Cleanup(func() {
		_ = l.cmd.Process.Kill()
		<-l.exited
	})
	waitAnswers(t, addr(port), l.exited)
	return l
}

// waitAnswers waits until addr accepts connections, at most 30 s.
func waitAnswers(t *testing.T, a string, exited <-chan struct{}) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("server for %s exited before it answered", a)
		default:
		}
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("nothing answers on %s after 30 s", a)
}

// exitedWithin says whether the channel closes within d.
func exitedWithin(exited <-chan struct{}, d time.Duration) bool {
	select {
	case <-exited:
		return true
	case <-time.After(d):
		return false
	}
}
