package sim

// event is one control event of the run: anything but a request arrival.
// Requests are merged into the loop from the traffic source directly, so the
// queue holds only the few thousand control events of a run.
type event struct {
	at   int64  // virtual time, ns
	prio uint8  // order among events at the same instant (see the ev* constants)
	seq  uint32 // insertion order: the final tie-break, so order is total
	kind uint8
	arg  int32
}

// Kinds of control event, listed in the order they are handled when they
// fall on the same instant: a fault takes effect first; the metric bucket
// that ends then is closed; a deployment step due then is applied before
// the alarms are evaluated (reference workload: "a weight step is applied
// before the alarm evaluation"); CodeDeploy reads alarm states after they
// were evaluated; a deployment that starts at t sees the states of t.
const (
	evFault uint8 = iota
	evBucket
	evDeployTick
	evHookReport
	evEval
	evPoll
	evDeployStart
	// A gate's measurement, asked for by the controller at this instant, is
	// taken after everything else of the instant (docs/gates.md); a user's
	// promotion of a paused rollout comes last.
	evMeasure
	evPromote
	// A user's StopDeployment (Model.ManualStop) comes after everything the
	// controller did at the instant, as an interrupt reaches the alias
	// executor once the step's actions are carried out.
	evManualStop
)

// queue is a binary min-heap over a slice of concrete events: no interface
// boxing, no allocation once grown (container/heap costs two allocations per
// push and pop here).
type queue struct {
	ev  []event
	seq uint32
}

func (q *queue) less(i, j int) bool {
	a, b := &q.ev[i], &q.ev[j]
	if a.at != b.at {
		return a.at < b.at
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	return a.seq < b.seq
}

func (q *queue) push(at int64, kind uint8, arg int32) {
	q.seq++
	q.ev = append(q.ev, event{at: at, prio: kind, kind: kind, arg: arg, seq: q.seq})
	i := len(q.ev) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.ev[i], q.ev[p] = q.ev[p], q.ev[i]
		i = p
	}
}

func (q *queue) len() int { return len(q.ev) }

// top is the earliest event's time; the queue must not be empty.
func (q *queue) top() int64 { return q.ev[0].at }

func (q *queue) pop() event {
	e := q.ev[0]
	n := len(q.ev) - 1
	q.ev[0] = q.ev[n]
	q.ev = q.ev[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.less(r, l) {
			m = r
		}
		if !q.less(m, i) {
			break
		}
		q.ev[i], q.ev[m] = q.ev[m], q.ev[i]
		i = m
	}
	return e
}
