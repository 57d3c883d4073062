package events

import (
	"testing"
)

// BenchmarkAppend is the cost of recording one event (lock, stat, write).
func BenchmarkAppend(b *testing.B) {
	l, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := Event{Type: TypeContainer, Action: ActionDie, ID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Name: "web",
		Attributes: map[string]string{AttrExitCode: "0", AttrImage: "busybox:latest"}}
	for b.Loop() {
		if err := l.Append(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueryOneContainer reads one container's timeline out of a full
// log (DefaultMaxSize of other containers' events).
func BenchmarkQueryOneContainer(b *testing.B) {
	l, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	for i := range 20000 {
		id := "other"
		if i%1000 == 0 {
			id = "mine"
		}
		l.Append(Event{Type: TypeContainer, Action: ActionStart, ID: id, Name: "n", Attributes: map[string]string{AttrImage: "busybox:latest"}})
	}
	b.ResetTimer()
	for b.Loop() {
		got, err := l.Query(Filter{ID: "mine"})
		if err != nil || len(got) == 0 {
			b.Fatalf("%d events, %v", len(got), err)
		}
	}
}
