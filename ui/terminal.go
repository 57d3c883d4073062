package ui

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
)

// Messages of terminal sessions.
type (
	// handoffReadyMsg: a full-screen session is prepared; the root hands
	// it the terminal with tea.Exec.
	handoffReadyMsg struct {
		name string
		kind SessionKind
		h    Handoff
		err  error
	}
	// handoffDoneMsg: the full-screen session ended; the UI is back.
	handoffDoneMsg struct {
		name string
		kind SessionKind
		err  error
	}
	// terminalMsg asks the root to open a terminal pane; the root knows
	// the size it will have.
	terminalMsg struct {
		sh        *shared // of the container's host
		ref, name string
		kind      SessionKind
	}
	termOpenedMsg struct {
		pane *termPane
		err  error
		name string
	}
	// termOutputMsg: the pane's screen changed (any number of writes).
	termOutputMsg struct{ pane *termPane }
	termClosedMsg struct {
		pane *termPane
		err  error
	}
)

// termPane is one embedded terminal: a PTY session drawn through the
// emulator. Its goroutines copy the PTY into the emulator (and mark it
// dirty) and the emulator's replies and keys back into the PTY.
type termPane struct {
	name   string
	kind   SessionKind
	detach string // an attach's detach keys, as its title names them
	term   Terminal
	emu    *vt.SafeEmulator
	dirty  chan struct{}
	done   chan struct{}
	err    error // set before done is closed
	once   sync.Once
}

// close ends the session; the goroutines end with it. The emulator's
// input pipe is closed rather than the emulator itself: Emulator.Close
// is not safe beside a Read in progress.
func (p *termPane) close() {
	p.once.Do(func() {
		// The session's own end is reported by pumpOutput and Wait; a
		// failed close of what is being thrown away adds nothing.
		_ = p.term.Close()
		if c, ok := p.emu.InputPipe().(io.Closer); ok {
			_ = c.Close()
		}
	})
}

func (p *termPane) title() string {
	if p.kind == SessionAttach {
		return "attach: " + p.name + " · " + p.detach + " detaches"
	}
	return "shell: " + p.name
}

// terminalsModel is the set of open terminal panes; one is on view, the
// rest run in the background until closed.
type terminalsModel struct {
	sh      *shared
	panes   []*termPane
	active  int
	focused bool
	width   int
	height  int
}

func newTerminalsModel(sh *shared) terminalsModel { return terminalsModel{sh: sh} }

func (m terminalsModel) hasPanes() bool { return len(m.panes) > 0 }

// onView says the panes are drawn beside screen s.
func (m terminalsModel) onView(s state) bool {
	return m.hasPanes() && (s == stateLogs || s == stateTop)
}

// paneWidth is the columns the pane takes beside the main screen.
func (m terminalsModel) paneWidth(total int) int {
	if !m.hasPanes() {
		return 0
	}
	return total / 2
}

// inner is the emulator's size inside the pane's border.
func (m terminalsModel) inner() (int, int) { return max(m.width-2, 10), max(m.height-2, 3) }

func (m terminalsModel) setSize(w, h int) terminalsModel {
	m.width, m.height = w, h
	return m
}

// resizeCmd resizes every emulator and PTY to the pane.
func (m terminalsModel) resizeCmd() tea.Cmd {
	if !m.hasPanes() {
		return nil
	}
	cols, rows := m.inner()
	panes := append([]*termPane(nil), m.panes...)
	return func() tea.Msg {
		var errs []error
		for _, p := range panes {
			p.emu.Resize(cols, rows)
			if err := p.term.Resize(cols, rows); err != nil {
				errs = append(errs, fmt.Errorf("resize terminal of %s: %w", p.name, err))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return statusMsg{err: err}
		}
		return nil
	}
}

func (m terminalsModel) update(msg tea.Msg) (terminalsModel, tea.Cmd) {
	switch msg := msg.(type) {
	case handoffReadyMsg:
		if msg.err != nil {
			return m, statusCmd(fmt.Errorf("%s %s: %w", msg.kind, msg.name, msg.err))
		}
		name, kind := msg.name, msg.kind
		return m, tea.Exec(msg.h, func(err error) tea.Msg { return handoffDoneMsg{name: name, kind: kind, err: err} })
	case handoffDoneMsg:
		if msg.err != nil {
			return m, statusCmd(fmt.Errorf("%s %s: %w", msg.kind, msg.name, msg.err))
		}
		return m, tea.Batch(infoCmd(fmt.Sprintf("back from the %s of %s", msg.kind, msg.name)), func() tea.Msg { return refreshMsg{} })
	case termOpenedMsg:
		if msg.err != nil {
			return m, statusCmd(fmt.Errorf("open a terminal on %s: %w", msg.name, msg.err))
		}
		m.panes = append(m.panes, msg.pane)
		m.active, m.focused = len(m.panes)-1, true
		return m, waitTermCmd(msg.pane)
	case termOutputMsg:
		return m, waitTermCmd(msg.pane)
	case termClosedMsg:
		for i, p := range m.panes {
			if p == msg.pane {
				p.close()
				m.panes = append(m.panes[:i:i], m.panes[i+1:]...)
				break
			}
		}
		m.active = min(m.active, max(len(m.panes)-1, 0))
		if !m.hasPanes() {
			m.focused = false
		}
		text := "the " + msg.pane.kind.String() + " of " + msg.pane.name + " ended"
		if msg.err != nil && !errors.Is(msg.err, io.EOF) && !errors.Is(msg.err, io.ErrClosedPipe) {
			return m, statusCmd(fmt.Errorf("%s: %w", text, msg.err))
		}
		return m, infoCmd(text)
	case tea.KeyPressMsg:
		if matches(msg, m.sh.keys.Terminal.Leave) {
			m.focused = false
			return m, nil
		}
		if p := m.current(); p != nil {
			p.emu.SendKey(uv.KeyPressEvent{
				Code: msg.Code, Text: msg.Text, Mod: msg.Mod,
				ShiftedCode: msg.ShiftedCode, BaseCode: msg.BaseCode, IsRepeat: msg.IsRepeat,
			})
		}
	case tea.PasteMsg:
		if p := m.current(); p != nil {
			p.emu.Paste(msg.Content)
		}
	}
	return m, nil
}

// screenKey handles the pane keys pressed while the main screen has the
// keyboard; ok is false for keys that are not the pane's.
func (m *terminalsModel) screenKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	t := &m.sh.keys.Terminal
	switch {
	case matches(msg, t.Cycle):
		m.active = (m.active + 1) % len(m.panes)
		return nil, true
	case matches(msg, t.Close):
		if p := m.current(); p != nil {
			p.close()
		}
		return nil, true
	}
	return nil, false
}

