package ui

import (
	"errors"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"berth/engine"
)

// The marked containers' log: l with rows marked opens their logs
// interleaved in time, each line prefixed with its container's name in
// a colour of its own, as stern prints pods' lines. It is a compose
// project's log (composelogs.go) over a chosen set of containers, so it
// reads, follows, filters and searches as that one does.

// errMarkedOnHosts refuses the marked log of containers of several hosts.
var errMarkedOnHosts = errors.New("the marked containers are on several hosts: mark one host's to see their logs together")

// newMarkedLogsModel is the logs screen of cs, containers of sh's host.
func newMarkedLogsModel(sh *shared, gen int, cs []*engine.Container) logsModel {
	m := newLogsModel(sh, gen, &engine.Container{})
	ids := make([]string, len(cs))
	names := make([]string, len(cs))
	for i, c := range cs {
		ids[i], names[i] = c.ID, c.DisplayName()
	}
	m.name = strings.Join(names, ", ")
	m.project = &logProject{
		members: func(list []*engine.Container) []*engine.Container {
			return byCreation(slices.DeleteFunc(slices.Clone(list), func(c *engine.Container) bool {
				return !slices.Contains(ids, c.ID)
			}))
		},
		label: func(c *engine.Container) (string, string) { return c.DisplayName(), c.ID },
	}
	return m
}

// markedLogsCmd opens the log of the marked containers; ok is false
// when none is marked (l is then the cursor's).
func (m containersModel) markedLogsCmd() (cmd tea.Cmd, ok bool) {
	var cs []*engine.Container
	host := -1
	for _, c := range m.rows {
		if c == nil || !m.marks[m.keyOf(c)] {
			continue
		}
		if host >= 0 && m.hostOf[c] != host {
			return statusCmd(errMarkedOnHosts), true
		}
		host = m.hostOf[c]
		cs = append(cs, c)
	}
	if len(cs) == 0 {
		return nil, false
	}
	return openCmd(openMsg{to: stateLogs, marked: cs, sh: m.sh.on(host)}), true
}
