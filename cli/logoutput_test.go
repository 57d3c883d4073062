package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"berth/engine"
)

// recorder keeps every write of both streams in order, as one terminal
// showing stdout and stderr would.
type recorder struct {
	mu     sync.Mutex
	writes []string // "out:…" or "err:…"
}

type recorderStream struct {
	r    *recorder
	name string
}

func (s recorderStream) Write(b []byte) (int, error) {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.writes = append(s.r.writes, s.name+":"+string(b))
	return len(b), nil
}

// text is what the terminal shows, each run of a stream's bytes tagged.
func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var sb strings.Builder
	last := ""
	for _, w := range r.writes {
		name, data, _ := strings.Cut(w, ":")
		if name != last {
			sb.WriteString("[" + name + "]")
			last = name
		}
		sb.WriteString(data)
	}
	return sb.String()
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.writes)
}

// berth logs prints what docker logs prints, in the same order across the
// two streams and with the same timestamps, but in a write per batch of
// lines rather than one per line.
func TestLogOutputBuffersAndKeepsOrder(t *testing.T) {
	at := time.Date(2026, 11, 29, 17, 30, 0, 120000000, time.UTC)
	var entries []engine.LogEntry
	var want strings.Builder
	last := ""
	for i := range 3000 {
		stream := "stdout"
		if i%1000 >= 990 { // a few stderr lines now and then
			stream = "stderr"
		}
		line := []byte(strings.Repeat("x", i%50) + "\n")
		if i == 2999 {
			line = []byte("partial, no newline")
		}
		entries = append(entries, engine.LogEntry{Stream: stream, Time: at.Add(time.Duration(i)), Line: line})
		name := map[string]string{"stdout": "out", "stderr": "err"}[stream]
		if name != last {
			want.WriteString("[" + name + "]")
			last = name
		}
		want.WriteString(at.Add(time.Duration(i)).Format(timestampFormat) + " " + string(line))
	}
	rec := &recorder{}
	o := newLogOutput(recorderStream{rec, "out"}, recorderStream{rec, "err"}, true, false)
	for _, e := range entries {
		if err := o.write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.close(); err != nil {
		t.Fatal(err)
	}
	if got := rec.text(); got != want.String() {
		t.Errorf("output differs from one write per line:\n got %.300q…\nwant %.300q…", got, want.String())
	}
	if n := rec.count(); n > 20 {
		t.Errorf("%d lines took %d writes", len(entries), n)
	}
	if !strings.Contains(rec.text(), "[out]2026-11-29T17:30:00.120000000Z \n2026-11-29T17:30:00.120000001Z x\n") {
		t.Errorf("timestamps not in docker's format: %.200q", rec.text())
	}
}

// A follower's line reaches the terminal without the next one or the
// end of the read: it waits at most logFlushDelay in the buffer.
func TestLogOutputFlushesWhileFollowing(t *testing.T) {
	var mu sync.Mutex
	var out bytes.Buffer
	o := newLogOutput(lockedWriter{&mu, &out}, lockedWriter{&mu, &out}, false, true)
	if err := o.write(engine.LogEntry{Stream: "stdout", Line: []byte("first\n")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := out.String()
		mu.Unlock()
		if got == "first\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a followed line is still buffered: %q", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := o.close(); err != nil {
		t.Fatal(err)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// Lines a joined read hands over together, more than the buffer holds,
// are written as they are, after what the buffer held and in one write.
func TestLogOutputWritesBigEntriesWhole(t *testing.T) {
	big := bytes.Repeat([]byte("a joined line\n"), 2*logFlushSize/14)
	tests := []struct {
		name    string
		entries []engine.LogEntry
		want    string
		writes  int
	}{
		{"after buffered lines", []engine.LogEntry{{Stream: "stdout", Line: []byte("x\n")}, {Stream: "stdout", Line: big}, {Stream: "stdout", Line: []byte("y\n")}},
			"[out]x\n" + string(big) + "y\n", 3},
		{"after the other stream", []engine.LogEntry{{Stream: "stderr", Line: []byte("e\n")}, {Stream: "stdout", Line: big}},
			"[err]e\n[out]" + string(big), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			o := newLogOutput(recorderStream{rec, "out"}, recorderStream{rec, "err"}, false, false)
			for _, e := range tt.entries {
				if err := o.write(e); err != nil {
					t.Fatal(err)
				}
			}
			if err := o.close(); err != nil {
				t.Fatal(err)
			}
			if got := rec.text(); got != tt.want {
				t.Errorf("printed %.100q…, want %.100q…", got, tt.want)
			}
			if n := rec.count(); n != tt.writes {
				t.Errorf("%d writes, want %d", n, tt.writes)
			}
		})
	}
}
