package bus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
)

// maxSlots bounds how many processes of one role ProcessInstanceID tells
// apart on one machine.
const maxSlots = 64

// ProcessInstanceID returns a static group-membership id for this process of
// role (Member.InstanceID) that no other live process of role on this machine
// holds: "<hostname>-<role>-<n>", n the lowest free slot. A slot is an
// exclusive lock (flock) on a file under the temp directory; the kernel drops
// it when the process exits, however it exits, kill -9 included. So a process
// restarted on the machine takes the slot back, and with its id the
// partitions of the process it replaces, while two processes running side by
// side never share an id. release drops the slot; the process must not use
// the id afterwards.
//
// Processes that share a hostname but not a temp directory (containers in
// one Kubernetes pod, or with the host's hostname) cannot see each other's
// slots: give those an id of their own.
func ProcessInstanceID(role string) (id string, release func(), err error) {
	host, err := os.Hostname()
	if err != nil {
		return "", nil, fmt.Errorf("instance id: %w", err)
	}
	return instanceID(filepath.Join(os.TempDir(), "adstream-instances"), host, role)
}

var notInstanceIDChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func instanceID(dir, host, role string) (string, func(), error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", nil, fmt.Errorf("instance id: %w", err)
	}
	// Sticky and world-writable like /tmp, so every user's processes can
	// take slots (best effort: only the directory's owner may change it).
	_ = os.Chmod(dir, 0o777|os.ModeSticky)
	host = notInstanceIDChars.ReplaceAllString(host, "_")
	if len(host) > 200 { // Kafka takes ids of up to 249 characters
		host = host[:200]
	}
	prefix := host + "-" + role
	for n := range maxSlots {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("%s-%d.lock", prefix, n)), os.O_RDONLY|os.O_CREATE, 0o644)
		if err != nil {
			return "", nil, fmt.Errorf("instance id: %w", err)
		}
		switch err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); {
		case err == nil:
			return fmt.Sprintf("%s-%d", prefix, n), func() { f.Close() }, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			f.Close() // another live process holds this slot
		default:
			f.Close()
			return "", nil, fmt.Errorf("instance id: lock %s: %w", f.Name(), err)
		}
	}
	return "", nil, fmt.Errorf("instance id: all %d slots of role %s on this machine are taken", maxSlots, role)
}
