package deploy

import (
	"strings"
	"time"
)

// Applier carries out a controller's actions. It is all that differs between
// the callers of the controller (like the storage and transport behind
// etcd-io/raft's RawNode): the simulator moves its simulated alias, the AWS
// executor calls UpdateAlias and Invoke, the dry run prints those calls, and
// a journal replay notes where the alias should be.
type Applier interface {
	Apply(a Action) error
}

// ApplierFunc is a function used as an Applier.
type ApplierFunc func(Action) error

// Apply calls f(a).
func (f ApplierFunc) Apply(a Action) error { return f(a) }

// Record is one step of the controller, the structured timeline record: the
// event fed at time T and the actions it returned, in order.
type Record struct {
	T       time.Duration
	Event   Event
	Actions []Action
}

// String returns the record's canonical text: "<T> <event>", then " -> "
// and the actions separated by "; " if there are any, e.g.
// "5m0s Tick -> SetWeight 100".
func (r Record) String() string {
	var b strings.Builder
	b.WriteString(r.T.String())
	b.WriteString(" ")
	b.WriteString(r.Event.String())
	for i, a := range r.Actions {
		if i == 0 {
			b.WriteString(" -> ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(a.String())
	}
	return b.String()
}

// Driver owns a Controller and runs the loop that every caller of it needs,
// written once: feed an event, hand the step's Record to the observer before
// anything is carried out (so that a journal is written ahead of the calls
// it records), queue the actions, and carry them out in order through the
// Applier. An action that fails may lead to a new event of the caller's own
// (an AWS error stops the deployment): Stop may be called from inside Apply,
// and what it yields joins the queue being drained.
//
// A Tick that yields no action is not observed: it changes nothing a replay
// needs. Like the Controller, a Driver is used by one goroutine.
type Driver struct {
	ctl     *Controller
	apply   Applier
	observe func(Record) error
	queue   []Action // queue[head:] is still to be carried out
	head    int
}

// NewDriver returns a driver of a new controller for cfg. observe may be nil.
func NewDriver(cfg Config, apply Applier, observe func(Record) error) (*Driver, error) {
	ctl, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return &Driver{ctl: ctl, apply: apply, observe: observe, queue: make([]Action, 0, cap(ctl.out))}, nil
}

// Use replaces the applier and the observer: a journal is replayed with one
// pair, and the deployment goes on with another.
func (d *Driver) Use(apply Applier, observe func(Record) error) {
	d.apply, d.observe = apply, observe
}

// Controller returns the driven controller, for its Status, Deadline and
// Lifecycle; it must be stepped only through the driver.
func (d *Driver) Controller() *Controller { return d.ctl }

// Status returns the controller's status.
func (d *Driver) Status() Status { return d.ctl.status }

// Deadline returns the controller's next deadline (Controller.Deadline).
func (d *Driver) Deadline() (time.Duration, bool) { return d.ctl.Deadline() }

// Pending returns the actions queued and not yet carried out.
func (d *Driver) Pending() []Action { return d.queue[d.head:] }

// Step feeds ev at now, hands the record to the observer and queues the
// actions; it carries nothing out (Drain does). The record's Actions are the
// controller's own buffer: an observer that keeps them copies them. An
// observer's error is returned and the actions are not queued: nothing may
// be done that the journal does not hold.
func (d *Driver) Step(now time.Duration, ev Event) error {
	acts := d.ctl.Step(now, ev)
	if d.observe != nil && (ev.Kind != Tick || len(acts) > 0) {
		if err := d.observe(Record{T: d.ctl.now, Event: ev, Actions: acts}); err != nil {
			return err
		}
	}
	d.queue = append(d.queue, acts...)
	return nil
}

// Drain carries out the queued actions in order until none is left or one
// fails; the failed action is consumed, the rest stay queued.
func (d *Driver) Drain() error {
	for d.head < len(d.queue) {
		a := d.queue[d.head]
		d.head++
		if err := d.apply.Apply(a); err != nil {
			return err
		}
	}
	d.queue, d.head = d.queue[:0], 0 // the same storage serves the next step
	return nil
}

// Run is Step, then Drain.
func (d *Driver) Run(now time.Duration, ev Event) error {
	if err := d.Step(now, ev); err != nil {
		return err
	}
	return d.Drain()
}

// Stop stops the deployment at now for a reason of the caller's own (an AWS
// error, a failed alarm poll, an interrupt), rolling back if rollback: the
// forward actions still queued (weight steps, hook invocations) are dropped
// and a Stop event is fed. If the controller has already ended — its
// Rollback and Finish are queued behind the action that failed — only those
// are kept, and stopped is false: the controller's own cause stands.
func (d *Driver) Stop(now time.Duration, rollback bool) (stopped bool, err error) {
	if d.ctl.status.Terminal() {
		kept := d.queue[:d.head]
		for _, a := range d.queue[d.head:] {
			if a.Kind == Rollback || a.Kind == Finish {
				kept = append(kept, a)
			}
		}
		d.queue = kept
		return false, nil
	}
	d.queue = d.queue[:d.head]
	return true, d.Step(now, Event{Kind: Stop, Rollback: rollback})
}
