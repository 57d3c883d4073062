package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/progress"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Messages of a build. Like a pull's, they carry the build they belong
// to (a build outlives a visit to another screen); a cancelled or
// replaced build's late lines are dropped.
type (
	buildRequestMsg struct{ req BuildRequest }
	buildStartMsg   struct{ build *buildStream }
	buildOutputMsg  struct {
		build *buildStream
		lines []string
		step  *BuildStep // the last step reported in this batch, if any
		done  bool
		id    string
		err   error
	}
	// buildCancelMsg is the user's yes to cancelling the build.
	buildCancelMsg struct{ build *buildStream }
)

// buildStream is one running Backend.Build feeding a channel with the
// lines of its log and its steps.
type buildStream struct {
	started time.Time
	req     BuildRequest
	ch      chan buildItem
	cancel  context.CancelFunc
	id      string // set before ch is closed
	err     error  // set before ch is closed
}

const (
	// buildBatchMax is how many log lines one message carries at most.
	buildBatchMax = 1024
	// buildLogMax bounds the lines of build log kept; older ones go.
	buildLogMax = 5000
)

// buildModel is a build on the images screen: its log in a viewport
// that follows the end until the user scrolls up, a spinner and a bar
// of the Dockerfile's steps while it runs, and the outcome once done.
type buildModel struct {
	stream  *buildStream
	lines   []string
	log     viewport.Model
	spin    spinner.Model
	bar     progress.Model
	step    int // the last step the backend reported, of steps
	steps   int
	ended   bool // that step has ended
	running bool
	focused bool // the log, not the list, takes the movement keys
	id      string
	err     error
}

func newBuildModel(req BuildRequest, cancel context.CancelFunc) buildModel {
	log := viewport.New()
	log.Style = lipgloss.NewStyle().PaddingLeft(1)
	return buildModel{
		stream:  &buildStream{req: req, ch: make(chan buildItem, buildBatchMax), cancel: cancel},
		log:     log,
		spin:    newBuildSpinner(),
		bar:     progress.New(progress.WithWidth(16), progress.WithoutPercentage(), progress.WithFillCharacters('█', '░')),
		running: true,
	}
}

func newBuildSpinner() spinner.Model { return spinner.New(spinner.WithSpinner(spinner.Line)) }

// name is how the status line and the title call the build's image.
func (m buildModel) name() string {
	if len(m.stream.req.Tags) > 0 {
		return m.stream.req.Tags[0]
	}
	return "an image"
}

func (m buildModel) setSize(w, h int) buildModel {
	m.log.SetWidth(max(w, 1))
	m.log.SetHeight(max(h-1, 1))
	if m.following() {
		m.log.GotoBottom()
	}
	return m
}

// following says the log shows its last line, so new lines scroll it.
func (m buildModel) following() bool {
	return m.log.AtBottom() || m.log.TotalLineCount() <= m.log.VisibleLineCount()
}

// absorb appends log lines and keeps the end in view unless the user
// scrolled away from it.
func (m buildModel) absorb(lines []string) buildModel {
	follow := m.following()
	m.lines = append(m.lines, lines...)
	if over := len(m.lines) - buildLogMax; over > 0 {
		m.lines = append([]string(nil), m.lines[over:]...)
	}
	m.log.SetContentLines(m.lines)
	if follow {
		m.log.GotoBottom()
	}
	return m
}

// finish records the outcome; a failure's error ends the log too, so it
// stays readable after the status line has cleared.
func (m buildModel) finish(id string, err error) buildModel {
	m.running, m.id, m.err = false, id, err
	switch {
	case errors.Is(err, context.Canceled):
		return m.absorb([]string{"cancelled"})
	case err != nil:
		return m.absorb([]string{"ERROR: " + err.Error()})
	}
	return m
}

// stepTo moves the bar to a step the backend reported.
func (m buildModel) stepTo(st *BuildStep) buildModel {
	if st != nil && st.Number >= 1 && st.Count >= st.Number {
		m.step, m.steps, m.ended = st.Number, st.Count, st.Done
	}
	return m
}

