package ui

import (
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"berth/compose"
	"berth/engine"
)

// fold folds the heading under the cursor, or unfolds it; on a
// container under a heading it folds that heading and moves there.
func (m containersModel) fold() containersModel {
	i := m.nav.Cursor
	if m.groupAt(i) == nil {
		depth := m.depthAt(i)
		if depth == 0 {
			return m
		}
		for i >= 0 && (m.groupAt(i) == nil || m.depthAt(i) != depth-1) {
			i--
		}
		if i < 0 {
			return m
		}
	}
	g := m.groupAt(i)
	if m.folded[g.key] {
		delete(m.folded, g.key)
	} else {
		m.folded[g.key] = true
	}
	return m.relistKeeping("compose:" + g.key)
}

// groupKey runs a project's (or service's) action from its heading:
// logs of all its containers, start, restart, stop. The inspect key
// folds, as enter opens a heading in other tree views.
func (m containersModel) groupKey(msg tea.KeyPressMsg, g *composeGroup) (containersModel, tea.Cmd) {
	if g.pod != nil {
		return m.podGroupKey(msg, g)
	}
	k := &m.sh.keys.Containers
	sh := m.sh.on(g.host)
	what := "project " + g.project
	if g.service != "" {
		what = "service " + g.service + " of " + g.project
	}
	what += sh.onHost()
	switch {
	case matches(msg, k.Inspect):
		return m.fold(), nil
	case matches(msg, k.Logs):
		return m, openCmd(openMsg{to: stateLogs, project: g, sh: sh})
	case matches(msg, k.Start):
		cs := slices.DeleteFunc(slices.Clone(g.members), func(c *engine.Container) bool { return c.State.Running() })
		if len(cs) == 0 {
			return m, infoCmd("every container of " + what + " is running")
		}
		return m, askJobCmd(groupJob(sh, g, what, "start", cs, func(c *engine.Container) error {
			return sh.backend.Start(sh.ctx, c.ID)
		}))
	case matches(msg, k.Restart):
		return m, askJobCmd(groupJob(sh, g, what, "restart", g.members, func(c *engine.Container) error {
			return sh.backend.Restart(sh.ctx, c.ID, engine.StopOptions{})
		}))
	case matches(msg, k.Stop):
		cs := slices.DeleteFunc(slices.Clone(g.members), func(c *engine.Container) bool { return !c.State.Running() })
		if len(cs) == 0 {
			return m, infoCmd("no container of " + what + " is running")
		}
		slices.Reverse(cs) // the last started stops first, as compose's dependents do
		stop := groupJob(sh, g, what, "stop", cs, func(c *engine.Container) error {
			return sh.backend.Stop(sh.ctx, c.ID, engine.StopOptions{})
		})
		return m, dialogCmd(confirmDialog(&sh.keys, "Stop "+what+"?", namesOf(cs, nil), func() tea.Cmd { return askJobCmd(stop) }))
	case matches(msg, k.Up):
		project := "project " + g.project + sh.onHost()
		labels := g.members[len(g.members)-1].Config.Labels // the newest: the last up's files
		return m, askJobCmd(&job{
			sh: sh, state: "Starting", what: project, rows: []string{"compose:" + g.key}, failed: "compose up " + project,
			cli: composeUpCLI(labels), noHandover: ErrNoComposeFile.Error(),
			run: func(progress func(string)) (string, error) {
				return project + " is up", sh.backend.ComposeUp(sh.ctx, labels, progress)
			},
		})
	case matches(msg, k.Down):
		project := "project " + g.project + sh.onHost()
		text := fmt.Sprintf("its %s and networks are removed; its volumes stay", plural(len(projectMembers(m.list, g.project, "")), "container"))
		down := &job{
			sh: sh, state: "Removing", what: project, rows: []string{"compose:" + g.key}, failed: "compose down " + project,
			// The program's down removes every container of the
			// project: so does the CLI's, whatever compose file it
			// finds.
			cli: append(composeCLI(g), "down", "--remove-orphans"),
			run: func(progress func(string)) (string, error) {
				return project + " is down", sh.backend.ComposeDown(sh.ctx, g.project, progress)
			},
		}
		return m, dialogCmd(confirmDialog(&sh.keys, "Take "+project+" down?", text, func() tea.Cmd { return askJobCmd(down) }))
	}
	return m, nil
}

// groupJob is verb (start, restart, stop) on cs, the containers of
// heading g (what), one after the other; it stops at the first failure,
// which it names (a project's containers depend on each other: going on
// past one that failed would start or stop the rest out of order).
// After a quit berth's CLI finishes a start or a stop of the project
// (or the service), which leave alone what is done; a restart is not
// handed over, as it would restart again the containers already
// restarted.
func groupJob(sh *shared, g *composeGroup, what, verb string, cs []*engine.Container, fn func(*engine.Container) error) *job {
	j := &job{
		sh: sh, state: transitional[verb], what: what, rows: []string{"compose:" + g.key}, failed: verb + " " + what,
		run: func(func(string)) (string, error) {
			for _, c := range cs {
				if err := fn(c); err != nil {
					return "", fmt.Errorf("%s: %w", c.DisplayName(), err)
				}
			}
			return pastTense(verb) + " " + what, nil
		},
	}
	if verb == "restart" {
		j.noHandover = "those already restarted would restart again"
		return j
	}
	j.cli = append(composeCLI(g), verb)
	if g.service != "" {
		j.cli = append(j.cli, g.service)
	}
	return j
}

// composeCLI is `berth compose` on g's project, by its name, in its
// directory when its containers say which (where `compose up` ran): the
// project's own compose file, not one of the directory the program
// was started in, is what the CLI finds there, if it finds any; the
// name is all that stop, start and down need.
func composeCLI(g *composeGroup) []string {
	args := []string{"compose", "-p", g.project}
	if dir := g.members[len(g.members)-1].Config.Labels[compose.LabelWorkingDir]; dir != "" {
		args = append(args, "--project-directory", dir)
	}
	return args
}

// composeUpCLI is `berth compose up -d` of the project that labels'
// container belongs to, from the files its last up read (as ComposeUp
// reads them); nil when the labels do not name them.
func composeUpCLI(labels map[string]string) []string {
	if labels[compose.LabelWorkingDir] == "" && labels[compose.LabelConfigFiles] == "" {
		return nil
	}
	o := compose.ReloadOptions(labels)
	args := []string{"compose", "-p", o.ProjectName}
	if o.ProjectDir != "" {
		args = append(args, "--project-directory", o.ProjectDir)
	}
	for _, f := range o.Files {
		args = append(args, "-f", f)
	}
	for _, f := range o.EnvFiles {
		args = append(args, "--env-file", f)
	}
	return append(args, "up", "-d")
}

// composeHelp is the help of a compose project's heading: the fold key,
// and the container keys that act on the whole project there.
func composeHelp(k *keyMap) helpGroup {
	c := k.Containers
	return helpGroup{title: "Compose project (on its row)", bindings: []key.Binding{
		c.Fold,
		bind("logs of all services", c.Logs.Keys()...),
		bind("start the stopped", c.Start.Keys()...),
		bind("restart all", c.Restart.Keys()...),
		bind("stop all (asks)", c.Stop.Keys()...),
		c.Up, c.Down,
	}}
}
