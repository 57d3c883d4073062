package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/engine"
)

// Messages of the logs screen. Batches carry the stream they came from:
// a batch of a stream the screen has replaced (since/tail changed) or
// closed is dropped.
type (
	logStartMsg struct {
		gen    int
		stream *logStream
	}
	logBatchMsg struct {
		gen    int
		stream *logStream
		lines  []logLine
		done   bool
		err    error
		older  bool      // lines from before the buffer, read on demand
		next   time.Time // the earliest the stream's next batch goes out: one per log frame
		// ends are the followers of a project's log that ended
		// (composelogs.go), each with why.
		ends []logEntry
	}
	logRangeMsg struct {
		gen   int
		tail  int
		since time.Duration
	}
)

// logStream is one running Backend.Logs call feeding a channel.
type logStream struct {
	ch     chan logEntry
	done   <-chan struct{} // a project's stream: closed when it is cancelled; nil otherwise
	cancel context.CancelFunc
	err    error       // set before ch is closed
	ended  bool        // the screen saw ch closed
	filter *grepFilter // the filter mode's (loggrep.go); nil shows every line
}

// open says the stream may still deliver lines.
func (s *logStream) open() bool { return !s.ended }

// logLine is one line as the screen keeps it: control bytes and escape
// sequences removed but its colours (SGR) (logclean.go).
type logLine struct {
	stderr bool
	styled bool // text has colours
	sep    bool // the filter mode's "--" between groups of lines
	time   time.Time
	text   string
	from   *logSource // the container of a project's log; nil in one container's
}

// logEntry is an entry as a stream carries it: from which container of
// a project's log (nil in one container's), or that container's end.
type logEntry struct {
	engine.LogEntry
	from *logSource
	end  bool
	err  error // why the end, nil when the log just ended
}

func (e logEntry) line() logLine {
	l := toLogLine(e.LogEntry)
	l.from = e.from
	return l
}

const (
	// logBatchMax is how many lines one message carries at most: at
	// 10,000 lines/s and 60 frames/s a frame needs ~170.
	logBatchMax = 4096
	// logBufferMax bounds the lines kept in memory; older ones are read
	// again from the log on demand.
	logBufferMax = 20000
	// logOlderPage is how many older lines one on-demand read brings.
	logOlderPage = 2000
	// logFrame is the shortest time between two batches of a followed
	// log: a log that writes steadily is drawn ten times a second at
	// most, whatever its rate, so following costs little.
	logFrame = time.Second / 10
)

// logsModel is the logs screen of one container.
type logsModel struct {
	sh     *shared
	gen    int
	ref    string
	name   string
	width  int
	height int

	stream  *logStream
	lines   []logLine
	dropped bool // the buffer let go of older lines (or never had them)
	ended   bool
	loading bool // reading older lines

	follow     bool
	top        int // first line on screen when not following
	timestamps bool
	wrap       bool
	tail       int
	since      time.Duration

	search    textField
	searching bool
	regex     bool        // the prompt takes a regular expression (ctrl-r)
	filtering bool        // the prompt is the filter's
	find      *logMatcher // what n and N look for; nil none
	match     int         // line of the current match, -1 none
	finding   bool        // looking through the log file (logfind.go)
	notFound  bool        // the last search found nothing

	filter  *logMatcher // the filter mode: only matching lines; nil off (logfilter.go)
	context int         // lines of context around each match in the filter mode

	// behind: the buffer does not reach the end of the log (a paused
	// view kept still, a match read from the file); new lines are not
	// taken, following again reads the end anew.
	behind bool

	project *logProject // the containers of a compose project; nil for one container
}

func newLogsModel(sh *shared, gen int, c *engine.Container) logsModel {
	in := newTextInput()
	in.Prompt = "search: "
	return logsModel{
		sh: sh, gen: gen, ref: c.ID, name: c.DisplayName(),
		follow: true, tail: 1000, search: newTextField(in), match: -1,
	}
}

