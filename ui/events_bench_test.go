package ui

import (
	"fmt"
	"testing"
	"time"

	"berth/engine/events"
)

// busyEvents is n events of a host where 100 containers are created,
// started, die and are removed over and over, from seq on.
func busyEvents(seq, n int) []events.Event {
	actions := []string{events.ActionCreate, events.ActionStart, events.ActionDie, events.ActionStop, events.ActionDestroy}
	out := make([]events.Event, n)
	for i := range out {
		k := seq + i
		name := fmt.Sprintf("service_%03d", k%100)
		e := events.Event{Time: testNow.Add(time.Duration(k) * time.Millisecond), Type: events.TypeContainer,
			Action: actions[k/100%len(actions)], ID: fmt.Sprintf("%064x", k%100+1), Name: name,
			Attributes: map[string]string{"image": "busybox:latest", "name": name}}
		if e.Action == events.ActionDie {
			e.Attributes["exitCode"] = "137"
		}
		out[i] = e
	}
	return out
}

// eventsAtCap is the model on the events screen, holding eventsKept
// events, following.
func eventsAtCap(b *testing.B) model {
	m := newTestModel(b, demoBackend())
	m = press(b, m, "tab", "tab")
	if m.state != stateEvents {
		b.Fatalf("tab tab went to %s", m.state)
	}
	m.events = m.events.add(busyEvents(0, eventsKept))
	if len(m.events.all) != eventsKept {
		b.Fatalf("the screen keeps %d events, want %d", len(m.events.all), eventsKept)
	}
	return m
}

// BenchmarkEventsIntake is the cost of taking events in on the events
// screen at its cap of eventsKept: one event a message (a quiet host)
// and eventsBatchMax (the most one message carries). The oldest go
// eventsSlack at a time, the list copied then, so the cost per event
// includes a share of that copy; the messages that copy are reported on
// their own too. A message is taken in in Update, on the
// frame's path: its cost is reported beside a frame at 30 fps.
func BenchmarkEventsIntake(b *testing.B) {
	for _, batch := range []int{1, eventsBatchMax} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			ev := eventsAtCap(b).events
			seq := eventsKept
			// The batches, made before the clock runs: eventsSlack of them
			// (rounded up) cover every point of the copy's cycle.
			batches := make([][]events.Event, (eventsSlack+batch-1)/batch+1)
			for i := range batches {
				batches[i] = busyEvents(seq, batch)
				seq += batch
			}
			b.ReportAllocs()
			n := 0
			var took, copying time.Duration
			copies := 0
			for b.Loop() {
				kept := len(ev.all)
				t0 := time.Now()
				ev = ev.add(batches[n%len(batches)])
				d := time.Since(t0)
				took += d
				if len(ev.all) < kept+batch { // the oldest went, the list copied
					copying += d
					copies++
				}
				n++
			}
			if len(ev.all) > eventsKept+eventsSlack {
				b.Fatalf("the screen keeps %d events", len(ev.all))
			}
			b.ReportMetric(float64(took.Nanoseconds())/1e6/float64(n), "msg-ms")
			if copies > 0 {
				b.ReportMetric(float64(copying.Nanoseconds())/1e6/float64(copies), "copying-msg-ms")
			}
			b.ReportMetric(float64(took.Nanoseconds())/1e3/float64(n*batch), "event-us")
			b.ReportMetric(1000.0/30, "frame-ms")
		})
	}
}

// BenchmarkEventsFrame is the time to draw one frame of the events
// screen holding eventsKept events, following, at 100x30, beside a frame
// at 30 fps.
func BenchmarkEventsFrame(b *testing.B) {
	m := eventsAtCap(b)
	b.ReportAllocs()
	n := 0
	var took time.Duration
	for b.Loop() {
		t0 := time.Now()
		_ = m.View()
		took += time.Since(t0)
		n++
	}
	b.ReportMetric(float64(took.Nanoseconds())/1e6/float64(n), "view-ms")
	b.ReportMetric(1000.0/30, "frame-ms")
}
