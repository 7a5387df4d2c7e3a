package chserver

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// commandLine returns the command line of pid from /proc, or "" when it
// cannot be read (another user's process, a zombie, no /proc).
func commandLine(pid int) string {
	if pid <= 0 {
		return ""
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return ""
	}
	return string(bytes.TrimSpace(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
}

// args returns the arguments of pid from /proc, or nil.
func args(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(b) == 0 {
		return nil
	}
	var out []string
	for _, a := range bytes.Split(bytes.TrimSuffix(b, []byte{0}), []byte{0}) {
		out = append(out, string(a))
	}
	return out
}

// alive says whether pid is a process that has not finished exiting. A
// zombie (exited, waiting for a parent that may never reap it) counts as
// gone once its other threads have exited too: until then they may still
// hold its files, listening sockets included.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return true // no /proc here (or it just exited): kill(2) is all we know
	}
	// The state follows the command name, which is in parentheses and may
	// itself contain ") ".
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z' {
		return true
	}
	tasks, err := os.ReadDir(dir + "/task")
	return err == nil && len(tasks) > 1
}

// describe names a process for an error message.
func describe(pid int, command string) string {
	switch {
	case pid <= 0:
		return "a process this user cannot see in /proc"
	case command == "":
		return fmt.Sprintf("pid %d", pid)
	default:
		return fmt.Sprintf("pid %d (%s)", pid, command)
	}
}
