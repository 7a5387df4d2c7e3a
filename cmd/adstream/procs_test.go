package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binEnv names the adstream binary that role processes run (make chaos
// builds bin/adstream and sets it); without it they run this test binary
// as adstream (TestMain).
const binEnv = "ADSTREAM_TEST_BIN"

// proc is one process of the adstream binary running a role (`adstream
// producer`, …) with an environment of its own, as an operator would run
// it: tests kill it with SIGKILL and start it again. Its output goes to a
// file that the test log shows when the test fails. Its methods are called
// from one goroutine at a time.
type proc struct {
	name string
	args []string
	env  []string
	log  string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd ended
	exitErr error         // how it ended, once exited is closed
}

// startProc starts `adstream args...` with env (added to a minimal
// environment) and kills it when the test ends.
func startProc(t testing.TB, name string, env map[string]string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, args: args, log: filepath.Join(t.TempDir(), name+".log")}
	base := map[string]string{"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "TMPDIR": os.TempDir()}
	if os.Getenv(binEnv) == "" {
		base[runAsAdstream] = "1"
	}
	for k, v := range env {
		base[k] = v
	}
	keys := make([]string, 0, len(base))
	for k := range base {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.env = append(p.env, k+"="+base[k])
	}
	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("last output of %s:\n%s", name, p.tail(40))
		}
	})
	return p
}

// start runs the process; its output is appended to its log.
func (p *proc) start() error {
	bin := os.Getenv(binEnv)
	if bin == "" {
		bin = os.Args[0]
	}
	out, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "=== %s started %s\n", p.name, time.Now().Format(time.TimeOnly))
	cmd := exec.Command(bin, p.args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = p.env, out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		out.Close()
		p.mu.Lock()
		p.exitErr = err
		p.mu.Unlock()
		close(exited)
	}()
	p.mu.Lock()
	p.cmd, p.exited = cmd, exited
	p.mu.Unlock()
	return nil
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would,
// and waits until it is gone.
func (p *proc) kill() {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
	}
}

// wait waits for the process to end by itself and returns how it ended.
func (p *proc) wait(limit time.Duration) error {
	p.mu.Lock()
	exited := p.exited
	p.mu.Unlock()
	select {
	case <-exited:
	case <-time.After(limit):
		return fmt.Errorf("%s still running after %s", p.name, limit)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exitErr
}

// restart starts the process again and returns when it did.
func (p *proc) restart(t *testing.T) time.Time {
	t.Helper()
	at := time.Now()
	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	return at
}

// tail returns the last n lines of the process's output.
func (p *proc) tail(n int) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