// start opens the stream with the current since/tail choice.
func (m logsModel) start() (logsModel, tea.Cmd) {
	m = m.close()
	ctx, cancel := context.WithCancel(m.sh.ctx)
	s := &logStream{ch: make(chan logEntry, logBatchMax), cancel: cancel}
	m.stream = s
	m.lines, m.ended, m.follow, m.top, m.match, m.behind = nil, false, true, 0, -1, false
	m.dropped = m.tail >= 0 || m.since > 0
	opts := engine.LogsOptions{Follow: true, Tail: m.tail, Stdout: true, Stderr: true}
	if m.since > 0 {
		opts.Since = m.sh.now().Add(-m.since)
		opts.Tail = -1
	}
	if m.filter != nil { // the whole log (or since window), filtered as it is read
		s.filter = newGrepFilter(m.filter, m.context)
		opts.Tail, m.dropped = -1, false
	}
	if m.project != nil {
		return m.startProject(ctx, s, opts)
	}
	return m, logStreamCmd(ctx, m.sh, m.gen, m.ref, opts, s)
}

// resume follows again, from the last line on, a log whose stream ended
// (the container stopped; a restart policy or the user may start it
// again). The screen keeps saying "ended" until a line arrives.
func (m logsModel) resume() (logsModel, tea.Cmd) {
	if m.project != nil {
		return m.resumeProject()
	}
	if !m.ended || m.stream == nil || m.stream.open() {
		return m, nil
	}
	ctx, cancel := context.WithCancel(m.sh.ctx)
	s := &logStream{ch: make(chan logEntry, logBatchMax), cancel: cancel}
	m.stream.cancel()
	m.stream = s
	opts := engine.LogsOptions{Follow: true, Tail: -1, Stdout: true, Stderr: true}
	if n := len(m.lines); n > 0 {
		opts.Since = m.lines[n-1].time.Add(time.Nanosecond)
	}
	return m, logStreamCmd(ctx, m.sh, m.gen, m.ref, opts, s)
}

// close stops the stream; its goroutine ends and late batches are dropped.
func (m logsModel) close() logsModel {
	if m.stream != nil {
		m.stream.cancel()
		m.stream = nil
	}
	return m
}

func (m logsModel) setSize(w, h int) logsModel {
	m.width, m.height = w, h
	m.search.SetWidth(max(w-12, 10))
	return m
}

func (m logsModel) capturing() bool { return m.searching }

func (m logsModel) update(msg tea.Msg) (logsModel, tea.Cmd) {
	switch msg := msg.(type) {
	case logStartMsg:
		if msg.gen != m.gen || msg.stream != m.stream {
			return m, nil
		}
		return m, waitLogsCmd(m.gen, msg.stream, time.Time{})
	case logBatchMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.older {
			return m.prepend(msg), nil
		}
		if msg.stream != m.stream {
			return m, nil
		}
		m = m.append(msg.lines)
		if len(msg.lines) > 0 {
			m.ended = false
		}
		if m.project != nil {
			var cmd tea.Cmd
			m, cmd = m.absorbProject(msg)
			if msg.done {
				return m, cmd
			}
			return m, tea.Batch(cmd, waitLogsCmd(m.gen, msg.stream, msg.next))
		}
		if msg.done {
			m.ended, msg.stream.ended = true, true
			if msg.err != nil && !errors.Is(msg.err, context.Canceled) {
				return m, statusCmd(fmt.Errorf("logs of %s: %w", m.name, msg.err))
			}
			return m, nil
		}
		return m, waitLogsCmd(m.gen, msg.stream, msg.next)
	case refreshMsg:
		return m.resume()
	case projectBacklogMsg, projectListMsg:
		return m.updateProject(msg)
	case logFoundMsg:
		if msg.gen != m.gen || msg.stream != m.stream {
			return m, nil
		}
		return m.foundInFile(msg)
	case logRangeMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.tail, m.since = msg.tail, msg.since
		return m.start()
	case tea.KeyPressMsg:
		if m.searching {
			return m.updateSearch(msg)
		}
		return m.key(msg)
	}
	if m.searching {
		var cmd tea.Cmd
		m.search, cmd = m.search.Update(msg)
		return m, cmd
	}
	return m, nil
}

