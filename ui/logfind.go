package ui

import (
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// Search over the whole log: n and N look through the lines loaded
// first; past the buffer's ends they read the container's log file,
// streamed from disk (never loaded whole): N before the buffer's first
// line, n after its last when the buffer is behind the end, and a
// search that wraps around goes through the file's older lines. A match
// found in the file replaces the buffer by the lines around it, paused
// (G follows the end again). A project's log and the filter mode
// search the loaded lines only.

// logFoundMsg answers a search of the log file: the lines around the
// match (hit is its index), or none.
type logFoundMsg struct {
	gen     int
	stream  *logStream
	forward bool
	lines   []logLine
	hit     int // -1: no match
	err     error
}

// logFindWindow is how many lines before and after a match read from
// the file are loaded with it.
const logFindWindow = logOlderPage / 2

// errFound stops a read of the log file that has what it looks for.
var errFound = errors.New("found")

// findNext moves the current match to the next (or previous) matching
// line and centres it, reading the log file past the buffer's ends.
func (m logsModel) findNext(forward bool) (logsModel, tea.Cmd) {
	if m.find == nil || m.finding {
		return m, nil
	}
	m.notFound = false
	if j, ok := m.scanBuffer(m.searchStart(forward), forward); ok {
		return m.showMatch(j), nil
	}
	if cmd := m.findInFileCmd(forward); cmd != nil {
		m.finding = true
		return m, cmd
	}
	return m.wrapSearch(forward), nil
}

// searchStart is the line a search goes on from: the current match, the
// top of a paused view, or past the end of a followed one (a new
// search from a followed view looks up from the newest line).
func (m logsModel) searchStart(forward bool) int {
	switch {
	case m.match >= 0:
		return m.match
	case m.follow:
		if forward {
			return -1
		}
		return len(m.lines)
	case forward:
		return m.top - 1
	}
	return m.top
}

// scanBuffer finds the first matching line after (before) start in the
// buffer, without wrapping.
func (m logsModel) scanBuffer(start int, forward bool) (int, bool) {
	d := 1
	if !forward {
		d = -1
	}
	for j := start + d; j >= 0 && j < len(m.lines); j += d {
		if l := m.lines[j]; !l.sep && m.find.match(l.plainText()) {
			return j, true
		}
	}
	return 0, false
}

// wrapSearch goes on from the other end of the buffer.
func (m logsModel) wrapSearch(forward bool) logsModel {
	start := -1
	if !forward {
		start = len(m.lines)
	}
	if j, ok := m.scanBuffer(start, forward); ok {
		return m.showMatch(j)
	}
	m.match, m.notFound = -1, true
	return m
}

func (m logsModel) showMatch(j int) logsModel {
	m.match, m.follow, m.notFound = j, false, false
	m.top = max(j-m.rows()/2, 0)
	return m
}

// findInFileCmd reads the log file past the buffer's end in the
// direction of the search, or nil when there is nothing there to read:
// forward, the lines after a buffer that is behind, else (wrapping) the
// older lines from the start; backward, the older lines, else
// (wrapping) the lines after a buffer that is behind.
func (m logsModel) findInFileCmd(forward bool) tea.Cmd {
	if m.project != nil || m.filter != nil || len(m.lines) == 0 {
		return nil
	}
	older := readRange{until: m.lines[0].time, first: forward}
	newer := readRange{since: m.lines[len(m.lines)-1].time.Add(time.Nanosecond), first: forward}
	var r readRange
	switch {
	case forward && m.behind, !forward && !m.dropped && m.behind:
		r = newer
	case m.dropped:
		r = older
	default:
		return nil
	}
	return findInFileCmd(m.sh, m.gen, m.stream, m.ref, m.find, r, forward)
}

// readRange is the part of a log file a search reads: after since
// (inclusive) and before until (exclusive), zero unbounded; first: the
// first match in it, else the last.
type readRange struct {
	since, until time.Time
	first        bool
}

// findInFileCmd looks for mt's first (last) match in r of ref's log in
// two reads of the file: one finds the match's place, the other reads
// the lines around it.
func findInFileCmd(sh *shared, gen int, s *logStream, ref string, mt *logMatcher, r readRange, forward bool) tea.Cmd {
	return func() tea.Msg {
		msg := logFoundMsg{gen: gen, stream: s, forward: forward, hit: -1}
		opts := engine.LogsOptions{Tail: -1, Since: r.since, Until: r.until, Stdout: true, Stderr: true}
		in := func(e engine.LogEntry) bool { return r.until.IsZero() || e.Time.Before(r.until) }
		n, hit := 0, -1
		err := sh.backend.Logs(sh.ctx, ref, opts, func(e engine.LogEntry) error {
			if !in(e) {
				return nil
			}
			if l := toLogLine(e); mt.match(l.plainText()) {
				hit = n
				if r.first {
					return errFound
				}
			}
			n++
			return nil
		})
		if err != nil && !errors.Is(err, errFound) {
			msg.err = fmt.Errorf("search the log of %s: %w", ref, err)
			return msg
		}
		if hit < 0 {
			return msg
		}
		from, to := max(hit-logFindWindow, 0), hit+logFindWindow
		n = 0
		err = sh.backend.Logs(sh.ctx, ref, opts, func(e engine.LogEntry) error {
			if !in(e) {
				return nil
			}
			if n >= from {
				msg.lines = append(msg.lines, toLogLine(e))
			}
			n++
			if n > to {
				return errFound
			}
			return nil
		})
		if err != nil && !errors.Is(err, errFound) {
			msg.err = fmt.Errorf("search the log of %s: %w", ref, err)
			return msg
		}
		msg.hit = hit - from
		if msg.hit >= len(msg.lines) { // the file changed between the reads
			msg.hit = -1
		}
		return msg
	}
}

// foundInFile shows the lines around a match read from the file, or
// goes on from the other end of the buffer when the file had none.
func (m logsModel) foundInFile(msg logFoundMsg) (logsModel, tea.Cmd) {
	m.finding = false
	if msg.err != nil {
		return m, statusCmd(msg.err)
	}
	if msg.hit < 0 {
		return m.wrapSearch(msg.forward), nil
	}
	m.lines = msg.lines
	m.dropped, m.behind, m.loading = true, true, false
	return m.showMatch(msg.hit), nil
}
