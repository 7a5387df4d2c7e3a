package graph

import (
	"context"
	"time"
)

// CallSlot is a caller's hold on one of a bounded number of Graph calls in
// flight (the producer's gate). WaitReportRun hands it back while it waits
// between a run's status polls and takes it again before the next poll, so
// that a bound on calls does not also count the runs waiting: with the slot
// held, eight waiting runs would stop every other call of a bound of eight.
// Acquire may return ctx's error, the slot then not held; the caller's
// final Release must release only a slot it holds.
type CallSlot interface {
	Acquire(ctx context.Context) error
	Release()
}

type callSlotKey struct{}

// WithCallSlot returns ctx carrying s: the calls made under it hold s, and
// a report run waiting under it releases s while it waits.
func WithCallSlot(ctx context.Context, s CallSlot) context.Context {
	return context.WithValue(ctx, callSlotKey{}, s)
}

// waitOutsideSlot waits d like sleep, with ctx's call slot, if any, given
// back meanwhile and taken again before it returns nil.
func (c *Client) waitOutsideSlot(ctx context.Context, d time.Duration) error {
	s, ok := ctx.Value(callSlotKey{}).(CallSlot)
	if !ok {
		return c.sleep(ctx, d)
	}
	s.Release()
	if err := c.sleep(ctx, d); err != nil {
		return err
	}
	return s.Acquire(ctx)
}