// append adds lines at the end, letting go of the oldest past the bound
// and keeping a scrolled-up view on the same lines. A paused view whose
// lines the bound would let go of stays still: the buffer stops taking
// lines (it is behind) until the view follows again.
func (m logsModel) append(lines []logLine) logsModel {
	if m.behind {
		return m
	}
	if over := len(m.lines) + len(lines) - logBufferMax; over > 0 && !m.follow && over > m.top {
		room := max(logBufferMax-len(m.lines), 0)
		m.lines = append(m.lines, lines[:min(room, len(lines))]...)
		m.behind = true
		return m
	}
	m.lines = append(m.lines, lines...)
	if over := len(m.lines) - logBufferMax; over > 0 {
		m.lines = m.lines[over:]
		m.dropped = true
		m.top = max(m.top-over, 0)
		if m.match >= 0 {
			m.match -= over
		}
	}
	return m
}

// prepend adds older lines read on demand before the buffer.
func (m logsModel) prepend(msg logBatchMsg) logsModel {
	m.loading = false
	if msg.err != nil || len(msg.lines) == 0 {
		m.dropped = msg.err != nil && m.dropped
		if len(msg.lines) == 0 {
			m.dropped = false
		}
		return m
	}
	n := len(msg.lines)
	m.lines = append(append(make([]logLine, 0, n+len(m.lines)), msg.lines...), m.lines...)
	m.top += n
	if m.match >= 0 {
		m.match += n
	}
	if over := len(m.lines) - logBufferMax; over > 0 {
		m.lines = m.lines[:logBufferMax]
	}
	return m
}

func (m logsModel) updateSearch(msg tea.KeyPressMsg) (logsModel, tea.Cmd) {
	switch {
	case matches(msg, m.sh.keys.Global.Back):
		m.searching = false
		m.search.Blur()
		return m, nil
	case matches(msg, m.sh.keys.Logs.Regex):
		m.regex = !m.regex
		m.search.SetPrompt(m.prompt())
		return m, nil
	case msg.String() == "enter":
		m.searching = false
		m.search.Blur()
		if m.filtering {
			return m.setFilter(m.search.Value())
		}
		m.find, m.match = nil, -1
		if m.search.Value() == "" {
			return m, nil
		}
		f, err := newLogMatcher(m.search.Value(), m.regex)
		if err != nil {
			return m, statusCmd(err)
		}
		m.find = f
		return m.findNext(true)
	}
	var cmd tea.Cmd
	m.search, cmd = m.search.Update(msg)
	return m, cmd
}

func (m logsModel) rows() int { return max(m.height-1, 1) }

