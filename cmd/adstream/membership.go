package main

import (
	"log/slog"

	"github.com/adstream/adstream/internal/bus"
	"github.com/adstream/adstream/internal/config"
)

// instanceID settles the static group member id of this process of role: the
// configured one, else one bus.ProcessInstanceID holds for this process until
// release. Without one the process joins as a dynamic member: never sharing
// an id, but a restart after a crash waits out the session timeout.
func instanceID(m config.Membership, role string, log *slog.Logger) (id string, release func()) {
	if m.InstanceID != "" {
		return m.InstanceID, func() {}
	}
	id, release, err := bus.ProcessInstanceID(role)
	if err != nil {
		log.Warn("joining the group without an instance id: set ADSTREAM_INSTANCE_ID", "role", role, "err", err)
		return "", func() {}
	}
	return id, release
}
