package producers

import "sync"

// deliveries counts the records of one account that Kafka has not
// acknowledged yet, so that a checkpoint covers only an account whose
// records are all delivered, while other accounts keep publishing (a Flush
// of the whole client would wait for them too).
type deliveries struct {
	mu      sync.Mutex
	pending int
	sealed  bool
	done    chan struct{}
}

func newDeliveries() *deliveries { return &deliveries{done: make(chan struct{})} }

// add counts a record about to be produced.
func (d *deliveries) add() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending++
}

// delivered counts a record whose delivery callback ran, with or without an error.
func (d *deliveries) delivered() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending--
	if d.sealed && d.pending == 0 {
		close(d.done)
	}
}

// seal says no record is added any more; the channel closes once every
// record added was delivered.
func (d *deliveries) seal() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.sealed {
		d.sealed = true
		if d.pending == 0 {
			close(d.done)
		}
	}
	return d.done
}