func (m logsModel) key(msg tea.KeyPressMsg) (logsModel, tea.Cmd) {
	k, g := &m.sh.keys.Logs, &m.sh.keys.Global
	switch {
	case matches(msg, g.Up):
		return m.scrollBy(-1)
	case matches(msg, g.Down):
		return m.scrollBy(1)
	case matches(msg, g.PageUp):
		return m.scrollBy(-m.rows())
	case matches(msg, g.PageDown):
		return m.scrollBy(m.rows())
	case matches(msg, g.Home):
		m.follow, m.top = false, 0
		return m.loadOlder()
	case matches(msg, g.End):
		m.follow = true
		if m.behind {
			return m.start()
		}
	case matches(msg, k.Timestamps):
		m.timestamps = !m.timestamps
	case matches(msg, k.Wrap):
		m.wrap = !m.wrap
	case matches(msg, k.Search):
		m.searching, m.filtering = true, false
		m.search.SetPrompt(m.prompt())
		m.search.SetValue("")
		if m.find != nil {
			m.search.SetValue(m.find.query)
		}
		return m, m.search.Focus()
	case matches(msg, k.Filter):
		m.searching, m.filtering = true, true
		m.search.SetPrompt(m.prompt())
		m.search.SetValue("")
		if m.filter != nil {
			m.search.SetValue(m.filter.query)
		}
		return m, m.search.Focus()
	case matches(msg, k.Context):
		return m.nextContext()
	case matches(msg, k.Next):
		return m.findNext(true)
	case matches(msg, k.Prev):
		return m.findNext(false)
	case matches(msg, k.ExecPane):
		if m.project != nil {
			return m, nil // a project has no one container to open a shell in
		}
		return m, terminalCmd(m.sh, m.ref, m.name, SessionShell)
	case matches(msg, k.Since):
		gen := m.gen
		return m, dialogCmd(menuDialog(&m.sh.keys, "Show", logRanges, 1, func(choice string) tea.Cmd {
			tail, since := parseLogRange(choice)
			return func() tea.Msg { return logRangeMsg{gen: gen, tail: tail, since: since} }
		}))
	}
	return m, nil
}

// logRanges are the since/tail choices.
var logRanges = []string{"last 100 lines", "last 1000 lines", "everything", "since 1 minute", "since 10 minutes", "since 1 hour"}

func parseLogRange(choice string) (tail int, since time.Duration) {
	switch choice {
	case "last 100 lines":
		return 100, 0
	case "last 1000 lines":
		return 1000, 0
	case "since 1 minute":
		return -1, time.Minute
	case "since 10 minutes":
		return -1, 10 * time.Minute
	case "since 1 hour":
		return -1, time.Hour
	}
	return -1, 0
}

// scrollBy moves the view; scrolling up stops following, reaching the
// bottom resumes it, reaching the top reads older lines.
func (m logsModel) scrollBy(d int) (logsModel, tea.Cmd) {
	if m.follow {
		if d >= 0 {
			return m, nil
		}
		m.top = max(len(m.lines)-m.rows(), 0)
		m.follow = false
	}
	m.top += d
	if m.top+m.rows() >= len(m.lines) && d > 0 {
		m.follow = true
		if m.behind {
			return m.start()
		}
		return m, nil
	}
	if m.top <= 0 {
		m.top = 0
		return m.loadOlder()
	}
	return m, nil
}

func (m logsModel) scroll(d int) logsModel {
	m, _ = m.scrollBy(d)
	return m
}

// loadOlder reads the page of lines before the buffer from the log.
func (m logsModel) loadOlder() (logsModel, tea.Cmd) {
	if !m.dropped || m.loading || len(m.lines) == 0 || m.filter != nil {
		return m, nil
	}
	m.loading = true
	return m, olderLogsCmd(m.sh, m.gen, m.ref, m.lines[0].time)
}

func (m logsModel) copyText() (string, string) {
	switch {
	case m.match >= 0 && m.match < len(m.lines):
		return m.lines[m.match].plainText(), "the matching log line"
	case len(m.lines) == 0:
		return "", ""
	case m.follow:
		return m.lines[len(m.lines)-1].plainText(), "the last log line"
	}
	return m.lines[min(m.top, len(m.lines)-1)].plainText(), "the top log line"
}

func (m logsModel) view() string {
	st := &m.sh.styles
	var b strings.Builder
	b.WriteString(m.infoLine())
	rows := m.rows()
	var out []string
	if m.follow {
		out = m.renderBack(len(m.lines)-1, rows)
	} else {
		out = m.renderForward(m.top, rows)
	}
	for _, l := range out {
		b.WriteByte('\n')
		b.WriteString(l)
	}
	if len(m.lines) == 0 {
		b.WriteString("\n" + st.Faint.Render(" waiting for log lines…"))
	}
	return b.String()
}

