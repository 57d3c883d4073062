package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
)

// Messages of a pull. They carry the pull they belong to, so a cancelled
// pull's late progress is dropped; a pull outlives a visit to another
// screen, so they carry no screen generation.
type (
	pullRequestMsg  struct{ ref string }
	pullStartMsg    struct{ pull *pullStream }
	pullProgressMsg struct {
		pull   *pullStream
		events []PullProgress
		done   bool
		err    error
	}
)

// pullStream is one running Backend.Pull feeding a channel.
type pullStream struct {
	sh      *shared // the host it pulls to
	started time.Time
	ref     string
	ch      chan PullProgress
	cancel  context.CancelFunc
	err     error // set before ch is closed
}

// pullLayer is the last word on one layer.
type pullLayer struct {
	id             string
	action         string
	current, total int64
}

// pullModel is the progress of the pull under way on the images screen.
type pullModel struct {
	stream *pullStream
	layers []*pullLayer
	bar    progress.Model
}

// pullLines is how many layer lines the images screen gives a pull.
const pullLines = 4

func newPullModel(sh *shared, ref string, cancel context.CancelFunc) pullModel {
	bar := progress.New(progress.WithWidth(20), progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'))
	return pullModel{
		stream: &pullStream{sh: sh, started: sh.now(), ref: ref, ch: make(chan PullProgress, 256), cancel: cancel},
		bar:    bar,
	}
}

// absorb applies progress lines: one row per layer, its latest action.
func (m pullModel) absorb(events []PullProgress) pullModel {
	for _, ev := range events {
		var l *pullLayer
		for _, have := range m.layers {
			if have.id == ev.ID {
				l = have
			}
		}
		if l == nil {
			l = &pullLayer{id: ev.ID}
			m.layers = append(m.layers, l)
		}
		l.action, l.current, l.total = ev.Action, ev.Current, ev.Total
	}
	return m
}

// view is a title line and up to pullLines-1 layers, those moving first.
func (m pullModel) view(st *styles, width int) string {
	m.bar = st.bar(m.bar)
	done := 0
	var moving, rest []*pullLayer
	for _, l := range m.layers {
		switch {
		case strings.Contains(l.action, "complete") || l.action == "Already exists":
			done++
			rest = append(rest, l)
		case l.total > 0 && l.current < l.total:
			moving = append(moving, l)
		default:
			rest = append(rest, l)
		}
	}
	lines := []string{st.Title.Render(" Pulling "+m.stream.ref) +
		st.Faint.Render(fmt.Sprintf("  %d/%d layers done · esc cancels", done, len(m.layers)))}
	for _, l := range append(moving, rest...) {
		if len(lines) == pullLines {
			break
		}
		lines = append(lines, m.layerLine(l, width))
	}
	return strings.Join(lines, "\n")
}

func (m pullModel) layerLine(l *pullLayer, width int) string {
	line := fmt.Sprintf("   %-12s %-18s", shortID(l.id), l.action)
	if l.total > 0 {
		line += " " + m.bar.ViewAs(float64(l.current)/float64(l.total)) +
			fmt.Sprintf(" %s/%s", humanBytes(uint64(l.current)), humanBytes(uint64(l.total)))
	}
	return fitLine(line, width)
}

// pullCmd runs Backend.Pull in the background, feeding the stream.
func pullCmd(ctx context.Context, sh *shared, s *pullStream) tea.Cmd {
	return func() tea.Msg {
		go func() {
			s.err = sh.backend.Pull(ctx, s.ref, func(p PullProgress) {
				select {
				case s.ch <- p:
				case <-ctx.Done():
				}
			})
			close(s.ch)
		}()
		return pullStartMsg{pull: s}
	}
}

// waitPullCmd blocks for progress and takes whatever else has arrived.
func waitPullCmd(s *pullStream) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-s.ch
		if !ok {
			return pullProgressMsg{pull: s, done: true, err: s.err}
		}
		events := []PullProgress{ev}
		for {
			select {
			case ev, ok := <-s.ch:
				if !ok {
					return pullProgressMsg{pull: s, events: events, done: true, err: s.err}
				}
				events = append(events, ev)
			default:
				return pullProgressMsg{pull: s, events: events}
			}
		}
	}
}
