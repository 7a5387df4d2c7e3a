package config

import (
	"regexp"
	"time"
)

// Membership is how a producer or consumer process joins its consumer group.
type Membership struct {
	// InstanceID is ADSTREAM_INSTANCE_ID: the static group member id of this
	// process, unique among the processes of its role. Empty (the default)
	// lets the role derive one that is unique on its machine and stable
	// across restarts there (bus.ProcessInstanceID).
	InstanceID string
	// SessionTimeout is ADSTREAM_KAFKA_SESSION_TIMEOUT, default 45s (Kafka's):
	// how long the group waits for a member that died and did not come back
	// under its instance id.
	SessionTimeout time.Duration
}

// Kafka's rules for a group.instance.id, the same as for topic names.
var instanceIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,249}$`)

// Kafka brokers' default group.min.session.timeout.ms and
// group.max.session.timeout.ms: a join outside them is refused.
const (
	minSessionTimeout = 6 * time.Second
	maxSessionTimeout = 30 * time.Minute
)

// LoadMembership reads the group membership section.
func LoadMembership(e *Env) Membership {
	m := Membership{
		InstanceID: e.String("ADSTREAM_INSTANCE_ID", "",
			"static Kafka group member id of this producer or consumer process, unique per role; empty derives <hostname>-<role>-<n>, unique on this machine and kept across restarts"),
		SessionTimeout: e.Duration("ADSTREAM_KAFKA_SESSION_TIMEOUT", 45*time.Second,
			"how long Kafka waits for a producer or consumer that died and did not restart under its instance id before others take its work"),
	}
	if m.InstanceID != "" && !instanceIDPattern.MatchString(m.InstanceID) {
		e.Fail("ADSTREAM_INSTANCE_ID", "%q must be 1 to 249 letters, digits, '.', '_' or '-'", m.InstanceID)
	}
	if m.SessionTimeout < minSessionTimeout || m.SessionTimeout > maxSessionTimeout {
		e.Fail("ADSTREAM_KAFKA_SESSION_TIMEOUT", "%s is outside %s to %s, what Kafka brokers accept by default", m.SessionTimeout, minSessionTimeout, maxSessionTimeout)
	}
	return m
}
