package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// openLogs opens the logs of web (the last row by name).
func openLogs(t *testing.T, b *fakeBackend) model {
	t.Helper()
	m := newTestModel(t, b)
	m = press(t, m, "G", "l")
	if m.state != stateLogs {
		t.Fatalf("l opened %s", m.state)
	}
	// The lines arrive in batches a frame apart, from another
	// goroutine: wait for all of them (and the end, when the fake does
	// not follow), or a busy machine shows the screen half-filled.
	b.mu.Lock()
	want, follows := min(len(b.logs[m.logs.ref]), 1000), b.follow != nil
	b.mu.Unlock()
	return await(t, m, "web's log", func(m model) bool {
		return len(m.logs.lines) >= want && (follows || m.logs.ended)
	})
}

func TestLogsScreen(t *testing.T) {
	b := demoBackend()
	m := openLogs(t, b)
	golden(t, "logs", m)
	m = press(t, m, "t")
	s := screen(m)
	if !strings.Contains(s, "2026-11-29T11:59:58.000Z") {
		t.Errorf("t did not show timestamps:\n%s", s)
	}
	if !strings.Contains(s, "▌") {
		t.Error("stderr is not told apart")
	}
}

func TestLogsFollowArrives(t *testing.T) {
	b := demoBackend()
	b.follow = make(chan engine.LogEntry, 100)
	m := openLogs(t, b)
	for i := range 5 {
		b.follow <- engine.LogEntry{Stream: "stdout", Time: testNow.Add(time.Duration(i) * time.Millisecond), Line: []byte(fmt.Sprintf("new line %d\n", i))}
	}
	m = settleLate(t, m)
	if !strings.Contains(screen(m), "new line 4") {
		t.Errorf("followed lines did not arrive:\n%s", screen(m))
	}
	// Closing the screen cancels the stream; a late batch is dropped.
	stream, gen := m.logs.stream, m.logs.gen
	m = press(t, m, "esc")
	m = step(t, m, logBatchMsg{gen: gen, stream: stream, lines: []logLine{{text: "late"}}})
	if n := len(m.logs.lines); n != 8 || m.logs.lines[n-1].text == "late" {
		t.Errorf("a batch of a closed stream was taken: %d lines, last %q", n, m.logs.lines[n-1].text)
	}
}

func manyLines(n int) []logLine {
	lines := make([]logLine, n)
	for i := range lines {
		lines[i] = logLine{time: testNow.Add(time.Duration(i) * time.Millisecond), text: fmt.Sprintf("line %05d the quick brown fox", i), stderr: i%7 == 0}
	}
	return lines
}

func TestLogsScrollSearchAndResume(t *testing.T) {
	b := demoBackend()
	m := openLogs(t, b)
	m = step(t, m, logBatchMsg{gen: m.logs.gen, stream: m.logs.stream, lines: manyLines(500)})
	m = press(t, m, "k")
	if m.logs.follow {
		t.Fatal("scrolling up did not pause following")
	}
	m = step(t, m, logBatchMsg{gen: m.logs.gen, stream: m.logs.stream, lines: manyLines(10)})
	top := m.logs.top
	m = press(t, m, "/")
	m = typeText(t, m, "line 00250")
	m = press(t, m, "enter")
	if m.logs.match < 0 || !strings.Contains(m.logs.lines[m.logs.match].text, "line 00250") {
		t.Fatalf("search found line %d", m.logs.match)
	}
	golden(t, "logs_search", m)
	if m.logs.top == top {
		t.Error("search did not move the view")
	}
	m = press(t, m, "G")
	if !m.logs.follow {
		t.Error("G did not resume following")
	}
	m = press(t, m, "k", "j")
	if !m.logs.follow {
		t.Error("scrolling back to the bottom did not resume following")
	}
}

func TestLogsWrap(t *testing.T) {
	m := openLogs(t, demoBackend())
	long := strings.Repeat("0123456789", 25)
	m = step(t, m, logBatchMsg{gen: m.logs.gen, stream: m.logs.stream, lines: []logLine{{text: long}}})
	m = press(t, m, "w")
	golden(t, "logs_wrap", m)
}