func (m logsModel) infoLine() string {
	st := &m.sh.styles
	if m.searching {
		return " " + m.search.View()
	}
	mode := "following"
	switch {
	case !m.follow:
		mode = fmt.Sprintf("paused at line %d (G follows)", m.top+1)
	case m.ended:
		mode = "ended (follows again if it starts)"
	}
	rng := "everything"
	switch {
	case m.filter != nil && m.since == 0: // the filter reads the whole log
	case m.since > 0:
		rng = "since " + m.since.String()
	case m.tail >= 0:
		rng = fmt.Sprintf("last %d", m.tail)
	}
	parts := []string{m.name, mode, fmt.Sprintf("%d lines", len(m.lines)), rng}
	if m.loading {
		parts = append(parts, "reading older lines…")
	}
	if m.timestamps {
		parts = append(parts, "timestamps")
	}
	if m.wrap {
		parts = append(parts, "wrap")
	}
	if m.filter != nil {
		parts = append(parts, fmt.Sprintf("filter %s ±%d", m.filter.describe(), m.context))
	}
	if m.find != nil {
		q := "search " + m.find.describe()
		switch {
		case m.finding:
			q += " (reading the log file…)"
		case m.match < 0 || m.notFound:
			q += " (no match)"
		}
		parts = append(parts, q)
	}
	if m.behind {
		parts = append(parts, "newer lines not shown")
	}
	return st.Faint.Render(" " + strings.Join(parts, " · "))
}

// renderForward draws rows screen lines starting at line from.
func (m logsModel) renderForward(from, rows int) []string {
	var out []string
	for i := from; i < len(m.lines) && len(out) < rows; i++ {
		out = append(out, m.renderLine(i)...)
	}
	if len(out) > rows {
		out = out[:rows]
	}
	return out
}

// renderBack draws the rows screen lines that end with line last.
func (m logsModel) renderBack(last, rows int) []string {
	var out []string
	for i := last; i >= 0 && len(out) < rows; i-- {
		out = append(m.renderLine(i), out...)
	}
	if len(out) > rows {
		out = out[len(out)-rows:]
	}
	return out
}

// renderLine draws one log line: a gutter that tells stderr from stdout,
// the timestamp when shown, the text with search matches highlighted,
// wrapped or cut to the width.
func (m logsModel) renderLine(i int) []string {
	st := &m.sh.styles
	l := m.lines[i]
	if l.sep {
		return []string{st.Faint.Render(" --")}
	}
	gutter := " "
	if l.stderr {
		gutter = st.Stderr.Render("▌")
	}
	prefix := gutter
	if l.from != nil {
		prefix += m.sourcePrefix(l.from)
	}
	if m.timestamps {
		prefix += st.Timestamp.Render(l.time.UTC().Format("2006-01-02T15:04:05.000Z")) + " "
	}
	text, styled := l.text, l.styled
	if styled && m.sh.noColor {
		text, styled = ansi.Strip(text), false
	}
	if mt := m.highlighter(); mt != nil {
		hl := &st.Match
		if i == m.match {
			hl = &st.CurrentMatch
		}
		if h := mt.highlight(text, styled, hl.Render); h != text {
			text, styled = h, false
		}
	}
	width := max(m.width-ansi.StringWidth(prefix), 1)
	reset := ""
	if styled {
		reset = ansi.ResetStyle // a line's colours end with it
	}
	if !m.wrap {
		return []string{prefix + ansi.Truncate(text, width, "…") + reset}
	}
	wrapped := strings.Split(ansi.Hardwrap(text, width, true), "\n")
	pad := strings.Repeat(" ", ansi.StringWidth(prefix))
	for j := range wrapped {
		if j == 0 {
			wrapped[j] = prefix + wrapped[j] + reset
		} else {
			wrapped[j] = pad + wrapped[j] + reset
		}
	}
	return wrapped
}

