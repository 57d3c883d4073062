package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
	"berth/engine/jsonlog"
)

// visibleLogLines is the log lines on screen: without the header, the
// tabs, the info line and the help bar.
func visibleLogLines(m model) []string {
	lines := strings.Split(screen(m), "\n")
	return lines[3 : len(lines)-1]
}

// fastLines is n lines of a fast logger, numbered from first.
func fastLines(first, n int) []logLine {
	lines := make([]logLine, n)
	for i := range lines {
		lines[i] = logLine{time: testNow.Add(time.Duration(first+i) * time.Millisecond), text: fmt.Sprintf("fast %06d", first+i)}
	}
	return lines
}

// A paused view stays on the same lines while a fast logger fills the
// buffer past its bound, and G follows the end again.
func TestLogsPausedViewStaysStill(t *testing.T) {
	b := demoBackend()
	m := openLogs(t, b)
	m = step(t, m, logBatchMsg{gen: m.logs.gen, stream: m.logs.stream, lines: manyLines(500)})
	m = press(t, m, "g") // the top of the buffer: the lines a full buffer lets go of first
	before := visibleLogLines(m)
	for i := range 3 {
		m = step(t, m, logBatchMsg{gen: m.logs.gen, stream: m.logs.stream, lines: fastLines(i*logBufferMax/2, logBufferMax/2)})
	}
	if after := visibleLogLines(m); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("the paused view moved:\nbefore %q\nafter  %q", before[:3], after[:3])
	}
	if !strings.Contains(screen(m), "newer lines not shown") {
		t.Errorf("the info line does not say newer lines wait:\n%s", screen(m))
	}
	m = press(t, m, "G")
	if !m.logs.follow || m.logs.behind {
		t.Errorf("G did not follow the end again: follow %v, behind %v", m.logs.follow, m.logs.behind)
	}
}

// fileLogsBackend reads one container's log from a real json-file log,
// as host.Local does, streamed from disk.
type fileLogsBackend struct {
	*fakeBackend
	path  string
	reads int // whole-file reads (no tail)
}

func (f *fileLogsBackend) Logs(ctx context.Context, ref string, opts engine.LogsOptions, fn func(engine.LogEntry) error) error {
	if ref != id('a') {
		return f.fakeBackend.Logs(ctx, ref, opts, fn)
	}
	if opts.Tail < 0 {
		f.reads++
	}
	ro := jsonlog.ReadOptions{Tail: opts.Tail, Since: opts.Since, Until: opts.Until, Stdout: true, Stderr: true}
	return jsonlog.Read(ctx, f.path, ro, func(e jsonlog.Entry) error {
		return fn(engine.LogEntry{Stream: e.Stream, Time: e.Time, Line: e.Line})
	})
}

