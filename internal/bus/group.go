package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Member is how a process takes part in a consumer group.
//
// A member that dies without leaving keeps its partitions until the group
// gives up on it. With a dynamic member (no InstanceID) a replacement waits
// the dead member's whole session timeout; a static member (KIP-345) that
// comes back with the same InstanceID takes its partitions back at once,
// without a rebalance. A member that stops cleanly leaves (Leave), so the
// others take its partitions at once either way.
type Member struct {
	Group string
	// InstanceID makes the member static when set. Two live members of a
	// group must never share one: the newer fences the older (see Fenced).
	// ProcessInstanceID gives one that is unique on its machine.
	InstanceID string
	// SessionTimeout is how long the group waits for a member that stopped
	// heartbeating before it gives the member's partitions to the others;
	// zero keeps Kafka's 45 s. Only a member that dies and does not come
	// back under its InstanceID waits it out. Shorter evicts sooner but also
	// evicts a member whose heartbeats a network blip or a stalled host
	// delayed, which costs a rebalance and redelivered records (KIP-735
	// raised Kafka's default from 10 s to 45 s for that reason). The broker
	// refuses values outside group.min/max.session.timeout.ms (6 s–30 min by
	// default).
	SessionTimeout time.Duration
}

// Opts returns the client options that join m's group as m.
func (m Member) Opts() []kgo.Opt {
	opts := []kgo.Opt{kgo.ConsumerGroup(m.Group)}
	if m.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(m.InstanceID))
	}
	if m.SessionTimeout > 0 {
		// Kafka asks for heartbeats at most a third of the session apart;
		// a fifth leaves room for one lost heartbeat more.
		opts = append(opts, kgo.SessionTimeout(m.SessionTimeout),
			kgo.HeartbeatInterval(min(3*time.Second, m.SessionTimeout/5)))
	}
	return opts
}

// Leave takes cl, a client built with m.Opts, out of the group, so that the
// other members take its partitions now rather than after the session
// timeout. Call it on shutdown after the last commit and before Close; cl
// consumes nothing afterwards. ctx bounds the leave.
//
// franz-go's Close leaves the group for a dynamic member but not for a
// static one, whose restart is meant to take its partitions back. A process
// that stops cleanly may not come back soon (scale-down, a host drained), so
// Leave stops cl's group management and then sends the LeaveGroup for the
// instance id itself. It names the member id too: should another process
// have taken the instance id meanwhile, the broker keeps that one.
func (m Member) Leave(ctx context.Context, cl *kgo.Client) error {
	memberID, _ := cl.GroupMetadata()
	cl.AllowRebalance() // a rebalance held by BlockRebalanceOnPoll would hold the leave
	if err := cl.LeaveGroupContext(ctx); err != nil {
		return fmt.Errorf("leave group %s: %w", m.Group, err)
	}
	if m.InstanceID == "" || memberID == "" {
		return nil
	}
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Group = m.Group
	member := kmsg.NewLeaveGroupRequestMember()
	member.MemberID = memberID
	member.InstanceID = kmsg.StringPtr(m.InstanceID)
	member.Reason = kmsg.StringPtr("adstream shutting down")
	req.Members = append(req.Members, member)
	resp, err := req.RequestWith(ctx, cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
		for _, mr := range resp.Members {
			err = errors.Join(err, kerr.ErrorForCode(mr.ErrorCode))
		}
	}
	// Gone already (its session expired) or replaced: out of the group either way.
	if err != nil && !errors.Is(err, kerr.UnknownMemberID) && !errors.Is(err, kerr.FencedInstanceID) {
		return fmt.Errorf("leave group %s as %s: %w", m.Group, m.InstanceID, err)
	}
	return nil
}

// LeaveAndClose is the end of a member's client: it leaves the group (Leave,
// within 5 s) and closes cl. A leave that fails is logged: the group then
// hands the partitions on after the session timeout.
func (m Member) LeaveAndClose(cl *kgo.Client, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Leave(ctx, cl); err != nil {
		log.Warn("leave consumer group", "group", m.Group, "err", err)
	}
	cl.CloseAllowingRebalance()
}

// Fenced returns an error when fetches report that another process joined
// the group with m's instance id, which makes the group drop this one: the
// two would take the id from each other on every rejoin, so the caller
// should stop. It returns nil otherwise.
func (m Member) Fenced(fetches kgo.Fetches) error {
	var fenced error
	fetches.EachError(func(_ string, _ int32, err error) {
		if fenced == nil && errors.Is(err, kerr.FencedInstanceID) {
			fenced = fmt.Errorf("group %s: another process joined as instance %q; every process needs its own instance id: %w", m.Group, m.InstanceID, err)
		}
	})
	return fenced
}