// highlighter is what the lines' matches are marked for: the search,
// else the filter.
func (m logsModel) highlighter() *logMatcher {
	if m.find != nil {
		return m.find
	}
	return m.filter
}

func toLogLine(e engine.LogEntry) logLine {
	text, styled := cleanLogLine(e.Line)
	return logLine{stderr: e.Stream == "stderr", time: e.Time, text: text, styled: styled}
}

// logStreamCmd runs Backend.Logs in the background, feeding s.ch; it
// answers at once so the screen can start waiting.
func logStreamCmd(ctx context.Context, sh *shared, gen int, ref string, opts engine.LogsOptions, s *logStream) tea.Cmd {
	return func() tea.Msg {
		go func() {
			s.err = sh.backend.Logs(ctx, ref, opts, func(e engine.LogEntry) error {
				select {
				case s.ch <- logEntry{LogEntry: e}:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			close(s.ch)
		}()
		return logStartMsg{gen: gen, stream: s}
	}
}

// waitLogsCmd sends the stream's next batch: it sleeps until next (a log
// frame after the last batch), takes what arrived meanwhile (up to
// logBatchMax) and, if nothing did, waits for the next line and takes
// what came with it. A steady log so costs one wake-up, one message and
// one drawing per frame, not one per line, and a line after a quiet
// spell shows at once. In the filter mode only the lines it keeps go out.
func waitLogsCmd(gen int, s *logStream, next time.Time) tea.Cmd {
	return func() tea.Msg {
		b := logBatchMsg{gen: gen, stream: s, lines: make([]logLine, 0, 64)}
		if !s.rest(next) {
			b.done = true
			return b
		}
		b.collect(s)
		if b.empty() {
			select {
			case e, ok := <-s.ch:
				if !ok {
					b.done, b.err = true, s.err
					return b
				}
				b.add(e)
				b.collect(s)
			case <-s.done:
				b.done = true
				return b
			}
		}
		if len(b.lines) < logBatchMax { // else a backlog: the next batch is waiting
			b.next = time.Now().Add(logFrame)
		}
		if s.filter != nil {
			b.lines = s.filter.feed(b.lines, nil)
		}
		return b
	}
}

// rest sleeps until next; false when the stream was cancelled meanwhile
// (a project's).
func (s *logStream) rest(next time.Time) bool {
	wait := time.Until(next)
	if wait <= 0 {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}

// empty says the batch has nothing to deliver yet.
func (b *logBatchMsg) empty() bool { return len(b.lines) == 0 && len(b.ends) == 0 && !b.done }

// collect adds to the batch what has arrived, up to a full batch or the
// stream's end, without waiting.
func (b *logBatchMsg) collect(s *logStream) {
	for len(b.lines) < logBatchMax {
		select {
		case e, ok := <-s.ch:
			if !ok {
				b.done, b.err = true, s.err
				return
			}
			b.add(e)
		default:
			return
		}
	}
}

// add puts e in the batch: a line, or a project follower's end.
func (b *logBatchMsg) add(e logEntry) {
	if e.end {
		b.ends = append(b.ends, e)
		return
	}
	b.lines = append(b.lines, e.line())
}

// olderLogsCmd reads the page of lines logged before `before`.
func olderLogsCmd(sh *shared, gen int, ref string, before time.Time) tea.Cmd {
	return func() tea.Msg {
		var lines []logLine
		opts := engine.LogsOptions{Tail: logOlderPage, Until: before, Stdout: true, Stderr: true}
		err := sh.backend.Logs(sh.ctx, ref, opts, func(e engine.LogEntry) error {
			if e.Time.Before(before) {
				lines = append(lines, toLogLine(e))
			}
			return nil
		})
		return logBatchMsg{gen: gen, lines: lines, err: err, older: true}
	}
}