func TestLogsBoundedBufferAndOlderLines(t *testing.T) {
	b := demoBackend()
	m := openLogs(t, b)
	for range 3 {
		m = step(t, m, logBatchMsg{gen: m.logs.gen, stream: m.logs.stream, lines: manyLines(logBufferMax / 2)})
	}
	if len(m.logs.lines) != logBufferMax {
		t.Fatalf("buffer holds %d lines, want %d", len(m.logs.lines), logBufferMax)
	}
	// Home goes to the top of the buffer and asks the log for what it let go.
	b.logs[id('a')] = []engine.LogEntry{{Stream: "stdout", Time: testNow.Add(-time.Hour), Line: []byte("from the file\n")}}
	m.logs.lines[0].time = testNow
	m = press(t, m, "g")
	if m.logs.lines[0].text != "from the file" {
		t.Errorf("older lines were not read: first line %q", m.logs.lines[0].text)
	}
}

func TestLogsSinceMenuRestartsTheStream(t *testing.T) {
	m := openLogs(t, demoBackend())
	old := m.logs.stream
	m = press(t, m, "s", "k", "enter") // "last 100 lines"
	if m.logs.stream == old || m.logs.tail != 100 {
		t.Errorf("since/tail choice: tail %d, same stream %v", m.logs.tail, m.logs.stream == old)
	}
	for _, tc := range []struct {
		choice string
		tail   int
		since  time.Duration
	}{{"last 100 lines", 100, 0}, {"everything", -1, 0}, {"since 10 minutes", -1, 10 * time.Minute}} {
		if tail, since := parseLogRange(tc.choice); tail != tc.tail || since != tc.since {
			t.Errorf("parseLogRange(%q) = %d, %v", tc.choice, tail, since)
		}
	}
}

func TestCleanLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain\n", "plain"},
		{"crlf\r\n", "crlf"},
		{"\x1b[31mred\x1b[0m", "red"},
		{"a\tb", "a    b"},
		{"bell\x07", "bell"},
		{"clear\x1b[2J screen", "clear screen"},
	} {
		if got := cleanLine([]byte(tc.in)); got != tc.want {
			t.Errorf("cleanLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// BenchmarkLogsFirehose feeds 10,000 lines (one second of a container
// printing 10,000 lines/s) through the channel, the batching command and
// Update, drawing a frame after every batch as the renderer would.
func BenchmarkLogsFirehose(b *testing.B) {
	be := demoBackend()
	m := newTestModel(b, be)
	m = press(b, m, "G", "l")
	entries := make([]engine.LogEntry, 10000)
	for i := range entries {
		entries[i] = engine.LogEntry{Stream: "stdout", Time: testNow, Line: []byte(fmt.Sprintf("2026-11-29 request %d GET /index.html 200 0.3ms\n", i))}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s := &logStream{ch: make(chan logEntry, logBatchMax), cancel: func() {}}
		m.logs.stream = s
		go func() {
			for _, e := range entries {
				s.ch <- logEntry{LogEntry: e}
			}
			close(s.ch)
		}()
		for {
			msg := waitLogsCmd(m.logs.gen, s, time.Time{})().(logBatchMsg)
			var next tea.Model
			next, _ = m.Update(msg)
			m = next.(model)
			_ = m.View()
			if msg.done {
				break
			}
		}
	}
}

func TestLogsResumeAfterRestart(t *testing.T) {
	b := demoBackend()
	m := openLogs(t, b)
	if !m.logs.ended || !strings.Contains(screen(m), "ended") {
		t.Fatalf("a stopped log is not shown as ended:\n%s", screen(m))
	}
	// The container logs again (restarted): the next refresh follows
	// from after the last line, without repeating it.
	b.mu.Lock()
	b.logs[id('a')] = append(b.logs[id('a')], engine.LogEntry{Stream: "stdout", Time: testNow.Add(time.Second), Line: []byte("after restart\n")})
	b.follow = make(chan engine.LogEntry)
	b.mu.Unlock()
	m = step(t, m, refreshMsg{})
	m = settleLate(t, m)
	if n := len(m.logs.lines); n != 4 || m.logs.lines[3].text != "after restart" || m.logs.ended {
		t.Errorf("after resume: %d lines, ended %v:\n%s", n, m.logs.ended, screen(m))
	}
}
