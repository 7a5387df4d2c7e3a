package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// trimConsumed deletes the records every consumer group has committed past:
// on each partition some group committed on, everything below the lowest
// offset any group committed there. Time retention alone keeps every record
// of the last Retention, which at 100k ads is several syncs' worth (some
// 12 MB per 10k ads synced); committed records are never read again (a
// restarted member resumes from its commit). A group that never committed on
// a partition does not hold it back: in dev each topic has one reading
// group, and a partition no group committed on keeps time retention.
func trimConsumed(ctx context.Context, adm *kadm.Client) error {
	groups, err := adm.ListGroups(ctx)
	if err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	if len(groups) == 0 {
		return nil
	}
	low := kadm.Offsets{}
	var errs []error
	for _, r := range adm.FetchManyOffsets(ctx, groups.Groups()...) {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("offsets of group %s: %w", r.Group, r.Err))
			continue
		}
		r.Fetched.Each(func(o kadm.OffsetResponse) {
			if o.Err != nil || o.At < 0 {
				return
			}
			if cur, ok := low.Lookup(o.Topic, o.Partition); ok && cur.At <= o.At {
				return
			}
			low.Delete(o.Topic, o.Partition) // Add keeps the higher of two offsets
			low.Add(kadm.Offset{Topic: o.Topic, Partition: o.Partition, At: o.At, LeaderEpoch: -1})
		})
	}
	// One group's offsets not read: deleting by the others could drop what
	// it has yet to read.
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	resp, err := adm.DeleteRecords(ctx, low)
	if err != nil {
		return fmt.Errorf("delete consumed records: %w", err)
	}
	resp.Each(func(d kadm.DeleteRecordsResponse) {
		// Below the log start already: time retention got there first.
		if d.Err != nil && !errors.Is(d.Err, kerr.OffsetOutOfRange) {
			errs = append(errs, fmt.Errorf("delete consumed records of %s/%d: %w", d.Topic, d.Partition, d.Err))
		}
	})
	return errors.Join(errs...)
}