// writeLog writes n numbered lines ("line 00000 …") to a json-file log.
func writeLog(t *testing.T, n int, text func(i int) string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "web-json.log")
	w, err := jsonlog.New(path, jsonlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := w.Stream("stdout")
	for i := range n {
		if _, err := out.Write([]byte(text(i) + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func numbered(i int) string { return fmt.Sprintf("line %05d GET /item/%d 200", i, i) }

func openFileLogs(t *testing.T, path string) (model, *fileLogsBackend) {
	t.Helper()
	b := &fileLogsBackend{fakeBackend: demoBackend(), path: path}
	m := newTestModel(t, b)
	m = press(t, m, "G", "l")
	if m.state != stateLogs {
		t.Fatalf("l opened %s", m.state)
	}
	// The file's last lines arrive from another goroutine: on a busy
	// machine not yet when l returns.
	m = await(t, m, "the log's last lines", func(m model) bool { return m.logs.ended })
	return m, b
}

// Search reads the whole log file: "line 12345" is found though only
// the last 1000 lines of 30,000 are loaded, the lines around it are
// shown, and G follows the end again.
func TestLogsSearchReadsTheWholeFile(t *testing.T) {
	m, _ := openFileLogs(t, writeLog(t, 30000, numbered))
	if n := len(m.logs.lines); n != 1000 {
		t.Fatalf("loaded %d lines, want the last 1000", n)
	}
	m = press(t, m, "/")
	m = typeText(t, m, "line 12345")
	m = press(t, m, "enter")
	m = await(t, m, "the search of the file", func(m model) bool { return !m.logs.finding })
	if m.logs.match < 0 || !strings.Contains(m.logs.lines[m.logs.match].text, "line 12345") {
		t.Fatalf("line 12345 not found: match %d\n%s", m.logs.match, screen(m))
	}
	if s := screen(m); !strings.Contains(s, "line 12345 GET") || strings.Contains(s, "no match") {
		t.Errorf("the match is not on screen:\n%s", s)
	}
	// N goes on to the previous match, in the file again.
	m = press(t, m, "N")
	m = await(t, m, "the search of the file", func(m model) bool { return !m.logs.finding })
	if m.logs.match < 0 || !strings.Contains(m.logs.lines[m.logs.match].text, "line 12345") {
		t.Errorf("N lost the match: %d", m.logs.match)
	}
	m = press(t, m, "G")
	m = await(t, m, "the end again", func(m model) bool { return len(m.logs.lines) == 1000 })
	if last := m.logs.lines[len(m.logs.lines)-1].text; !strings.Contains(last, "line 29999") || m.logs.behind {
		t.Errorf("G did not read the end again: last %q", last)
	}
}

// A regular expression (ctrl-r in the prompt) searches the file too.
func TestLogsRegexSearch(t *testing.T) {
	m, _ := openFileLogs(t, writeLog(t, 5000, numbered))
	m = press(t, m, "/")
	m = step(t, m, tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	if !strings.Contains(screen(m), "regex") {
		t.Errorf("the prompt does not say regex:\n%s", screen(m))
	}
	m = typeText(t, m, `^line 0123[0-9] `)
	m = press(t, m, "enter")
	m = await(t, m, "the search of the file", func(m model) bool { return !m.logs.finding })
	if m.logs.match < 0 || !strings.HasPrefix(m.logs.lines[m.logs.match].text, "line 0123") {
		t.Fatalf("regex search found %d\n%s", m.logs.match, screen(m))
	}
	if !strings.Contains(screen(m), "search /^line 0123[0-9] /") {
		t.Errorf("the info line does not show the regex:\n%s", screen(m))
	}
	// A regex that does not compile says so and searches nothing.
	m = press(t, m, "/")
	m = typeText(t, m, "(")
	m = press(t, m, "enter")
	if m.logs.find != nil || !strings.Contains(screen(m), "regular expression") {
		t.Errorf("a bad regex was not refused:\n%s", screen(m))
	}
}

// The filter mode shows only the matching lines of the whole file, with
// n lines of context and "--" between groups, as grep -C n.
func TestLogsFilterWholeFileWithContext(t *testing.T) {
	text := func(i int) string {
		if i%1000 == 7 {
			return fmt.Sprintf("line %05d ERROR disk full", i)
		}
		return numbered(i)
	}
	m, b := openFileLogs(t, writeLog(t, 30000, text))
	m = press(t, m, "F")
	m = typeText(t, m, "error")
	m = press(t, m, "enter")
	m = await(t, m, "the whole file read", func(m model) bool { return m.logs.ended })
	if n := len(m.logs.lines); n != 30 {
		t.Fatalf("the filter kept %d lines, want the 30 matches of the whole file:\n%s", n, screen(m))
	}
	if b.reads == 0 {
		t.Error("the filter did not read the whole file")
	}
	golden(t, "logs_filter", m)
	m = press(t, m, "c") // one line of context
	m = await(t, m, "the whole file read", func(m model) bool { return m.logs.ended && len(m.logs.lines) > 30 })
	want := []string{"line 00006", "line 00007", "line 00008", "--", "line 01006"}
	for i, w := range want {
		if got := m.logs.lines[i]; (w == "--") != got.sep || !strings.HasPrefix(got.text, w) && !got.sep {
			t.Errorf("line %d: %q (sep %v), want %q", i, got.text, got.sep, w)
		}
	}
	golden(t, "logs_filter_context", m)
	// An empty filter shows every line again.
	m = press(t, m, "F", "backspace", "backspace", "backspace", "backspace", "backspace", "enter")
	m = await(t, m, "the end read", func(m model) bool { return m.logs.ended })
	if m.logs.filter != nil || len(m.logs.lines) != 1000 {
		t.Errorf("clearing the filter: %d lines", len(m.logs.lines))
	}
}

func TestGrepFilter(t *testing.T) {
	lines := func(s string) []logLine {
		var out []logLine
		for _, r := range s {
			out = append(out, logLine{text: string(r)})
		}
		return out
	}
	show := func(ls []logLine) string {
		var b strings.Builder
		for _, l := range ls {
			if l.sep {
				b.WriteString("|")
			} else {
				b.WriteString(l.text)
			}
		}
		return b.String()
	}
	mt, _ := newLogMatcher("x", false)
	for _, tc := range []struct {
		in      string
		context int
		want    string
	}{
		{"abxcdefxg", 0, "xx"},
		{"abxcdefxg", 1, "bxc|fxg"},
		{"abxcdefxg", 2, "abxcdefxg"},
		{"xx", 0, "xx"},
		{"abcxdefghijx", 3, "abcxdef|hijx"},
		{"abc", 3, ""},
	} {
		g := newGrepFilter(mt, tc.context)
		// fed in two batches: the filter carries its state across
		half := len(tc.in) / 2
		out := g.feed(lines(tc.in[:half]), nil)
		out = g.feed(lines(tc.in[half:]), out)
		if got := show(out); got != tc.want {
			t.Errorf("grep -C%d %q = %q, want %q", tc.context, tc.in, got, tc.want)
		}
	}
}

func TestCleanLogLineKeepsColoursOnly(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		styled   bool
	}{
		{"plain\n", "plain", false},
		{"\x1b[31mred\x1b[0m ok", "\x1b[31mred\x1b[0m ok", true},
		{"\x1b[1;38;5;208mbold orange\x1b[m", "\x1b[1;38;5;208mbold orange\x1b[m", true},
		{"\x1b[38:2::255:0:0mtruecolor", "\x1b[38:2::255:0:0mtruecolor", true},
		{"clear\x1b[2J\x1b[H screen", "clear screen", false},
		{"up\x1b[3Aline", "upline", false},
		{"title\x1b]0;pwned\x07 set", "title set", false},
		{"link \x1b]8;;http://x\x1b\\here\x1b]8;;\x1b\\", "link here", false},
		{"mode\x1b[?1049h alt", "mode alt", false},
		{"keys \x1bPq#0;2;0;0;0\x1b\\sixel", "keys sixel", false},
		{"c1 \u009b2J csi", "c1 2J csi", false},
		{"save\x1b7 cursor\x1b8", "save cursor", false},
		{"cut \x1b[31", "cut ", false},
		{"bell\x07 tab\tx\r\n", "bell tab    x", false},
	} {
		got, styled := cleanLogLine([]byte(tc.in))
		if got != tc.want || styled != tc.styled {
			t.Errorf("cleanLogLine(%q) = %q, %v; want %q, %v", tc.in, got, styled, tc.want, tc.styled)
		}
	}
}

// A coloured log line is drawn in its colours, which end with it.
func TestLogsShowColours(t *testing.T) {
	b := demoBackend()
	b.logs[id('a')] = []engine.LogEntry{
		{Stream: "stdout", Time: testNow, Line: []byte("\x1b[31mERROR\x1b[0m disk \x1b[1mfull\n")},
		{Stream: "stdout", Time: testNow, Line: []byte("next line\x1b[2J\n")},
	}
	m, err := newModel(context.Background(), oneHost(b), Options{Now: func() time.Time { return testNow }, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = settle(t, m, m.Init())
	m = await(t, m, "the first list", func(m model) bool { return m.containers.loaded })
	m = press(t, m, "G", "l")
	view := m.View().Content
	if !strings.Contains(view, "\x1b[31mERROR\x1b[0m disk \x1b[1mfull") {
		t.Errorf("the colours are not drawn: %q", view)
	}
	if !strings.Contains(view, "full"+"\x1b[m") {
		t.Errorf("a coloured line's style does not end with it: %q", view)
	}
	if strings.Contains(view, "\x1b[2J") {
		t.Errorf("a clear screen reached the terminal: %q", view)
	}
	if !strings.Contains(screen(m), "ERROR disk full") {
		t.Errorf("the line is not shown:\n%s", screen(m))
	}
}

// A steady log's lines that arrive within a log frame go out as one
// batch (one drawing), not one message per line: the second and third
// lines come a little after the first, well within the frame.
func TestLogsOneBatchPerFrame(t *testing.T) {
	s := &logStream{ch: make(chan logEntry, 8), cancel: func() {}}
	entry := func(i int) logEntry {
		return logEntry{LogEntry: engine.LogEntry{Stream: "stdout", Time: testNow, Line: []byte(fmt.Sprintf("line %d\n", i))}}
	}
	go func() {
		s.ch <- entry(0)
		time.Sleep(50 * time.Millisecond) // a steady logger's next line
		s.ch <- entry(1)
		s.ch <- entry(2)
		close(s.ch)
	}()
	msg := waitLogsCmd(1, s, time.Now().Add(time.Second))().(logBatchMsg)
	if len(msg.lines) != 3 || !msg.done {
		t.Errorf("lines arriving one by one within a frame made a batch of %d (done %v), want 3", len(msg.lines), msg.done)
	}
}