// scroll moves the log by d lines (negative: up).
func (m buildModel) scroll(d int) buildModel {
	if d < 0 {
		m.log.ScrollUp(-d)
	} else {
		m.log.ScrollDown(d)
	}
	return m
}

// navKey scrolls the log for the shared movement keys.
func (m buildModel) navKey(g *globalKeys, msg tea.KeyPressMsg) (buildModel, bool) {
	switch {
	case matches(msg, g.Up):
		m.log.ScrollUp(1)
	case matches(msg, g.Down):
		m.log.ScrollDown(1)
	case matches(msg, g.PageUp):
		m.log.PageUp()
	case matches(msg, g.PageDown):
		m.log.PageDown()
	case matches(msg, g.Home):
		m.log.GotoTop()
	case matches(msg, g.End):
		m.log.GotoBottom()
	default:
		return m, false
	}
	return m, true
}

// view is a title line (what is built, how far, what the keys do) over
// the log.
func (m buildModel) view(st *styles, keys *keyMap, width int) string {
	req := m.stream.req
	from := req.ContextDir
	hint := keys.Global.NextPane.Help().Key + " scrolls the log"
	if m.focused {
		g := &keys.Global
		hint = g.Down.Help().Key + " " + g.Up.Help().Key + " scroll · " + g.NextPane.Help().Key + " leaves the log"
	}
	var title string
	switch {
	case m.running:
		steps := "starting"
		if m.steps > 0 {
			steps = fmt.Sprintf("step %d/%d ", m.step, m.steps) + st.bar(m.bar).ViewAs(float64(m.stepsDone())/float64(m.steps))
		}
		title = " " + m.spin.View() + st.Title.Render(" Building "+m.name()+" from "+from) +
			st.Faint.Render("  ") + steps + st.Faint.Render(" · "+hint+" · "+keys.Global.Back.Help().Key+" cancels")
	case m.err != nil:
		what := "failed"
		if errors.Is(m.err, context.Canceled) {
			what = "cancelled"
		}
		title = st.Error.Render(" ✗ Build of "+m.name()+" "+what) +
			st.Faint.Render(" · "+hint+" · "+keys.Global.Back.Help().Key+" closes")
	default:
		title = st.Title.Render(" ✓ Built "+m.name()+" ("+shortID(m.id)+")") +
			st.Faint.Render(" · "+hint+" · "+keys.Global.Back.Help().Key+" closes")
	}
	return fitLine(title, width) + "\n" + m.log.View()
}

// buildCmd runs Backend.Build in the background, feeding the stream.
func buildCmd(ctx context.Context, sh *shared, s *buildStream) tea.Cmd {
	return func() tea.Msg {
		go func() {
			send := func(it buildItem) {
				select {
				case s.ch <- it:
				case <-ctx.Done():
				}
			}
			s.id, s.err = sh.backend.Build(ctx, s.req, func(line string) {
				send(buildItem{line: cleanLine([]byte(line))})
			}, func(st BuildStep) {
				send(buildItem{step: &st})
			})
			close(s.ch)
		}()
		return buildStartMsg{build: s}
	}
}

// waitBuildCmd blocks for a line of the log or a step and takes whatever
// else has arrived, so a chatty RUN costs one message per frame; of the
// steps only the last counts for the bar.
func waitBuildCmd(s *buildStream) tea.Cmd {
	return func() tea.Msg {
		it, ok := <-s.ch
		if !ok {
			return buildOutputMsg{build: s, done: true, id: s.id, err: s.err}
		}
		msg := buildOutputMsg{build: s}
		msg.add(it)
		for n := 1; n < buildBatchMax; n++ {
			select {
			case it, ok := <-s.ch:
				if !ok {
					msg.done, msg.id, msg.err = true, s.id, s.err
					return msg
				}
				msg.add(it)
			default:
				return msg
			}
		}
		return msg
	}
}

func (msg *buildOutputMsg) add(it buildItem) {
	if it.step != nil {
		msg.step = it.step
		return
	}
	msg.lines = append(msg.lines, it.line)
}