func (m terminalsModel) current() *termPane {
	if m.active < len(m.panes) {
		return m.panes[m.active]
	}
	return nil
}

func (m terminalsModel) closeAll() {
	for _, p := range m.panes {
		p.close()
	}
}

func (m terminalsModel) view() string {
	st := &m.sh.styles
	p := m.current()
	if p == nil {
		return ""
	}
	frame := st.Pane
	if m.focused {
		frame = st.FocusedPane
	}
	cols, rows := m.inner()
	content := fitBlock(p.emu.Render(), cols, rows)
	box := frame.Width(cols + 2).Height(rows + 2).Render(content)
	title := fmt.Sprintf(" %s (%d/%d) ", p.title(), m.active+1, len(m.panes))
	if m.focused {
		title += "· " + m.sh.keys.Terminal.Leave.Help().Key + " leaves "
	}
	title += "─"
	lines := strings.Split(box, "\n")
	lines[0] = frameTop(st, title, cols+2, m.focused)
	return strings.Join(lines, "\n")
}

// frameTop is the pane's top border with the title in it.
func frameTop(st *styles, title string, width int, focused bool) string {
	style := st.Faint
	if focused {
		style = st.Title
	}
	t := strings.TrimRight(fit(title, max(width-4, 0), false), " ")
	return style.Render("╭─" + t + strings.Repeat("─", max(width-3-lipgloss.Width(t), 0)) + "╮")
}

// cursor is where the terminal's cursor is drawn, in the body's
// coordinates, when the focused pane is on view.
func (m terminalsModel) cursor(total int, onView bool) *tea.Cursor {
	p := m.current()
	if !onView || !m.focused || p == nil || p.emu.CursorHidden() {
		return nil
	}
	pos := p.emu.CursorPosition()
	return tea.NewCursor(total-m.paneWidth(total)+1+pos.X, 1+pos.Y)
}

// openTerminalCmd starts a session on a new PTY and the goroutines that
// feed the pane.
func openTerminalCmd(sh *shared, ref, name string, kind SessionKind, cols, rows int) tea.Cmd {
	return func() tea.Msg {
		t, err := sh.backend.OpenTerminal(sh.ctx, ref, kind, cols, rows)
		if err != nil {
			return termOpenedMsg{name: name, err: err}
		}
		p := &termPane{
			name: name, kind: kind, detach: sh.detach.help(), term: t, emu: vt.NewSafeEmulator(cols, rows),
			dirty: make(chan struct{}, 1), done: make(chan struct{}),
		}
		go p.pumpOutput()
		go p.pumpInput()
		return termOpenedMsg{pane: p, name: name}
	}
}

// pumpOutput copies the child's output into the emulator, marking the
// pane dirty; it ends the session when the PTY does.
func (p *termPane) pumpOutput() {
	buf := make([]byte, 32*1024)
	for {
		n, err := p.term.Read(buf)
		if n > 0 {
			_, _ = p.emu.Write(buf[:n]) // fails only once closed, which the pane never does
			select {
			case p.dirty <- struct{}{}:
			default:
			}
		}
		if err != nil {
			p.err = err
			close(p.done)
			return
		}
	}
}

// pumpInput copies what the emulator sends (keys typed into the pane and
// its answers to the child's terminal queries) into the PTY. Without it
// a child that asks the terminal something blocks for ever.
func (p *termPane) pumpInput() {
	// It ends when the session does, which pumpOutput reports.
	_, _ = io.Copy(p.term, p.emu)
}

// waitTermCmd blocks until the pane changed or its session ended.
func waitTermCmd(p *termPane) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-p.dirty:
			return termOutputMsg{pane: p}
		case <-p.done:
			werr := p.term.Wait()
			err := p.err
			if werr != nil {
				err = werr
			}
			return termClosedMsg{pane: p, err: err}
		}
	}
}

func terminalCmd(sh *shared, ref, name string, kind SessionKind) tea.Cmd {
	return func() tea.Msg { return terminalMsg{sh: sh, ref: ref, name: name, kind: kind} }
}

// openSize is the emulator size a pane opened now gets, in a body of
// width×height.
func (m terminalsModel) openSize(width, height int) (int, int) {
	return max(width/2-2, 10), max(height-2, 3)
}

// handoffCmd prepares a full-screen session.
func handoffCmd(sh *shared, ref, name string, kind SessionKind) tea.Cmd {
	return func() tea.Msg {
		h, err := sh.backend.Handoff(sh.ctx, ref, kind)
		return handoffReadyMsg{name: name, kind: kind, h: h, err: err}
	}
}
