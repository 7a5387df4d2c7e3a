package chserver

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// PortTakenError says another process listens on a port the server needs.
type PortTakenError struct {
	Port    int
	PID     int    // 0 when /proc does not show the listener (another user's process)
	Command string // the listener's command line, empty when unreadable
}

func (e *PortTakenError) Error() string {
	return fmt.Sprintf("port %d is taken by %s", e.Port, describe(e.PID, e.Command))
}

// checkPortFree returns a *PortTakenError when something listens on the
// loopback port.
func checkPortFree(port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err == nil {
		return l.Close()
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("port %d: %w", port, err)
	}
	pid := listenerPID(port)
	return &PortTakenError{Port: port, PID: pid, Command: commandLine(pid)}
}

// listenerPID returns the pid of a process listening on the TCP port, from
// /proc, or 0 when none is visible.
func listenerPID(port int) int {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		for _, ino := range listeningInodes(table, port) {
			inodes["socket:["+ino+"]"] = true
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		fdDir := filepath.Join("/proc", p.Name(), "fd")
		fds, _ := os.ReadDir(fdDir) // unreadable for other users' processes
		for _, fd := range fds {
			if link, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil && inodes[link] {
				return pid
			}
		}
	}
	return 0
}

// listeningInodes returns the socket inodes of table (/proc/net/tcp format)
// that listen on port.
func listeningInodes(table string, port int) []string {
	f, err := os.Open(table)
	if err != nil {
		return nil
	}
	defer f.Close()
	const listen = "0A"
	hexPort := fmt.Sprintf(":%04X", port)
	var out []string
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		// sl local_address rem_address st tx_queue rx_queue tr tm->when retrnsmt uid timeout inode
		f := strings.Fields(sc.Text())
		if len(f) > 9 && strings.HasSuffix(f[1], hexPort) && f[3] == listen {
			out = append(out, f[9])
		}
	}
	return out
}
