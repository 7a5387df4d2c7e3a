package chserver

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"syscall"
	"time"
)

// stopLeftover ends a clickhouse-server that still runs from dir's config
// after its owner died. The caller owns dir, so such a server has nobody left
// to stop it: reusing it would leave it running after this owner too, and
// its data directory may be gone (a user deleting .data), which makes every
// later query fail. A server from any other directory is left alone.
//
// The candidates are the pid in server.pid and whatever listens on tcpPort
// (a server from before server.pid existed).
func stopLeftover(dir string, tcpPort int, log *slog.Logger) error {
	cfgPath := filepath.Join(dir, "config.xml")
	candidates := []int{readPID(filepath.Join(dir, serverPIDFile))}
	if pid := listenerPID(tcpPort); pid != candidates[0] {
		candidates = append(candidates, pid)
	}
	for _, pid := range candidates {
		if pid <= 0 || !alive(pid) || !runsConfig(pid, cfgPath) {
			continue
		}
		log.Warn("stopping the private ClickHouse its dead owner left running", "pid", pid, "dir", dir)
		if err := terminate(pid); err != nil {
			return err
		}
	}
	return nil
}

// runsConfig says whether pid is a clickhouse-server started with cfgPath
// (as --config-file=PATH, the way Start and deploy/local/clickhouse.sh do, or
// as --config-file PATH).
func runsConfig(pid int, cfgPath string) bool {
	a := args(pid)
	if len(a) == 0 || filepath.Base(a[0]) != "clickhouse-server" {
		return false
	}
	for i, arg := range a {
		if arg == "--config-file="+cfgPath || arg == "--config-file" && i+1 < len(a) && a[i+1] == cfgPath {
			return true
		}
	}
	return false
}

// terminate sends pid SIGTERM, SIGKILL after 10 s, and waits until it is gone.
func terminate(pid int) error {
	for _, step := range []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGTERM, 10 * time.Second}, {syscall.SIGKILL, 5 * time.Second}} {
		_ = syscall.Kill(pid, step.sig)
		for deadline := time.Now().Add(step.wait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if !alive(pid) {
				return nil
			}
		}
	}
	return fmt.Errorf("clickhouse-server pid %d left running from an earlier run did not exit after SIGKILL", pid)
}
