package chserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Files in a server's directory that say who runs it.
const (
	// ownerFile is locked (flock) by the process that owns the directory for
	// as long as it lives and holds that process's pid. The kernel drops the
	// lock when the owner dies, however it dies, so a lock that can be taken
	// means "no live owner" without trusting a pid that may have been reused.
	// Go opens files close-on-exec, so the server never inherits the lock.
	ownerFile = "owner.lock"
	// serverPIDFile holds the pid of the clickhouse-server the owner started,
	// so the next owner finds it even when it listens on another port now.
	serverPIDFile = "server.pid"
)

// DirBusyError says a live process already runs a private server from Dir.
type DirBusyError struct {
	Dir     string
	PID     int    // 0 when the owner file holds no pid yet
	Command string // the owner's command line, empty when unreadable
}

func (e *DirBusyError) Error() string {
	return fmt.Sprintf("%s is in use by %s, which runs a private ClickHouse from it", e.Dir, describe(e.PID, e.Command))
}

// claimDir makes this process the owner of dir, or returns a *DirBusyError.
func claimDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, ownerFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := readPID(path)
			return nil, &DirBusyError{Dir: dir, PID: pid, Command: commandLine(pid)}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err != nil {
		releaseDir(f)
		return nil, err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		releaseDir(f)
		return nil, err
	}
	return f, nil
}

// releaseDir gives up the ownership claimDir took; the pid stays in the file
// for nobody to trust, since only the lock counts.
func releaseDir(f *os.File) {
	if f != nil {
		_ = f.Close() // closing the last descriptor drops the flock
	}
}

func writePID(path string, pid int) error {
	return os.WriteFile(path, []byte(strconv.Itoa(pid)+"\n"), 0o644)
}

// readPID returns the pid stored at path, or 0.
func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
